package biotools_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/denbi/service-registry/plugins/biotools"
)

// newTestClient points a client at the fake with fast retries.
func newTestClient(f *fakeBiotools, options ...func(*biotools.Config)) *biotools.Client {
	cfg := biotools.Config{
		APIURL:            f.URL + "/api/",
		SiteURL:           "https://registry.example.org",
		Timeout:           300 * time.Millisecond,
		RequestsPerSecond: 1000,
		RetryBackoff:      5 * time.Millisecond,
	}
	for _, option := range options {
		option(&cfg)
	}
	return biotools.NewClient(cfg)
}

func clientError(t *testing.T, err error) *biotools.Error {
	t.Helper()
	var e *biotools.Error
	if !errors.As(err, &e) {
		t.Fatalf("want a *biotools.Error, got %T %v", err, err)
	}
	return e
}

func TestClientFetchesAToolPolitely(t *testing.T) {
	f := newFake(t)
	tool, err := newTestClient(f).Tool(context.Background(), "DemoTool")
	if err != nil {
		t.Fatal(err)
	}
	if tool.ID != "DemoTool" || len(tool.Functions) != 2 {
		t.Fatalf("got %+v", tool)
	}
	if f.path(0) != "/api/tool/DemoTool/?format=json" {
		t.Errorf("requested %q", f.path(0))
	}
	if ua := f.userAgent(0); !strings.Contains(ua, "de.NBI-Service-Registry") || !strings.Contains(ua, "https://registry.example.org") {
		t.Errorf("User-Agent %q must name the registry and its URL", ua)
	}
}

func TestClientErrors(t *testing.T) {
	huge := bytes.Repeat([]byte(" "), 5<<20)
	for name, tc := range map[string]struct {
		handler  http.HandlerFunc
		kind     biotools.ErrorKind
		attempts int64 // requests the client sends
		mention  string
	}{
		"404 is final": {nil, biotools.KindNotFound, 1, "does not exist (HTTP 404)"},
		"503 is retried": {status(http.StatusServiceUnavailable), biotools.KindUnavailable, 3,
			"HTTP 503 Service Unavailable (3 attempts); it will be retried"},
		"429 is retried":  {status(http.StatusTooManyRequests), biotools.KindUnavailable, 3, "HTTP 429"},
		"400 is final":    {status(http.StatusBadRequest), biotools.KindInvalid, 1, "HTTP 400 Bad Request"},
		"timeout retried": {nil, biotools.KindUnavailable, 3, "no answer within 300ms"},
		"slow body": {func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"name": "`))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, biotools.KindUnavailable, 3, "no answer within 300ms"},
		"invalid JSON is final": {func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<html>maintenance</html>`))
		}, biotools.KindInvalid, 1, "invalid JSON"},
		"not an object": {func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`["a"]`))
		}, biotools.KindInvalid, 1, "not a JSON object"},
		"oversized body": {func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"name":"x",`))
			w.Write(huge)
		}, biotools.KindInvalid, 1, "larger than 4 MiB"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			switch {
			case name == "timeout retried":
				f.on("x", f.hang)
			case tc.handler != nil:
				f.on("x", tc.handler)
			}
			tool, err := newTestClient(f).Tool(context.Background(), "x")
			if err == nil {
				t.Fatalf("want an error, got %+v", tool)
			}
			e := clientError(t, err)
			if e.Kind != tc.kind || !strings.Contains(err.Error(), tc.mention) || !strings.Contains(err.Error(), `"x"`) {
				t.Errorf("kind %d, message %q; want kind %d mentioning %q", e.Kind, err, tc.kind, tc.mention)
			}
			if got := f.requests.Load(); got != tc.attempts {
				t.Errorf("sent %d requests, want %d", got, tc.attempts)
			}
			if errors.Is(err, biotools.ErrNotFound) != (tc.kind == biotools.KindNotFound) {
				t.Error("errors.Is(err, ErrNotFound) must hold exactly for 404s")
			}
		})
	}
}

func TestClientRecoversAfterA5xx(t *testing.T) {
	f := newFake(t)
	var calls atomic.Int64
	f.on("demotool", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			http.Error(w, "oops", http.StatusBadGateway)
			return
		}
		w.Write(readTestdata(t, "demotool.json"))
	})
	tool, err := newTestClient(f).Tool(context.Background(), "demotool")
	if err != nil || tool.Name != "DemoTool" || calls.Load() != 2 {
		t.Fatalf("want success on the second attempt: %v, %d calls", err, calls.Load())
	}
}

func TestClientNeverSendsInvalidIDs(t *testing.T) {
	f := newFake(t)
	c := newTestClient(f)
	for _, id := range []string{"", "..", "a/b", "blast?format=xml", "../../admin", "a b", strings.Repeat("a", 201)} {
		_, err := c.Tool(context.Background(), id)
		if e := clientError(t, err); e.Kind != biotools.KindInvalid {
			t.Errorf("%q: kind %d", id, e.Kind)
		}
	}
	if f.requests.Load() != 0 {
		t.Fatalf("sent %d requests for invalid ids", f.requests.Load())
	}
}

func TestClientHonoursTheContext(t *testing.T) {
	f := newFake(t)
	f.on("x", f.hang)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := newTestClient(f, func(c *biotools.Config) { c.Timeout = time.Minute }).Tool(ctx, "x")
	if err == nil || !strings.Contains(err.Error(), "stopped waiting for an answer (context deadline exceeded)") {
		t.Fatalf("the caller's deadline must end the request: %v", err)
	}
	if f.requests.Load() != 1 {
		t.Fatalf("no retry after the caller's deadline, got %d requests", f.requests.Load())
	}
}

func TestClientRateLimitSpacesRequests(t *testing.T) {
	f := newFake(t)
	c := newTestClient(f, func(c *biotools.Config) { c.RequestsPerSecond = 20 })
	done := make(chan error)
	for range 8 {
		go func() {
			_, err := c.Tool(context.Background(), "demotool")
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	first, last := f.started[0], f.started[0]
	for _, s := range f.started {
		if s.Before(first) {
			first = s
		}
		if s.After(last) {
			last = s
		}
	}
	// 8 requests at 20/s: the last may start no earlier than 7 × 50 ms after the first
	if spread := last.Sub(first); spread < 340*time.Millisecond {
		t.Fatalf("8 requests within %s: the limit of 20/s was not applied", spread)
	}
}

func TestClientSearch(t *testing.T) {
	f := newFake(t)
	tools, err := newTestClient(f).Search(context.Background(), "demo tool")
	if err != nil {
		t.Fatal(err)
	}
	if len(tools) != 1 || tools[0].ID != "DemoTool" {
		t.Fatalf("got %+v", tools)
	}
	if f.path(0) != "/api/tool/?format=json&q=demo+tool" {
		t.Errorf("requested %q", f.path(0))
	}
}
