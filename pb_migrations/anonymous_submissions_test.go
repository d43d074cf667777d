package pb_migrations_test

import (
	"testing"

	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/pocketbase/core"
)

const (
	fullAdminKeyRule = `(@request.auth.collectionName = "admin_keys" && @request.auth.active = true && @request.auth.scope = "full")`
	anonymousOrFull  = `@request.auth.id = "" || ` + fullAdminKeyRule
)

// The captcha plugin guards anonymous creates, but PocketBase checks the
// create rule first: the rule has to let anonymous callers through.
func TestAnonymousSubmissionsMigration(t *testing.T) {
	app := testapp.NewBare(t)
	rule := func() string {
		t.Helper()
		c, err := app.FindCollectionByNameOrId("submissions")
		if err != nil || c.CreateRule == nil {
			t.Fatalf("submissions create rule: %v", err)
		}
		return *c.CreateRule
	}
	if got := rule(); got != anonymousOrFull {
		t.Fatalf("create rule after migrating up:\n%s\nwant\n%s", got, anonymousOrFull)
	}

	var migration *core.Migration
	for _, m := range core.AppMigrations.Items() {
		if m.File == "1764000300_anonymous_submissions.go" {
			migration = m
		}
	}
	if migration == nil {
		t.Fatal("migration 1764000300_anonymous_submissions.go not registered")
	}
	if err := migration.Down(app); err != nil {
		t.Fatal(err)
	}
	if got := rule(); got != fullAdminKeyRule {
		t.Fatalf("down must restore the full-admin-key rule, got %s", got)
	}
	if err := migration.Up(app); err != nil {
		t.Fatal(err)
	}
	if got := rule(); got != anonymousOrFull {
		t.Fatalf("up again: %s", got)
	}
}
