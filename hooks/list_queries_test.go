package hooks_test

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// loggedQueries returns the SQL the app ran on its reading connections
// while f ran.
func loggedQueries(app core.App, f func()) []string {
	var (
		mu      sync.Mutex
		queries []string
	)
	db := app.ConcurrentDB().(*dbx.DB)
	prev := db.QueryLogFunc
	db.QueryLogFunc = func(_ context.Context, _ time.Duration, q string, _ *sql.Rows, _ error) {
		mu.Lock()
		queries = append(queries, q)
		mu.Unlock()
	}
	defer func() { db.QueryLogFunc = prev }()
	f()
	return queries
}

// Lists must not make PocketBase join the key table: a join turns every
// list into SELECT DISTINCT over the whole table.
func TestSubmissionListsRunWithoutJoins(t *testing.T) {
	w := newV1World(t)
	for i := 0; i < 3; i++ {
		testapp.CreateSubmission(t, w.app, w.ref, "write", map[string]any{"service_name": "Listed service " + string(rune('A'+i))})
	}
	admin := testapp.AdminKey(t, w.app, "read")
	for _, url := range []string{
		"/api/collections/submissions/records?perPage=2&sort=-created",
		"/api/v1/submissions/",
		"/api/collections/categories/records",
	} {
		var res *testapp.Response
		queries := loggedQueries(w.app, func() {
			res = testapp.Do(t, w.srv, http.MethodGet, url, nil, "Authorization: AdminKey "+admin)
		})
		if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "Listed service") && strings.Contains(url, "submissions") {
			t.Fatalf("%s: %d %s", url, res.Status, res.Body)
		}
		for _, q := range queries {
			if (strings.Contains(q, "FROM `submissions`") || strings.Contains(q, "FROM `categories`")) &&
				(strings.Contains(q, "SELECT DISTINCT") || strings.Contains(q, "JOIN")) {
				t.Errorf("%s ran a list query with a join: %s", url, q)
			}
		}
	}
	// the rules still keep everyone else out
	_, ownerKey := testapp.CreateSubmission(t, w.app, w.ref, "write", nil)
	for name, headers := range map[string][]string{"anonymous": nil, "submission key": {"Authorization: ApiKey " + ownerKey}} {
		res := testapp.Do(t, w.srv, http.MethodGet, "/api/collections/submissions/records", nil, headers...)
		if res.Status != http.StatusOK || res.Map(t)["totalItems"] != float64(0) {
			t.Errorf("%s lists submissions: %d %s", name, res.Status, res.Body)
		}
	}
}
