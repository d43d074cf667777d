package hooks_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/pocketbase/core"
)

// BenchmarkSubmissionList compares a page of 20 submissions with every nested
// object through /api/v1 with the same page through the collection API, on
// 10,000 submissions (each with a category, two PIs and two EDAM terms).
//
//	go test ./hooks -run '^$' -bench SubmissionList -benchtime 3s
func BenchmarkSubmissionList(b *testing.B) {
	app := apptest.New(b)
	ref := testapp.Seed(b, app)
	terms := make([]string, 10)
	for i := range terms {
		acc := fmt.Sprintf("topic_%04d", 100+i)
		terms[i] = fmt.Sprint(100100 + i)
		testapp.Create(b, app, "edam_terms", map[string]any{"id": terms[i], "uri": "http://edamontology.org/" + acc,
			"accession": acc, "branch": "topic", "label": fmt.Sprintf("Topic %d", i), "sort_order": 100 + i})
	}
	collection, _ := app.FindCollectionByNameOrId("submissions")
	start := time.Now()
	err := app.RunInTransaction(func(tx core.App) error {
		for i := 0; i < 10000; i++ {
			rec := core.NewRecord(collection)
			rec.Load(testapp.SubmissionData(ref, map[string]any{
				"service_name":    fmt.Sprintf("Service %05d", i),
				"responsible_pis": ref.PIs,
				"edam_topics":     []string{terms[i%10], terms[(i+3)%10]},
			}))
			if err := tx.SaveNoValidate(rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded 10,000 submissions in %s", time.Since(start).Round(time.Millisecond))
	srv := testapp.Server(b, app)
	key := testapp.AdminKey(b, app, "read")

	for _, c := range []struct{ name, url string }{
		{"v1", "/api/v1/submissions/?page=3"},
		{"collection", "/api/collections/submissions/records?page=3&perPage=20&sort=-created&skipTotal=0"},
	} {
		b.Run(c.name, func(b *testing.B) {
			queries := countQueries(app, func() { serve(b, srv, c.url, key) })
			b.ReportMetric(float64(queries), "queries/req")
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					serve(b, srv, c.url, key)
				}
			})
		})
	}
}

func serve(b *testing.B, srv http.Handler, url, key string) {
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "AdminKey "+key)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Service ") {
		b.Fatalf("%s: %d %.200s", url, rec.Code, rec.Body)
	}
}
