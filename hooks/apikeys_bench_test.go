package hooks_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
)

// BenchmarkKeyAuth compares the same cheap route with and without an admin
// key, so the difference is the cost of key authentication (hash, indexed
// lookup, constant-time compare).
//
//	go test ./hooks -run '^$' -bench KeyAuth -benchtime 3s
func BenchmarkKeyAuth(b *testing.B) {
	app := apptest.New(b)
	srv := testapp.Server(b, app)
	key := testapp.AdminKey(b, app, apikeys.ScopeRead)

	run := func(b *testing.B, header string) {
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, "/health/live/", nil)
			if header != "" {
				req.Header.Set("Authorization", header)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	}
	b.Run("anonymous", func(b *testing.B) { run(b, "") })
	b.Run("admin-key", func(b *testing.B) { run(b, "AdminKey "+key) })
}
