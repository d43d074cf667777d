package hooks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
)

// BenchmarkAnonymousCreate measures a whole anonymous registration through
// /api/v1 (validation, the submission and its key in one transaction, the
// change summary and the two queued emails), from parallel clients: writes
// serialise in SQLite, so ns/op is the sustained cost per registration.
//
//	go test ./hooks -run '^$' -bench AnonymousCreate -benchtime 3s
func BenchmarkAnonymousCreate(b *testing.B) {
	app := apptest.New(b)
	ref := testapp.Seed(b, app)
	srv := testapp.Server(b, app)
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body, _ := json.Marshal(testapp.V1SubmissionData(ref, map[string]any{
				"service_name": fmt.Sprintf("Benchmark service %d", n.Add(1)),
			}))
			req := httptest.NewRequest(http.MethodPost, "/api/v1/submissions/", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Fatalf("create: %d %s", rec.Code, rec.Body)
			}
		}
	})
}
