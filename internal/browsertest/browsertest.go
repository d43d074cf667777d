// Package browsertest drives the registry's real pages in headless Chromium
// (Debian's chromium package, installed by .ci/run) for end-to-end tests:
// it starts the real binary, opens tabs that record console errors and
// every request, and saves screenshots under test-output/screenshots.
//
// Example usage:
//
//	srv := browsertest.StartServer(t, nil)
//	page := browsertest.NewPage(t)
//	page.Run(t, chromedp.Navigate(srv.URL+"/register/"))
//	title := browsertest.Value(t, page, chromedp.Text(chromedp.CSS("h1")))
//	page.Screenshot(t, "register-desktop")
//	page.AssertClean(t, srv.URL)
package browsertest

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// RequireEnv makes a missing Chromium a test failure instead of a skip;
// .ci/run sets it, so CI never passes without running the browser tests.
const RequireEnv = "BROWSER_TESTS_REQUIRED"

// chromiumPaths are where Debian and others install the browser.
var chromiumPaths = []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}

// findChromium returns the browser binary or skips (fails under RequireEnv).
func findChromium(t testing.TB) string {
	t.Helper()
	for _, p := range chromiumPaths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("Chromium is not installed (looked in %v); install the chromium package", chromiumPaths)
	}
	t.Skipf("Chromium is not installed (looked in %v): skipping the browser test; apt-get install chromium", chromiumPaths)
	return ""
}

// Page is one browser tab that records what happens in it.
type Page struct {
	ctx context.Context

	mu       sync.Mutex
	console  []string
	requests []string
}

// NewPage starts a headless Chromium with a fresh profile and opens a tab.
// Both close when the test ends.
func NewPage(t testing.TB) *Page {
	t.Helper()
	path := findChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.WindowSize(1280, 900),
	}
	p := &Page{}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithListener(p.listen))
	p.ctx = ctx
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})

	messages := chromedp.Console(ctx)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			switch {
			case m.IsException(), m.Type == chromedp.ConsoleType("error"), m.Type == chromedp.ConsoleType("assert"):
				p.record(&p.console, m.String()+at(m))
			}
		}
	}()
	return p
}

// at names where a console message came from.
func at(m chromedp.ConsoleMessage) string {
	if m.URL == "" {
		return ""
	}
	return " (" + m.URL + ")"
}

// listen runs in the tab's event loop: it must return fast.
func (p *Page) listen(ev any) {
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		p.record(&p.requests, e.Request.URL)
	case *network.EventLoadingFailed:
		if !e.Canceled {
			p.record(&p.console, "failed request: "+e.ErrorText)
		}
	}
}

func (p *Page) record(list *[]string, s string) {
	p.mu.Lock()
	*list = append(*list, s)
	p.mu.Unlock()
}

// Context is the tab's context, for chromedp calls the helpers do not cover,
// such as reading values: chromedp.Run(page.Context(), chromedp.Text(...)).
func (p *Page) Context() context.Context { return p.ctx }

// Run executes browser actions with a time limit, failing the test on error.
func (p *Page) Run(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browser: %v (console: %v)", err, p.ConsoleErrors())
	}
}

// Value runs one action that returns a value, failing the test on error.
func Value[T any](t testing.TB, p *Page, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("browser: %v (console: %v)", err, p.ConsoleErrors())
	}
	return v
}

// ConsoleErrors returns the console errors, exceptions and failed requests so far.
func (p *Page) ConsoleErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.console...)
}

// Requests returns every URL the tab requested so far.
func (p *Page) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// OffOrigin returns the requested URLs that did not go to origin (data: and
// blob: URLs are local and allowed).
func (p *Page) OffOrigin(origin string) []string {
	base, _ := url.Parse(origin)
	var out []string
	for _, r := range p.Requests() {
		u, err := url.Parse(r)
		if err != nil {
			out = append(out, r)
			continue
		}
		switch u.Scheme {
		case "data", "blob", "about":
			continue
		}
		if u.Host != base.Host || u.Scheme != base.Scheme {
			out = append(out, r)
		}
	}
	return out
}

// AssertClean fails the test when the page logged errors (including CSP
// violations) or requested anything from another origin.
func (p *Page) AssertClean(t testing.TB, origin string) {
	t.Helper()
	time.Sleep(300 * time.Millisecond) // console messages arrive asynchronously
	if errs := p.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("the page logged errors:\n  %s", strings.Join(errs, "\n  "))
	}
	if off := p.OffOrigin(origin); len(off) > 0 {
		t.Errorf("the page requested other origins:\n  %s", strings.Join(off, "\n  "))
	}
}

// Screenshot saves a full-page PNG as test-output/screenshots/<name>.png.
func (p *Page) Screenshot(t testing.TB, name string) string {
	t.Helper()
	png := Value(t, p, chromedp.FullScreenshot(100)) // 100 = lossless PNG
	dir := filepath.Join(RepoRoot(t), "test-output", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return path
}

// SetViewport resizes the tab, e.g. 375×812 for a phone.
func (p *Page) SetViewport(t testing.TB, width, height int64) {
	t.Helper()
	p.Run(t, chromedp.EmulateViewport(width, height))
}

// RepoRoot is the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("not inside the module")
	}
	return filepath.Dir(gomod)
}
