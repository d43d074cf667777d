package reliability_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/loadgen"
)

// TestCrashDuringWritesLosesNothing kills the server with SIGKILL in the
// middle of a write load, restarts it, and checks that both databases are
// sound and every acknowledged registration is there with a working key.
func TestCrashDuringWritesLosesNothing(t *testing.T) {
	r := startRegistry(t)
	cycles, workers := pick(1, 5), 8
	before := r.total(t, "submissions")

	var acknowledged []loadgen.Created
	inFlightAtCrash := 0
	for cycle := 0; cycle < cycles; cycle++ {
		ctx, stop := context.WithCancel(context.Background())
		var (
			mu sync.Mutex
			wg sync.WaitGroup
		)
		unanswered := 0
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					var c loadgen.Created
					err := loadgen.Request(r.client, http.MethodPost, r.URL+"/api/v1/submissions/", "",
						r.refs.Registration(cycle*100000+w*10000+i), &c)
					mu.Lock()
					if err == nil {
						acknowledged = append(acknowledged, c)
					} else if ctx.Err() != nil {
						unanswered++ // cut off by the crash: may or may not have committed
					} else {
						t.Errorf("create failed before the crash: %v", err)
					}
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(400+rand.IntN(1200)) * time.Millisecond)
		stop()
		r.Crash()
		wg.Wait()
		inFlightAtCrash += unanswered
		t.Logf("cycle %d: crashed with %d acknowledged so far, %d requests cut off", cycle+1, len(acknowledged), unanswered)
		r.Restart(t)
		r.healthy(t)
	}

	if len(acknowledged) == 0 {
		t.Fatal("no create was acknowledged before the crash; the load never ran")
	}
	if out := r.CLI(t, "db", "check"); !strings.Contains(out, "data.db: ok") || !strings.Contains(out, "auxiliary.db: ok") {
		t.Fatalf("integrity check after the crash:\n%s", out)
	}
	for _, c := range acknowledged {
		if err := r.keyWorks(c.ID, c.APIKey); err != nil {
			t.Errorf("acknowledged submission %s lost or its key broken: %v", c.ID, err)
		}
	}
	// requests cut off by the crash may have committed without an answer,
	// never more than that
	gained := r.total(t, "submissions") - before
	if gained < len(acknowledged) || gained > len(acknowledged)+inFlightAtCrash {
		t.Errorf("the table gained %d submissions for %d acknowledged and %d cut-off creates", gained, len(acknowledged), inFlightAtCrash)
	}
	// and the server takes writes again
	var c loadgen.Created
	if err := loadgen.Request(r.client, http.MethodPost, r.URL+"/api/v1/submissions/", "", r.refs.Registration(-1), &c); err != nil {
		t.Fatalf("create after restart: %v", err)
	}
}
