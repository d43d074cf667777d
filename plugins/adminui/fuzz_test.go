package adminui_test

import (
	"net/http"
	"net/url"
	"testing"
)

// FuzzQueueFilters sends arbitrary search text, filter values and sort keys
// to the queue and the export: every answer is a page (200) or names the
// bad parameter (400), never a server error, and the search never matches
// more than the whole registry.
func FuzzQueueFilters(f *testing.F) {
	for _, seed := range [][4]string{
		{"gamma", "approved", "mature", "-service_name"},
		{"%", "", "", ""},
		{`" || id != "`, "submitted", "none", "status"},
		{"' OR 1=1 --", "", "unstable", "-submitted_at"},
		{`\`, "draft", "", "submitter"},
		{"_\x00\n", "rejected", "legacy", "updated_at"},
		{"{:q}", "", "", "service_center"},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	e := newEnv(f)
	e.submission(f, map[string]any{"service_name": "Gamma Genome DB"})
	e.submission(f, map[string]any{"service_name": "Delta Dashboard"})

	f.Fuzz(func(t *testing.T, q, status, maturity, sort string) {
		query := url.Values{"q": {q}, "status": {status}, "maturity": {maturity}, "sort": {sort}}.Encode()
		for _, path := range []string{"/api/registry/admin/submissions?", "/api/registry/admin/export?format=json&"} {
			res := e.do(t, http.MethodGet, path+query, nil, e.super)
			switch res.Status {
			case 200:
				if path[len(path)-1] == '?' {
					var page queueAnswer
					res.JSON(t, &page)
					if page.TotalItems > 2 {
						t.Fatalf("%q matched %d of 2 services", q, page.TotalItems)
					}
				}
			case 400:
			default:
				t.Fatalf("%s%s: %d %s", path, query, res.Status, res.Body)
			}
		}
	})
}
