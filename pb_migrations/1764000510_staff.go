package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// staffCollection holds the coordination office's reviewers and managers
// who are not superusers (issue 12, plugins/adminui): they log in at
// /review/ and may only use the Registry page's routes, which check their
// role. Superusers manage them in the dashboard; nobody else can list,
// create or change them. Inactive members cannot log in (auth rule) and
// the routes refuse the tokens they still hold.
const staffCollection = "staff"

func init() {
	m.Register(func(app core.App) error {
		c := core.NewAuthCollection(staffCollection)
		c.ListRule, c.ViewRule, c.CreateRule, c.UpdateRule, c.DeleteRule = nil, nil, nil, nil, nil
		c.AuthRule = ptr("active = true")
		c.PasswordAuth.Enabled = true
		c.PasswordAuth.IdentityFields = []string{core.FieldNameEmail}
		c.OAuth2.Enabled = false
		// email OTP as second factor is switched on at start when SMTP is
		// configured (plugins/adminui)
		c.OTP.Enabled = false
		c.MFA.Enabled = false
		c.AuthToken.Duration = 8 * 3600 // one working day
		if password, ok := c.Fields.GetByName(core.FieldNamePassword).(*core.PasswordField); ok {
			password.Min = 12 // the Django registry's minimum
		}
		c.Fields.Add(
			&core.TextField{Name: "name", Max: 150, Presentable: true, Help: "Shown to colleagues; the change log names the email address."},
			&core.SelectField{Name: "role", Required: true, MaxSelect: 1, Values: []string{"reviewer", "manager"},
				Help: "reviewer: view, change status and maturity tags, export. manager: also API keys and deleting services."},
			&core.BoolField{Name: "active", Help: "Inactive members cannot log in; their open sessions stop working at once."},
		)
		timestamps(c)
		if err := app.Save(c); err != nil {
			return fmt.Errorf("creating collection %s: %w", staffCollection, err)
		}
		return nil
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(staffCollection)
		if err != nil {
			return nil // already gone
		}
		return app.Delete(c)
	})
}
