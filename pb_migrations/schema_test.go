package pb_migrations_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/pocketbase/core"
)

// expected lists every collection of DESIGN.md §3 with indexes it must have.
var expected = map[string][]string{
	"submissions":          {"idx_submissions_status", "idx_submissions_created_id", "idx_submissions_status_updated", "idx_submissions_service_center"},
	"submission_keys":      {"idx_submission_keys_key_hash"},
	"admin_keys":           {"idx_admin_keys_key_hash"},
	"categories":           {"idx_categories_name"},
	"service_centers":      {"idx_service_centers_full_name"},
	"pis":                  {"idx_pis_name"},
	"edam_terms":           {"idx_edam_terms_uri", "idx_edam_terms_accession", "idx_edam_terms_branch_obsolete"},
	"licenses":             {"idx_licenses_license_id"},
	"biotools_records":     {"idx_biotools_records_submission"},
	"submission_changes":   {"idx_submission_changes_submission_created"},
	"submission_deletions": {"idx_submission_deletions_submission_id"},
	"mail_outbox":          {"idx_mail_outbox_status_next"},
	"captcha_spent":        {"idx_captcha_spent_signature"},
}

func TestEveryCollectionExistsWithIndexes(t *testing.T) {
	app := testapp.NewBare(t)
	for name, indexes := range expected {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Errorf("collection %s missing", name)
			continue
		}
		for _, field := range []string{"created", "updated"} {
			if c.Fields.GetByName(field) == nil {
				t.Errorf("%s has no %s field", name, field)
			}
		}
		all := strings.Join(c.Indexes, "\n")
		for _, idx := range indexes {
			if !strings.Contains(all, idx) {
				t.Errorf("%s lacks index %s", name, idx)
			}
		}
	}
}

func TestRulesStartRestrictive(t *testing.T) {
	app := testapp.NewBare(t)

	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	if users.ListRule != nil || users.ViewRule != nil || users.CreateRule != nil || users.UpdateRule != nil || users.DeleteRule != nil {
		t.Fatal("the users collection must be locked down")
	}
	if users.PasswordAuth.Enabled {
		t.Fatal("users must not be able to log in")
	}

	sub, _ := app.FindCollectionByNameOrId("submissions")
	if sub.ListRule == nil || !strings.Contains(*sub.ListRule, `"admin_keys"`) || strings.Contains(*sub.ListRule, "submission_keys") {
		t.Fatalf("submissions list must be admin keys only: %v", sub.ListRule)
	}
	if sub.ViewRule == nil || !strings.Contains(*sub.ViewRule, "@request.auth.submission = id") {
		t.Fatalf("submissions view must allow the owner key: %v", sub.ViewRule)
	}
	if sub.UpdateRule == nil || !strings.Contains(*sub.UpdateRule, `@request.auth.scope = "write"`) || !strings.Contains(*sub.UpdateRule, `@request.auth.scope = "full"`) {
		t.Fatalf("submissions update must need write or full scope: %v", sub.UpdateRule)
	}
	if sub.DeleteRule != nil {
		t.Fatal("only superusers may delete submissions")
	}

	for _, name := range []string{"submission_keys", "admin_keys", "submission_changes", "submission_deletions", "mail_outbox", "captcha_spent", "biotools_records"} {
		c, _ := app.FindCollectionByNameOrId(name)
		for rule, value := range map[string]*string{"list": c.ListRule, "view": c.ViewRule, "create": c.CreateRule, "update": c.UpdateRule, "delete": c.DeleteRule} {
			if value != nil {
				t.Errorf("%s %s rule must start superuser-only, got %q", name, rule, *value)
			}
		}
	}

	for _, name := range []string{"submission_keys", "admin_keys"} {
		c, _ := app.FindCollectionByNameOrId(name)
		if c.PasswordAuth.Enabled || c.OTP.Enabled || c.OAuth2.Enabled {
			t.Errorf("%s must not allow password, OTP or OAuth2 login", name)
		}
		if f, _ := c.Fields.GetByName("key_hash").(*core.TextField); f == nil || !f.Hidden {
			t.Errorf("%s.key_hash must be hidden", name)
		}
	}
}

// schema returns every collection as JSON without timestamps.
func schema(t *testing.T, app core.App) map[string]string {
	t.Helper()
	collections, err := app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range collections {
		raw, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "created")
		delete(m, "updated")
		normalized, _ := json.Marshal(m)
		out[c.Name] = string(normalized)
	}
	return out
}

func TestMigrateDownThenUpRestoresTheSchema(t *testing.T) {
	app := testapp.NewBare(t)
	before := schema(t, app)

	runner := core.NewMigrationsRunner(app, core.AppMigrations)
	reverted, err := runner.Down(len(core.AppMigrations.Items()))
	if err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	if len(reverted) != len(core.AppMigrations.Items()) {
		t.Fatalf("reverted %d of %d migrations", len(reverted), len(core.AppMigrations.Items()))
	}
	for name := range expected {
		if _, err := app.FindCollectionByNameOrId(name); err == nil {
			t.Errorf("%s still exists after migrate down", name)
		}
	}
	users, _ := app.FindCollectionByNameOrId("users")
	if users.CreateRule == nil || *users.CreateRule != "" {
		t.Error("migrate down must restore the users collection's default rules")
	}

	if _, err := runner.Up(); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	after := schema(t, app)
	if len(after) != len(before) {
		t.Fatalf("collection count changed: %d → %d", len(before), len(after))
	}
	for name, def := range before {
		if after[name] != def {
			t.Errorf("collection %s differs after down+up:\nbefore %s\nafter  %s", name, def, after[name])
		}
	}
}
