package biotools_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/biotools"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/spf13/cobra"
)

// realTools are the saved bio.tools records in ../shared/data/biotools.
var realTools = []string{"blast", "signalp", "comet", "bowtie2", "bwa"}

// sharedDataDir is ../shared/data seen from the repository root.
func sharedDataDir() string {
	return filepath.Join("..", "..", "..", "shared", "data", "biotools")
}

// realTool returns a saved bio.tools record or skips the test.
func realTool(t testing.TB, id string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(sharedDataDir(), id+".json"))
	if err != nil {
		t.Skipf("real bio.tools records not available (%s): %v", sharedDataDir(), err)
	}
	return data
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fakeBiotools is a local stand-in for the bio.tools API. It serves
// testdata/demotool.json as "demotool", the real records when available,
// and per-id behaviours set by the test.
type fakeBiotools struct {
	*httptest.Server
	release chan struct{} // closed at cleanup: hanging handlers return

	mu         sync.Mutex
	tools      map[string][]byte
	behaviour  map[string]http.HandlerFunc
	userAgents []string
	paths      []string
	started    []time.Time
	latency    time.Duration

	requests    atomic.Int64
	inflight    atomic.Int64
	maxInflight atomic.Int64
}

func newFake(t testing.TB) *fakeBiotools {
	t.Helper()
	f := &fakeBiotools{
		release:   make(chan struct{}),
		tools:     map[string][]byte{"demotool": readTestdata(t, "demotool.json")},
		behaviour: map[string]http.HandlerFunc{},
	}
	for _, id := range realTools {
		if data, err := os.ReadFile(filepath.Join(sharedDataDir(), id+".json")); err == nil {
			f.tools[id] = data
		}
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		close(f.release)
		f.Close()
	})
	return f
}

func (f *fakeBiotools) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	n := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		old := f.maxInflight.Load()
		if n <= old || f.maxInflight.CompareAndSwap(old, n) {
			break
		}
	}
	f.mu.Lock()
	f.userAgents = append(f.userAgents, r.Header.Get("User-Agent"))
	f.paths = append(f.paths, r.URL.RequestURI())
	f.started = append(f.started, time.Now())
	latency := f.latency
	f.mu.Unlock()
	if latency > 0 {
		time.Sleep(latency)
	}

	rest, ok := strings.CutPrefix(r.URL.Path, "/api/tool/")
	if !ok || r.URL.Query().Get("format") != "json" {
		http.NotFound(w, r)
		return
	}
	if rest == "" { // search
		f.mu.Lock()
		body := []byte(`{"count": 2, "next": null, "previous": null, "list": [` + string(f.tools["demotool"]) + `, "junk"]}`)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
		return
	}
	id := strings.ToLower(strings.TrimSuffix(rest, "/"))
	f.mu.Lock()
	handler, body := f.behaviour[id], f.tools[id]
	f.mu.Unlock()
	switch {
	case handler != nil:
		handler(w, r)
	case body != nil:
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"detail":"Not found."}`))
	}
}

// path returns the i-th request's path and query.
func (f *fakeBiotools) path(i int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.paths) {
		return ""
	}
	return f.paths[i]
}

// userAgent returns the i-th request's User-Agent.
func (f *fakeBiotools) userAgent(i int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.userAgents) {
		return ""
	}
	return f.userAgents[i]
}

// on sets how the fake answers for one id (nil restores the default).
func (f *fakeBiotools) on(id string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h == nil {
		delete(f.behaviour, id)
	} else {
		f.behaviour[id] = h
	}
}

// hang never answers (until the request is cancelled or the test ends).
func (f *fakeBiotools) hang(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-f.release:
	}
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, http.StatusText(code), code)
	}
}

// env is a registry test app with the bio.tools plugin pointed at a fake.
type env struct {
	app    *tests.TestApp
	plugin *biotools.Plugin
	fake   *fakeBiotools
	ref    testapp.Reference
	root   *cobra.Command
}

func newEnv(t testing.TB, options ...func(*biotools.Config)) *env {
	t.Helper()
	app := apptest.NewCore(t)
	fake := newFake(t)
	cfg := biotools.Config{
		APIURL:            fake.URL + "/api",
		SiteURL:           "https://registry.example.org",
		Timeout:           2 * time.Second,
		RequestsPerSecond: 1000,
		RetryBackoff:      10 * time.Millisecond,
	}
	for _, option := range options {
		option(&cfg)
	}
	root := &cobra.Command{Use: "registry"}
	p, err := biotools.Register(app, root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{app: app, plugin: p, fake: fake, ref: testapp.Seed(t, app), root: root}
}

// submission creates a submission linking to bio.tools (link may be "").
func (e *env) submission(t testing.TB, link string) *core.Record {
	t.Helper()
	record, _ := testapp.CreateSubmission(t, e.app, e.ref, "write", map[string]any{"biotools_url": link})
	return record
}

// setLink saves a new bio.tools link on a submission, as any edit would.
func (e *env) setLink(t testing.TB, submission *core.Record, link string) {
	t.Helper()
	fresh, err := e.app.FindRecordById("submissions", submission.Id)
	if err != nil {
		t.Fatal(err)
	}
	fresh.Set("biotools_url", link)
	if err := e.app.Save(fresh); err != nil {
		t.Fatal(err)
	}
}

// setStatus changes a submission's status in the database directly,
// bypassing the lifecycle hooks that are not under test here.
func (e *env) setStatus(t testing.TB, submissionID, status string) {
	t.Helper()
	_, err := e.app.DB().Update("submissions", dbx.Params{"status": status}, dbx.HashExp{"id": submissionID}).Execute()
	if err != nil {
		t.Fatal(err)
	}
}

// record returns a submission's bio.tools record, or nil.
func (e *env) record(t testing.TB, submissionID string) *core.Record {
	t.Helper()
	records, err := e.app.FindAllRecords(biotools.RecordsCollection, dbx.HashExp{"submission": submissionID})
	if err != nil {
		t.Fatal(err)
	}
	if len(records) == 0 {
		return nil
	}
	return records[0]
}

func run(t testing.TB, root *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}
