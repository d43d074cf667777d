package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// fieldLabel is a help text (and optionally the presentable flag) for one
// field that had neither before this migration; down takes both away again.
type fieldLabel struct {
	collection, field, help string
	presentable             bool
}

// dashboardLabels explains fields to the people who curate entries in the
// dashboard (issue 12). Only fields without a help text are listed, so
// down restores the schema exactly. The presentable flags make records
// that point at a submission show its status next to its name.
var dashboardLabels = []fieldLabel{
	{"submissions", "status", "Change it on the Registry page (/_/#/registry): its buttons email the submitter. Any change here is logged too.", true},
	{"submissions", "submission_ip", "Where the registration came from; shown to superusers only.", false},
	{"submissions", "user_agent_hash", "SHA-256 of the browser's User-Agent at registration.", false},
	{"submissions", "date_of_entry", "The day the service entered the registry.", false},
	{"submissions", "service_categories", "At least one category.", false},
	{"submissions", "toolbox_name", "Required when Is Toolbox is on.", false},
	{"submissions", "publications_pmids", "Comma-separated PMIDs or DOIs (at most 50); 1234567 for services without a publication.", false},
	{"submissions", "edam_topics", "EDAM topics (branch topic) describing the service.", false},
	{"submissions", "edam_operations", "EDAM operations (branch operation) the service performs.", false},
	{"submissions", "logo", "PNG, JPEG or SVG; SVGs are cleaned on upload.", false},
	{"submissions", "responsible_pis", "At least one PI; the associated partner entry needs a partner note.", false},
	{"submissions", "associated_partner_note", "Name and affiliation of the associated partner, when that PI entry is chosen.", false},
	{"submissions", "public_contact_email", "An email address or an https:// URL; shown publicly.", false},
	{"submissions", "website_url", "https:// only.", false},
	{"submissions", "terms_of_use_url", "https:// only.", false},
	{"submissions", "license_note", "Required when no SPDX licence applies.", false},
	{"submissions", "github_url", "Must start with https://github.com/.", false},
	{"submissions", "biotools_url", "Must start with https://bio.tools/; the bio.tools record is synced from it.", false},
	{"submissions", "fairsharing_url", "Must start with https://fairsharing.org/.", false},
	{"submissions", "kpi_start_year", "Required unless KPI monitoring is only planned.", false},
	{"submissions", "data_protection_consent", "Given by the submitter when registering.", false},
	{"submissions", "last_change_summary", "Who changed what, last time; written by the registry on every change.", false},
	{"submission_keys", "key_hash", "SHA-256 of the key; the key itself is never stored. Issue keys on the Registry page.", false},
	{"submission_keys", "scope", "read: view the entry; write: view and update it.", false},
	{"submission_keys", "created_by", "submitter, api:<key label>, admin:<email> or system.", false},
	{"admin_keys", "key_hash", "SHA-256 of the key; the key itself is never stored. Create keys with \"registry adminkey create\".", false},
	{"admin_keys", "scope", "read: GET requests only; full: everything.", false},
	{"submission_changes", "changed_by", "submitter (web pages), api:<key label>, admin:<email> (dashboard, Registry page) or system.", false},
	{"submission_deletions", "deleted_by", "admin:<email> or system.", false},
	{"submission_deletions", "changelog_snapshot", "The whole change log at the time of deletion.", false},
	{"biotools_records", "sync_error", "Empty when the last sync worked.", false},
	{"biotools_records", "raw", "The record as bio.tools returned it.", false},
	{"mail_outbox", "status", "Set a failed message back to pending to send it again.", false},
	{"mail_outbox", "attempts", "Delivery attempts so far; retried after 1, 2, 4 … minutes.", false},
	{"edam_terms", "obsolete", "Kept on services that use it; not offered for new selections.", false},
	{"captcha_spent", "signature", "Solved captchas, kept until they expire so that none is used twice.", false},
}

func init() {
	m.Register(func(app core.App) error {
		return applyDashboardLabels(app, true)
	}, func(app core.App) error {
		return applyDashboardLabels(app, false)
	})
}

// applyDashboardLabels sets (up) or clears (down) the help texts and flags.
func applyDashboardLabels(app core.App, up bool) error {
	changed := map[string]*core.Collection{}
	var order []string
	for _, l := range dashboardLabels {
		c, ok := changed[l.collection]
		if !ok {
			found, err := app.FindCollectionByNameOrId(l.collection)
			if err != nil {
				return fmt.Errorf("finding collection %s: %w", l.collection, err)
			}
			c = found
			changed[l.collection] = c
			order = append(order, l.collection)
		}
		field := c.Fields.GetByName(l.field)
		if field == nil {
			return fmt.Errorf("%s has no field %s", l.collection, l.field)
		}
		help, presentable := "", false
		if up {
			help, presentable = l.help, l.presentable
		}
		if err := setHelp(field, help); err != nil {
			return fmt.Errorf("%s.%s: %w", l.collection, l.field, err)
		}
		if l.presentable {
			select_, ok := field.(*core.SelectField)
			if !ok {
				return fmt.Errorf("%s.%s: only select fields are made presentable here", l.collection, l.field)
			}
			select_.Presentable = presentable
		}
	}
	for _, name := range order {
		if err := app.Save(changed[name]); err != nil {
			return fmt.Errorf("labelling %s: %w", name, err)
		}
	}
	return nil
}

// setHelp sets the help text of any field type that has one.
func setHelp(field core.Field, help string) error {
	switch f := field.(type) {
	case *core.TextField:
		f.Help = help
	case *core.SelectField:
		f.Help = help
	case *core.DateField:
		f.Help = help
	case *core.RelationField:
		f.Help = help
	case *core.FileField:
		f.Help = help
	case *core.EmailField:
		f.Help = help
	case *core.URLField:
		f.Help = help
	case *core.BoolField:
		f.Help = help
	case *core.NumberField:
		f.Help = help
	case *core.JSONField:
		f.Help = help
	default:
		return fmt.Errorf("field type %s has no help text", field.Type())
	}
	return nil
}
