package adminui_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/denbi/service-registry/internal/testapp"
)

// benchEnv is a registry of n submissions, every tenth with a bio.tools
// record.
func benchEnv(b *testing.B, n int) *env {
	b.Helper()
	e := newEnv(b)
	for i := 0; i < n; i++ {
		rec := testapp.Create(b, e.app, "submissions", testapp.SubmissionData(e.ref, map[string]any{
			"service_name": fmt.Sprintf("Service %04d", i), "responsible_pis": e.ref.PIs, "service_categories": e.ref.Categories,
		}))
		if i%10 == 0 {
			testapp.Create(b, e.app, "biotools_records", map[string]any{"submission": rec.Id, "biotools_id": fmt.Sprintf("tool%d", i)})
		}
	}
	return e
}

// BenchmarkQueuePage measures one page of 30 of the review queue out of
// 1000 submissions, with a search: the related rows load with one query
// per collection, so the cost does not grow with the page's relations.
func BenchmarkQueuePage(b *testing.B) {
	e := benchEnv(b, 1000)
	for _, query := range []string{"", "q=service+09&status=submitted", "biotools=pending&sort=service_name"} {
		b.Run("query="+query, func(b *testing.B) {
			for b.Loop() {
				res := e.do(b, http.MethodGet, "/api/registry/admin/submissions?"+query, nil, e.super)
				if res.Status != 200 {
					b.Fatalf("%d %s", res.Status, res.Body)
				}
			}
		})
	}
}

// BenchmarkExport measures a CSV and a JSON export of 1000 submissions.
func BenchmarkExport(b *testing.B) {
	e := benchEnv(b, 1000)
	for _, format := range []string{"csv", "json"} {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				res := e.do(b, http.MethodGet, "/api/registry/admin/export?format="+format, nil, e.super)
				if res.Status != 200 {
					b.Fatalf("%d %s", res.Status, res.Body)
				}
				b.SetBytes(int64(len(res.Body)))
			}
		})
	}
}
