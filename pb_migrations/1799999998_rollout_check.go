//go:build rollouttest

package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Built only with -tags rollouttest: the "next version" of the rollout
// integration test (rollout/), a migration that adds a collection, so the
// test can watch an upgrade apply it and "migrate down" revert it.
func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("rollout_checks")
		c.Fields.Add(&core.TextField{Name: "note"})
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("rollout_checks")
		if err != nil {
			return nil
		}
		return app.Delete(c)
	})
}
