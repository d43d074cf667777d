package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// EDAM terms are public reference data (the original served them without
// authentication), so anyone may list and view them through the collection
// API too. Writing stays with superusers and the EDAM sync.
func init() {
	m.Register(func(app core.App) error {
		return setEDAMReadRules(app, ptr(""))
	}, func(app core.App) error {
		return setEDAMReadRules(app, nil)
	})
}

// setEDAMReadRules sets the list and view rules of edam_terms.
func setEDAMReadRules(app core.App, rule *string) error {
	c, err := app.FindCollectionByNameOrId("edam_terms")
	if err != nil {
		return err
	}
	c.ListRule, c.ViewRule = rule, rule
	return app.Save(c)
}
