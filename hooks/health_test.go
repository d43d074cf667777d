package hooks_test

import (
	"net/http"
	"testing"

	"github.com/denbi/service-registry/internal/apptest"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

func TestHealthRoutes(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:            "live",
			Method:          http.MethodGet,
			URL:             "/health/live/",
			ExpectedStatus:  200,
			ExpectedContent: []string{`{"status":"ok","version":"0.0.0-dev"}`},
			TestAppFactory:  apptest.Factory(),
		},
		{
			Name:            "ready",
			Method:          http.MethodGet,
			URL:             "/health/ready/",
			ExpectedStatus:  200,
			ExpectedContent: []string{`{"status":"ok"}`},
			TestAppFactory:  apptest.Factory(),
		},
		{
			Name:               "ready with the database closed",
			Method:             http.MethodGet,
			URL:                "/health/ready/",
			ExpectedStatus:     503,
			ExpectedContent:    []string{`{"status":"degraded"}`},
			NotExpectedContent: []string{"data.db", "checks", "database"},
			TestAppFactory:     apptest.Factory(),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				if err := app.ConcurrentDB().(*dbx.DB).Close(); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
