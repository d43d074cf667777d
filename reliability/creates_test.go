package reliability_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/denbi/service-registry/internal/loadgen"
)

// TestConcurrentAnonymousCreates sends registrations from many clients at
// once: every 201 carries a key that works, the table holds exactly the
// acknowledged registrations, and no client ever sees a 5xx or a database
// lock error.
func TestConcurrentAnonymousCreates(t *testing.T) {
	r := startRegistry(t)
	workers, each := 20, pick(10, 50)
	before := r.total(t, "submissions")

	var (
		mu       sync.Mutex
		created  []loadgen.Created
		failures []string
		wg       sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				var c loadgen.Created
				err := loadgen.Request(r.client, http.MethodPost, r.URL+"/api/v1/submissions/", "", r.refs.Registration(w*1000+i), &c)
				mu.Lock()
				if err != nil {
					failures = append(failures, err.Error())
				} else {
					created = append(created, c)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	for _, f := range failures {
		t.Error(f)
		if strings.Contains(f, "SQLITE_BUSY") || strings.Contains(f, "database is locked") {
			t.Error("a database lock error reached a client")
		}
	}
	if len(created) != workers*each {
		t.Fatalf("%d of %d creates succeeded", len(created), workers*each)
	}
	if got := r.total(t, "submissions") - before; got != len(created) {
		t.Errorf("the table gained %d submissions for %d acknowledged creates", got, len(created))
	}
	seen := map[string]bool{}
	for _, c := range created {
		if c.ID == "" || c.APIKey == "" || seen[c.ID] {
			t.Fatalf("bad or repeated create answer: %+v", c)
		}
		seen[c.ID] = true
		if err := r.keyWorks(c.ID, c.APIKey); err != nil {
			t.Errorf("the key returned for %s does not work: %v", c.ID, err)
		}
	}
	// a key opens its own submission only (404: another submission's
	// existence is not confirmed to a key)
	err := r.keyWorks(created[0].ID, created[1].APIKey)
	var status *loadgen.StatusError
	if !errors.As(err, &status) || status.Status != http.StatusNotFound {
		t.Errorf("another submission's key: want 404, got %v", err)
	}
	t.Logf("%d concurrent creates from %d clients, all keys work", len(created), workers)
}
