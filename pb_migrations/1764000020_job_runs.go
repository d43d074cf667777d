package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// job_runs keeps the last run of every background job (internal/jobruns),
// for the dashboard, "registry crons" and the status commands.
func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("job_runs")
		c.Fields.Add(
			&core.TextField{Name: "job", Required: true, Max: 100, Presentable: true},
			&core.TextField{Name: "trigger", Max: 50},
			&core.DateField{Name: "started_at"},
			&core.DateField{Name: "finished_at"},
			&core.BoolField{Name: "ok"},
			&core.BoolField{Name: "running"},
			&core.TextField{Name: "message", Max: 2000},
			&core.NumberField{Name: "runs", OnlyInt: true, Min: float(0)},
			&core.NumberField{Name: "failures", OnlyInt: true, Min: float(0)},
		)
		timestamps(c)
		c.AddIndex("idx_job_runs_job", true, "job", "")
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("job_runs")
		if err != nil {
			return nil
		}
		return app.Delete(c)
	})
}
