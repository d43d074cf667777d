package djangoimport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/plugins/djangoimport"
)

// benchDump is the fixture's reference data plus n submissions, each with
// a key and a change-log row.
func benchDump(b *testing.B, n int) *djangoimport.Dump {
	b.Helper()
	var rows []djangoRow
	for _, r := range fixtureRows() {
		if strings.HasPrefix(r.Model, "registry.") || strings.HasPrefix(r.Model, "edam.") || strings.HasPrefix(r.Model, "licenses.") {
			rows = append(rows, r)
		}
	}
	for i := range n {
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", i+1, i+1)
		rows = append(rows,
			djangoRow{"submissions.servicesubmission", id, submissionFields(map[string]any{
				"service_name": fmt.Sprintf("Service %d", i), "service_categories": []any{1, 2},
				"edam_topics": []any{11, 12}, "responsible_pis": []any{piCarberry, piLovelace}, "licenses": []any{1, 2},
			})},
			djangoRow{"submissions.submissionapikey", fmt.Sprintf("%08x-1111-4000-8000-%012x", i+1, i+1), map[string]any{
				"submission": id, "key_hash": apikeys.Hash(id), "label": "Initial key", "created_at": "2023-02-01T09:30:00Z",
				"created_by": "submitter", "is_active": true, "scope": "write", "last_used_at": nil}},
			djangoRow{"submissions.submissionchangelog", 1000 + i, map[string]any{"submission": id, "changed_by": "submitter",
				"changed_at": "2023-03-01T10:00:00Z", "changes": []any{map[string]any{"field": "comments", "label": "Comments", "old": "", "new": "x"}}}},
		)
	}
	raw, err := json.Marshal(rows)
	if err != nil {
		b.Fatal(err)
	}
	dump, err := djangoimport.ReadDump(bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	return dump
}

// BenchmarkImport measures a dry run of 200 submissions into an empty
// registry (the same work as a first import, undone at the end), and a
// re-import of the same 200 that finds nothing to change.
func BenchmarkImport(b *testing.B) {
	const n = 200
	dump := benchDump(b, n)
	rows := float64(dump.Len())

	b.Run("first/dry-run", func(b *testing.B) {
		app := apptest.New(b)
		for b.Loop() {
			rep, err := djangoimport.Import(context.Background(), app, dump, djangoimport.Options{DryRun: true})
			if err != nil || rep.Model("submissions.servicesubmission").Created != n {
				b.Fatalf("%v %v", err, rep)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/rows, "µs/row")
	})
	b.Run("unchanged", func(b *testing.B) {
		app := apptest.New(b)
		if _, err := djangoimport.Import(context.Background(), app, dump, djangoimport.Options{}); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			rep, err := djangoimport.Import(context.Background(), app, dump, djangoimport.Options{})
			if err != nil || rep.Writes() != 0 {
				b.Fatalf("%v %v", err, rep)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/rows, "µs/row")
	})
}
