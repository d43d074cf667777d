package pb_migrations_test

import (
	"testing"

	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/pocketbase/core"
)

// TestStaffCollection: office staff log in with email and a long password,
// only while active, and nobody but superusers may read or change them.
func TestStaffCollection(t *testing.T) {
	app := testapp.NewBare(t)
	c, err := app.FindCollectionByNameOrId("staff")
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsAuth() || !c.PasswordAuth.Enabled || c.OAuth2.Enabled || c.AuthRule == nil || *c.AuthRule != "active = true" {
		t.Errorf("auth settings: %+v %v", c.PasswordAuth, c.AuthRule)
	}
	for name, rule := range map[string]*string{"list": c.ListRule, "view": c.ViewRule, "create": c.CreateRule, "update": c.UpdateRule, "delete": c.DeleteRule} {
		if rule != nil {
			t.Errorf("staff %s rule must be superuser-only, got %q", name, *rule)
		}
	}
	if pw, _ := c.Fields.GetByName(core.FieldNamePassword).(*core.PasswordField); pw == nil || pw.Min < 12 {
		t.Error("staff passwords must have at least 12 characters")
	}
	role, _ := c.Fields.GetByName("role").(*core.SelectField)
	if role == nil || !role.Required || len(role.Values) != 2 || role.Values[0] != "reviewer" || role.Values[1] != "manager" {
		t.Errorf("role: %+v", role)
	}

	staff := core.NewRecord(c)
	staff.Load(map[string]any{"email": "r@example.org", "password": "short", "role": "reviewer", "active": true})
	if err := app.Save(staff); err == nil {
		t.Error("a short password was accepted")
	}
}

// TestDashboardLabels: the fields the office works with carry help texts.
func TestDashboardLabels(t *testing.T) {
	app := testapp.NewBare(t)
	submissions, _ := app.FindCollectionByNameOrId("submissions")
	status, _ := submissions.Fields.GetByName("status").(*core.SelectField)
	if status == nil || status.Help == "" || !status.Presentable {
		t.Errorf("submissions.status: %+v", status)
	}
	keys, _ := app.FindCollectionByNameOrId("submission_keys")
	if hash, _ := keys.Fields.GetByName("key_hash").(*core.TextField); hash == nil || hash.Help == "" {
		t.Error("submission_keys.key_hash has no help text")
	}
	outbox, _ := app.FindCollectionByNameOrId("mail_outbox")
	if st, _ := outbox.Fields.GetByName("status").(*core.SelectField); st == nil || st.Help == "" {
		t.Error("mail_outbox.status has no help text")
	}
}
