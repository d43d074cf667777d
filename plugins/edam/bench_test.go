package edam

import (
	"bytes"
	"context"
	"github.com/denbi/service-registry/internal/loadgen"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/pocketbase/tests"
)

// BenchmarkParse measures the parsers on the real 1.25 release.
//
//	go test ./plugins/edam -run '^$' -bench Parse
func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"EDAM_1.25.owl", "EDAM_1.25.csv"} {
		data, err := os.ReadFile(SharedData(b, "edam/"+name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSync measures a whole "edam sync" of the 1.25 OWL file (read,
// parse, plan, write): into an empty table, again with nothing changed
// (which must write nothing), and as a new release that changes every term.
//
//	go test ./plugins/edam -run '^$' -bench Sync -benchtime 5x
func BenchmarkSync(b *testing.B) {
	owl := SharedData(b, "edam/EDAM_1.25.owl")

	b.Run("empty-table", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			app, err := tests.NewTestApp(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			p := newPlugin(app, Config{SourceURL: owl})
			b.StartTimer()
			rep, err := p.sync(context.Background(), syncOptions{})
			b.StopTimer()
			if err != nil || rep.Added != 3471 {
				b.Fatalf("%+v %v", rep, err)
			}
			app.Cleanup()
			b.StartTimer()
		}
	})

	app := testapp.NewBare(b)
	p := newPlugin(app, Config{SourceURL: owl})
	if _, err := p.sync(context.Background(), syncOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			rep, err := p.sync(context.Background(), syncOptions{})
			if err != nil || rep.Writes() != 0 {
				b.Fatalf("a re-sync wrote: %+v %v", rep, err)
			}
		}
	})

	o := ParseFile(b, owl)
	b.Run("every-term-changed", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n++
			o.Version = "1." + strconv.Itoa(25+n)
			rep, err := Apply(context.Background(), app, o, ApplyOptions{})
			if err != nil || rep.Updated+rep.Obsoleted != 3471 {
				b.Fatalf("%+v %v", rep, err)
			}
		}
	})
}

// BenchmarkTypeahead measures the list handler in process (no network),
// with the full ontology loaded; compare with the load test below for the
// cost of HTTP itself.
//
//	go test ./plugins/edam -run '^$' -bench Typeahead
func BenchmarkTypeahead(b *testing.B) {
	app := testapp.NewBare(b)
	if _, err := register(app, nil, Config{Schedule: ScheduleOff, SkipSyncOnEmpty: true}); err != nil {
		b.Fatal(err)
	}
	if _, err := Apply(context.Background(), app, ParseFile(b, SharedData(b, "edam/EDAM_1.25.owl")), ApplyOptions{}); err != nil {
		b.Fatal(err)
	}
	srv := testapp.Server(b, app)
	for _, url := range []string{"/api/v1/edam/?branch=topic&q=prote", "/api/v1/edam/?q=sequence&limit=20", "/api/health"} {
		b.Run(url, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// TestTypeaheadLoad is the performance check of DESIGN.md §12: the
// typeahead query with the full ontology loaded, 50 concurrent clients over
// real HTTP on loopback, against PocketBase's /api/health in the same run.
// It only runs when asked, as it keeps both cores busy:
//
//	EDAM_LOAD_TEST=1 go test ./plugins/edam -run TypeaheadLoad -v
//
// EDAM_LOAD_SECONDS sets each measurement's length (default 5).
func TestTypeaheadLoad(t *testing.T) {
	if os.Getenv("EDAM_LOAD_TEST") == "" {
		t.Skip("load test: set EDAM_LOAD_TEST=1 to run it")
	}
	seconds := 5
	if s, err := strconv.Atoi(os.Getenv("EDAM_LOAD_SECONDS")); err == nil && s > 0 {
		seconds = s
	}
	app := testapp.NewBare(t)
	if _, err := register(app, nil, Config{Schedule: ScheduleOff, SkipSyncOnEmpty: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(context.Background(), app, ParseFile(t, SharedData(t, "edam/EDAM_1.25.owl")), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(testapp.Server(t, app))
	defer server.Close()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConns: 100, MaxIdleConnsPerHost: 100}}

	const clients = 50
	typeahead := server.URL + "/api/v1/edam/?branch=topic&q=prote"
	health := server.URL + "/api/health"
	for _, url := range []string{typeahead, health} {
		load(t, client, url, clients, time.Second) // warm up connections and caches
	}
	// Alternate short rounds so that both endpoints see the same
	// background load (the machine is shared).
	duration := time.Duration(seconds) * time.Second
	const rounds = 5
	var h, e loadgen.Result
	for range rounds {
		h = h.Add(load(t, client, health, clients, duration/rounds))
		e = e.Add(load(t, client, typeahead, clients, duration/rounds))
	}

	t.Logf("%d clients, %s per endpoint in %d alternating rounds, GOMAXPROCS %d", clients, duration, rounds, runtime.GOMAXPROCS(0))
	t.Logf("%-40s %10s %9s %9s", "endpoint", "req/s", "p50", "p99")
	for _, r := range []struct {
		name string
		res  loadgen.Result
	}{{"/api/health", h}, {"/api/v1/edam/?branch=topic&q=prote", e}} {
		t.Logf("%-40s %10.0f %9s %9s", r.name, r.res.Rate(), r.res.Percentile(0.50).Round(10*time.Microsecond), r.res.Percentile(0.99).Round(10*time.Microsecond))
	}
	t.Logf("typeahead / health throughput: %.0f %% (targets: ≥ 3000 req/s, p99 ≤ 25ms, ≥ 40 %%)", 100*e.Rate()/h.Rate())
}

// load sends GET url from n clients for d; any failure fails the test.
func load(t *testing.T, client *http.Client, url string, n int, d time.Duration) loadgen.Result {
	t.Helper()
	res := loadgen.Run(n, d, loadgen.Get(client, url, nil))
	if res.FirstError != nil || len(res.Latencies) == 0 {
		t.Fatalf("%s: %d failed requests, first: %v", url, res.Errors, res.FirstError)
	}
	return res
}
