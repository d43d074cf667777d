package apidocs_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/apidocs"
)

// BenchmarkRender is the start-up cost of the plugin: parse, resolve and
// write both forms of the document.
func BenchmarkRender(b *testing.B) {
	for b.Loop() {
		if _, err := apidocs.Render(testConfig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchemaJSON serves the JSON document through the router and the
// registry's middleware.
func BenchmarkSchemaJSON(b *testing.B) {
	srv := newServer(b)
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/schema/?format=json", nil))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkCheckContract is what the contract check adds to each API call
// of the test suite: validating one registration (request and answer).
func BenchmarkCheckContract(b *testing.B) {
	created, _ := registered(b)
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(created.method, created.url, bytes.NewReader(created.body))
		req.Header = created.header.Clone()
		if err := testapp.CheckContract(req, created.body, created.res); err != nil {
			b.Fatal(err)
		}
	}
}
