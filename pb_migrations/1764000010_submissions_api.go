package pb_migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// referenceCollections are the reference data the registration form offers.
var referenceCollections = []string{"categories", "service_centers", "pis"}

// The submissions API: reference data is public while active (the
// registration form lists it); admin keys see inactive rows too, full admin
// keys may change it; nobody but superusers deletes (the compatibility API
// deactivates instead). Submission lists page by (created, id) and
// (updated, id), so those indexes cover the sort.
func init() {
	m.Register(func(app core.App) error {
		submissions, err := app.FindCollectionByNameOrId("submissions")
		if err != nil {
			return err
		}
		submissions.RemoveIndex("idx_submissions_created")
		submissions.RemoveIndex("idx_submissions_updated")
		submissions.AddIndex("idx_submissions_created_id", false, "created, id", "")
		submissions.AddIndex("idx_submissions_updated_id", false, "updated, id", "")
		if err := app.Save(submissions); err != nil {
			return err
		}
		for _, name := range referenceCollections {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.ListRule = ptr("active = true || " + ruleAdminKey)
			c.ViewRule = ptr("active = true || " + ruleAdminKey)
			c.CreateRule = ptr(ruleFullAdminKey)
			c.UpdateRule = ptr(ruleFullAdminKey)
			c.DeleteRule = nil
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		submissions, err := app.FindCollectionByNameOrId("submissions")
		if err != nil {
			return err
		}
		submissions.RemoveIndex("idx_submissions_created_id")
		submissions.RemoveIndex("idx_submissions_updated_id")
		submissions.AddIndex("idx_submissions_created", false, "created", "")
		submissions.AddIndex("idx_submissions_updated", false, "updated", "")
		if err := app.Save(submissions); err != nil {
			return err
		}
		for _, name := range referenceCollections {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.ListRule, c.ViewRule, c.CreateRule, c.UpdateRule, c.DeleteRule = nil, nil, nil, nil, nil
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	})
}
