package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// ruleAnonymous matches callers without any credentials. Anonymous creates
// of submissions are then guarded by the captcha plugin's create hook
// (plugins/captcha), which PocketBase runs after this rule let them through.
const ruleAnonymous = `@request.auth.id = ""`

// Issue 4: anyone may register a service (with a solved captcha); full
// admin keys still may, submission keys still may not.
func init() {
	m.Register(func(app core.App) error {
		return setSubmissionsCreateRule(app, ruleAnonymous+" || "+ruleFullAdminKey)
	}, func(app core.App) error {
		return setSubmissionsCreateRule(app, ruleFullAdminKey)
	})
}

// setSubmissionsCreateRule replaces the create rule of submissions.
func setSubmissionsCreateRule(app core.App, rule string) error {
	submissions, err := app.FindCollectionByNameOrId("submissions")
	if err != nil {
		return fmt.Errorf("finding submissions: %w", err)
	}
	submissions.CreateRule = ptr(rule)
	if err := app.Save(submissions); err != nil {
		return fmt.Errorf("changing the submissions create rule: %w", err)
	}
	return nil
}
