package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The SPDX license list is public reference data: the registration form's
// license picker reads it anonymously through the collection API
// (list and view only; writes stay with superusers and the sync).
func init() {
	m.Register(func(app core.App) error {
		return setLicensesReadRules(app, ptr(""))
	}, func(app core.App) error {
		return setLicensesReadRules(app, nil)
	})
}

func setLicensesReadRules(app core.App, rule *string) error {
	c, err := app.FindCollectionByNameOrId("licenses")
	if err != nil {
		return err
	}
	c.ListRule, c.ViewRule = rule, rule
	return app.Save(c)
}
