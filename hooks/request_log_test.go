package hooks_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/pocketbase/core"
)

// loggedURLs waits for the request log's batch to be written (every few
// seconds) until want URLs are logged, and returns the logged URLs.
func loggedURLs(t *testing.T, app core.App, want int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var logs []*core.Log
		if err := app.LogQuery().All(&logs); err != nil {
			t.Fatal(err)
		}
		var urls []string
		for _, l := range logs {
			if u, ok := l.Data["url"].(string); ok {
				urls = append(urls, l.Data["method"].(string)+" "+u)
			}
		}
		if len(urls) >= want || time.Now().After(deadline) {
			return urls
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestRequestLogKeepsWritesAndFailuresNotSuccessfulReads(t *testing.T) {
	for _, c := range []struct {
		name      string
		reads     bool
		wantLines int
	}{{"default", false, 3}, {"successful reads on", true, 4}} {
		t.Run(c.name, func(t *testing.T) {
			w := newV1World(t, func(cfg *config.Config) { cfg.Logs.SuccessfulReads = c.reads })
			w.app.Settings().Logs.MaxDays = 7                                                                      // test apps keep no logs otherwise
			testapp.Do(t, w.srv, http.MethodGet, "/api/v1/edam/?branch=topic&q=prote", nil)                        // successful read
			testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/00000000-0000-4000-8000-000000000000/", nil) // failed read
			testapp.Do(t, w.srv, http.MethodPost, "/api/v1/submissions/", map[string]any{})                        // failed write
			if res := w.post(t, nil); res.Status != http.StatusCreated {                                           // successful write
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			urls := loggedURLs(t, w.app, c.wantLines)
			joined := strings.Join(urls, "\n")
			if len(urls) != c.wantLines {
				t.Fatalf("want %d logged requests, got:\n%s", c.wantLines, joined)
			}
			if strings.Contains(joined, "GET /api/v1/edam/") != c.reads {
				t.Fatalf("successful read logged = %v, want %v:\n%s", !c.reads, c.reads, joined)
			}
			for _, want := range []string{"GET /api/v1/submissions/0000", "POST /api/v1/submissions/"} {
				if !strings.Contains(joined, want) {
					t.Errorf("%q not logged:\n%s", want, joined)
				}
			}
		})
	}
}
