package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// key_recoveries holds the one-time links of the self-service key recovery
// (hooks/key_recovery.go): only the SHA-256 of each link's secret, when it
// expires and when it was used. No API rules: only the server and
// superusers see it.
func init() {
	m.Register(func(app core.App) error {
		submissions, err := app.FindCollectionByNameOrId("submissions")
		if err != nil {
			return err
		}
		c := core.NewBaseCollection("key_recoveries")
		c.Fields.Add(
			&core.RelationField{Name: "submission", CollectionId: submissions.Id, MaxSelect: 1, Required: true, CascadeDelete: true},
			&core.TextField{Name: "token_hash", Hidden: true, Required: true, Min: 64, Max: 64, Pattern: `^[0-9a-f]{64}$`},
			&core.DateField{Name: "expires_at", Required: true},
			&core.DateField{Name: "used_at"},
			&core.TextField{Name: "requested_ip", Max: 100},
		)
		timestamps(c)
		c.AddIndex("idx_key_recoveries_submission_created", false, "submission, created", "")
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("key_recoveries")
		if err != nil {
			return nil
		}
		return app.Delete(c)
	})
}
