// Package testapp builds migrated PocketBase test apps with fixtures written
// in Go, a small HTTP client for tests that send several requests to the same
// app (which checks every API response against the published OpenAPI
// document), a local SMTP sink and a captcha solver. It imports none of the
// registry's hooks or plugins but plugins/apidocs, for the document, which
// itself imports no hooks or plugins; so any package's tests may use it.
// Apps wired like the binary come from internal/apptest.
package testapp

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	_ "github.com/denbi/service-registry/pb_migrations"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// NewBare returns a migrated app without the registry's hooks, for tests of
// packages that hooks itself depends on.
func NewBare(t testing.TB) *tests.TestApp {
	t.Helper()
	app, err := tests.NewTestApp(t.TempDir())
	if err != nil {
		t.Fatalf("creating test app: %v", err)
	}
	t.Cleanup(app.Cleanup)
	return app
}

// Server builds the app's router once (running every OnServe hook, as
// "serve" does) and returns a handler for many requests.
func Server(t testing.TB, app core.App) http.Handler {
	t.Helper()
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	var handler http.Handler
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: router}, func(e *core.ServeEvent) error {
		var buildErr error
		handler, buildErr = e.Router.BuildMux()
		return buildErr
	})
	if err != nil {
		t.Fatal(err)
	}
	return handler
}

// Response is a recorded HTTP response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v and fails the test when it is not JSON.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not JSON (%v): %s", err, r.Body)
	}
}

// Map decodes a JSON object body.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends one request. body may be nil, a string, []byte or any value to be
// encoded as JSON. Headers are "Name: value" strings.
//
// A response to an API path of the published OpenAPI document is checked
// against it (see CheckContract); a mismatch fails the test.
func Do(t testing.TB, h http.Handler, method, url string, body any, headers ...string) *Response {
	t.Helper()
	var raw []byte
	contentType := ""
	switch b := body.(type) {
	case nil:
	case string:
		raw, contentType = []byte(b), "application/json"
	case []byte:
		raw, contentType = b, "application/json"
	default:
		encoded, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		raw, contentType = encoded, "application/json"
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, url, reader)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	sent := req.Header.Clone()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	checkContract(t, method, url, sent, raw, res)
	return res
}
