package pb_migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Access rules shared by the collections below. Keys authenticate in Go
// (hooks/apikeys.go) and become @request.auth; these rules decide what a key
// may do. Only active keys ever become @request.auth, the "active" checks are
// defence in depth.
const (
	ruleOwnerKey      = `(@request.auth.collectionName = "submission_keys" && @request.auth.active = true && @request.auth.submission = id)`
	ruleOwnerWriteKey = `(@request.auth.collectionName = "submission_keys" && @request.auth.active = true && @request.auth.scope = "write" && @request.auth.submission = id)`
	ruleAdminKey      = `(@request.auth.collectionName = "admin_keys" && @request.auth.active = true)`
	ruleFullAdminKey  = `(@request.auth.collectionName = "admin_keys" && @request.auth.active = true && @request.auth.scope = "full")`
)

// registryCollections lists the collections of this migration in creation
// order (relations point backwards); down deletes them in reverse.
var registryCollections = []string{
	"categories", "service_centers", "pis", "edam_terms", "licenses",
	"submissions", "submission_keys", "admin_keys", "biotools_records",
	"submission_changes", "submission_deletions", "mail_outbox", "captcha_spent",
}

func init() {
	m.Register(func(app core.App) error {
		if err := lockDownUsers(app); err != nil {
			return err
		}
		ids := map[string]string{}
		for _, build := range []func(app core.App, ids map[string]string) *core.Collection{
			categoriesCollection, serviceCentersCollection, pisCollection, edamTermsCollection,
			licensesCollection, submissionsCollection, submissionKeysCollection, adminKeysCollection,
			biotoolsRecordsCollection, submissionChangesCollection, submissionDeletionsCollection,
			mailOutboxCollection, captchaSpentCollection,
		} {
			c := build(app, ids)
			if err := app.Save(c); err != nil {
				return fmt.Errorf("creating collection %s: %w", c.Name, err)
			}
			ids[c.Name] = c.Id
			if c.Name == "edam_terms" {
				// the parent relation points at the collection itself
				c.Fields.Add(&core.RelationField{Name: "parent", CollectionId: c.Id, MaxSelect: 1})
				if err := app.Save(c); err != nil {
					return fmt.Errorf("adding edam_terms.parent: %w", err)
				}
			}
		}
		return nil
	}, func(app core.App) error {
		for i := len(registryCollections) - 1; i >= 0; i-- {
			c, err := app.FindCollectionByNameOrId(registryCollections[i])
			if err != nil {
				continue // already gone
			}
			if err := app.Delete(c); err != nil {
				return fmt.Errorf("deleting collection %s: %w", c.Name, err)
			}
		}
		return restoreUsers(app)
	})
}

// lockDownUsers closes PocketBase's default "users" collection: the registry
// has no end-user accounts, so nobody may sign up or read it.
func lockDownUsers(app core.App) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return nil // removed by an operator: nothing to lock
	}
	users.ListRule, users.ViewRule, users.CreateRule, users.UpdateRule, users.DeleteRule = nil, nil, nil, nil, nil
	users.PasswordAuth.Enabled = false
	users.OAuth2.Enabled = false
	users.OTP.Enabled = false
	return app.Save(users)
}

// restoreUsers puts back PocketBase's default rules on "users".
func restoreUsers(app core.App) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return nil
	}
	owner := "id = @request.auth.id"
	users.ListRule, users.ViewRule, users.UpdateRule, users.DeleteRule = ptr(owner), ptr(owner), ptr(owner), ptr(owner)
	users.CreateRule = ptr("")
	users.PasswordAuth.Enabled = true
	return app.Save(users)
}

func categoriesCollection(core.App, map[string]string) *core.Collection {
	c := core.NewBaseCollection("categories")
	useIntegerIDs(c)
	c.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 100, Presentable: true,
			Help: "Shown as a choice in the registration form."},
		&core.BoolField{Name: "active", Help: "Inactive categories are hidden from the form but kept on existing services."},
	)
	timestamps(c)
	c.AddIndex("idx_categories_name", true, "name COLLATE NOCASE", "")
	return c
}

func serviceCentersCollection(core.App, map[string]string) *core.Collection {
	c := core.NewBaseCollection("service_centers")
	useUUIDs(c)
	c.Fields.Add(
		&core.TextField{Name: "short_name", Required: true, Max: 50, Presentable: true},
		&core.TextField{Name: "full_name", Required: true, Max: 300, Presentable: true},
		&core.URLField{Name: "website"},
		&core.BoolField{Name: "active", Help: "Inactive centres are hidden from the form but kept on existing services."},
	)
	timestamps(c)
	c.AddIndex("idx_service_centers_full_name", false, "full_name", "")
	return c
}

func pisCollection(core.App, map[string]string) *core.Collection {
	c := core.NewBaseCollection("pis")
	useUUIDs(c)
	c.Fields.Add(
		&core.TextField{Name: "last_name", Required: true, Max: 100, Presentable: true},
		&core.TextField{Name: "first_name", Required: true, Max: 100, Presentable: true},
		&core.EmailField{Name: "email", Help: "Never shown publicly."},
		&core.TextField{Name: "institute", Max: 200},
		&core.TextField{Name: "orcid", Max: 30, Help: "Format 0000-0000-0000-0000; the checksum is verified."},
		&core.BoolField{Name: "active"},
		&core.BoolField{Name: "is_associated_partner",
			Help: "Marks the generic \"Associated partner\" entry: choosing it requires a partner note."},
	)
	timestamps(c)
	c.AddIndex("idx_pis_name", false, "last_name, first_name", "")
	return c
}

func edamTermsCollection(core.App, map[string]string) *core.Collection {
	c := core.NewBaseCollection("edam_terms")
	useIntegerIDs(c)
	c.Fields.Add(
		&core.TextField{Name: "uri", Required: true, Max: 200},
		&core.TextField{Name: "accession", Required: true, Max: 40, Presentable: true},
		&core.SelectField{Name: "branch", Required: true, MaxSelect: 1,
			Values: []string{"topic", "operation", "data", "format", "identifier"}},
		&core.TextField{Name: "label", Required: true, Max: 200, Presentable: true},
		&core.TextField{Name: "definition", Max: 10000},
		&core.JSONField{Name: "synonyms", MaxSize: 64 << 10},
		&core.BoolField{Name: "obsolete"},
		&core.NumberField{Name: "sort_order", OnlyInt: true, Min: float(0)},
		&core.TextField{Name: "edam_version", Max: 40},
	)
	timestamps(c)
	c.AddIndex("idx_edam_terms_uri", true, "uri", "")
	c.AddIndex("idx_edam_terms_accession", true, "accession", "")
	c.AddIndex("idx_edam_terms_branch_obsolete", false, "branch, obsolete, sort_order", "")
	c.AddIndex("idx_edam_terms_label", false, "label", "")
	return c
}

func licensesCollection(core.App, map[string]string) *core.Collection {
	c := core.NewBaseCollection("licenses")
	c.Fields.Add(
		&core.TextField{Name: "license_id", Required: true, Max: 80, Presentable: true},
		&core.TextField{Name: "name", Required: true, Max: 200, Presentable: true},
		&core.URLField{Name: "reference_url"},
		&core.JSONField{Name: "see_also", MaxSize: 64 << 10},
		&core.BoolField{Name: "osi_approved"},
		&core.BoolField{Name: "fsf_libre"},
		&core.BoolField{Name: "deprecated", Help: "Hidden from new selections; kept on services that already use it."},
		&core.TextField{Name: "spdx_version", Max: 20},
	)
	timestamps(c)
	c.AddIndex("idx_licenses_license_id", true, "license_id", "")
	c.AddIndex("idx_licenses_deprecated_name", false, "deprecated, name", "")
	return c
}

func submissionsCollection(_ core.App, ids map[string]string) *core.Collection {
	c := core.NewBaseCollection("submissions")
	useUUIDs(c)
	c.ViewRule = ptr(ruleOwnerKey + " || " + ruleAdminKey)
	c.ListRule = ptr(ruleAdminKey)
	c.UpdateRule = ptr(ruleOwnerWriteKey + " || " + ruleFullAdminKey)
	c.CreateRule = ptr(ruleFullAdminKey)
	c.DeleteRule = nil

	c.Fields.Add(
		// lifecycle (server-managed)
		&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
			Values: []string{"draft", "submitted", "under_review", "approved", "rejected", "deprecated"}},
		&core.SelectField{Name: "primary_maturity_tag", MaxSelect: 1, Values: []string{"mature", "emerging", "legacy"},
			Help: "Only on approved services; cleared when a service leaves approved."},
		&core.JSONField{Name: "secondary_maturity_tags", MaxSize: 1024,
			Help: `List of secondary tags, e.g. ["unstable"]. Only on approved services.`},
		&core.TextField{Name: "submission_ip", Hidden: true, Max: 45},
		&core.TextField{Name: "user_agent_hash", Hidden: true, Max: 64},

		// A. general
		&core.DateField{Name: "date_of_entry", Required: true},
		&core.TextField{Name: "submitter_first_name", Max: 100},
		&core.TextField{Name: "submitter_last_name", Max: 100},
		&core.TextField{Name: "submitter_affiliation", Max: 300},
		&core.BoolField{Name: "register_as_elixir"},

		// B. service master data
		&core.TextField{Name: "service_name", Required: true, Max: 300, Presentable: true},
		&core.TextField{Name: "service_description", Required: true, Max: 5000},
		&core.NumberField{Name: "year_established", Required: true, OnlyInt: true},
		&core.RelationField{Name: "service_categories", CollectionId: ids["categories"], MaxSelect: 100, Required: true},
		&core.BoolField{Name: "is_toolbox"},
		&core.TextField{Name: "toolbox_name", Max: 200},
		&core.TextField{Name: "user_knowledge_required", Max: 5000},
		&core.TextField{Name: "publications_pmids", Required: true, Max: 5000},
		&core.RelationField{Name: "edam_topics", CollectionId: ids["edam_terms"], MaxSelect: 100},
		&core.RelationField{Name: "edam_operations", CollectionId: ids["edam_terms"], MaxSelect: 100},
		&core.FileField{Name: "logo", MaxSelect: 1, MaxSize: 10 << 20,
			MimeTypes: []string{"image/png", "image/jpeg", "image/svg+xml"}},

		// C. responsibilities
		&core.RelationField{Name: "responsible_pis", CollectionId: ids["pis"], MaxSelect: 100, Required: true},
		&core.TextField{Name: "associated_partner_note", Max: 5000},
		&core.TextField{Name: "host_institute", Required: true, Max: 300},
		&core.RelationField{Name: "service_center", CollectionId: ids["service_centers"], MaxSelect: 1, Required: true},
		&core.TextField{Name: "public_contact_email", Required: true, Max: 2000},
		&core.TextField{Name: "internal_contact_name", Required: true, Max: 200,
			Help: "Write-only: never returned by the API."},
		&core.EmailField{Name: "internal_contact_email", Required: true,
			Help: "Write-only: never returned by the API."},

		// D. links
		&core.URLField{Name: "website_url", Required: true},
		&core.URLField{Name: "terms_of_use_url", Required: true},
		&core.RelationField{Name: "licenses", CollectionId: ids["licenses"], MaxSelect: 100},
		&core.TextField{Name: "license_note", Max: 200},
		&core.URLField{Name: "github_url"},
		&core.URLField{Name: "biotools_url"},
		&core.URLField{Name: "fairsharing_url"},
		&core.URLField{Name: "other_registry_url"},

		// E. KPIs
		&core.SelectField{Name: "kpi_monitoring", Required: true, MaxSelect: 1, Values: []string{"yes", "planned"}},
		&core.TextField{Name: "kpi_start_year", Max: 100},

		// F. discoverability
		&core.TextField{Name: "keywords_uncited", Max: 5000},
		&core.TextField{Name: "keywords_seo", Max: 5000},
		&core.BoolField{Name: "survey_participation"},
		&core.TextField{Name: "comments", Max: 5000},

		// G. consent
		&core.BoolField{Name: "data_protection_consent"},

		&core.JSONField{Name: "last_change_summary", Hidden: true, MaxSize: 1 << 20},
	)
	timestamps(c)
	c.AddIndex("idx_submissions_status", false, "status", "")
	c.AddIndex("idx_submissions_created", false, "created", "")
	c.AddIndex("idx_submissions_updated", false, "updated", "")
	c.AddIndex("idx_submissions_status_created", false, "status, created", "")
	c.AddIndex("idx_submissions_status_updated", false, "status, updated", "")
	c.AddIndex("idx_submissions_service_center", false, "service_center", "")
	c.AddIndex("idx_submissions_primary_maturity_tag", false, "primary_maturity_tag", "")
	c.AddIndex("idx_submissions_register_as_elixir", false, "register_as_elixir", "")
	c.AddIndex("idx_submissions_year_established", false, "year_established", "")
	return c
}

func submissionKeysCollection(_ core.App, ids map[string]string) *core.Collection {
	c := keyCollection("submission_keys")
	c.Fields.Add(
		&core.RelationField{Name: "submission", CollectionId: ids["submissions"], MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.TextField{Name: "key_hash", Hidden: true, Required: true, Min: 64, Max: 64, Pattern: `^[0-9a-f]{64}$`},
		&core.TextField{Name: "label", Max: 100, Presentable: true},
		&core.SelectField{Name: "scope", Required: true, MaxSelect: 1, Values: []string{"read", "write"}},
		&core.BoolField{Name: "active", Help: "Revoked keys stay for the audit trail."},
		&core.DateField{Name: "last_used_at"},
		&core.TextField{Name: "created_by", Max: 150},
	)
	timestamps(c)
	c.AddIndex("idx_submission_keys_key_hash", true, "key_hash", "")
	c.AddIndex("idx_submission_keys_submission", false, "submission", "")
	return c
}

func adminKeysCollection(core.App, map[string]string) *core.Collection {
	c := keyCollection("admin_keys")
	c.Fields.Add(
		&core.TextField{Name: "label", Required: true, Max: 100, Presentable: true},
		&core.TextField{Name: "key_hash", Hidden: true, Required: true, Min: 64, Max: 64, Pattern: `^[0-9a-f]{64}$`},
		&core.SelectField{Name: "scope", Required: true, MaxSelect: 1, Values: []string{"read", "full"}},
		&core.BoolField{Name: "active"},
		&core.DateField{Name: "last_used_at"},
		&core.TextField{Name: "created_by", Max: 150},
	)
	timestamps(c)
	c.AddIndex("idx_admin_keys_key_hash", true, "key_hash", "")
	return c
}

func biotoolsRecordsCollection(_ core.App, ids map[string]string) *core.Collection {
	c := core.NewBaseCollection("biotools_records")
	useUUIDs(c)
	c.Fields.Add(
		&core.RelationField{Name: "submission", CollectionId: ids["submissions"], MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.TextField{Name: "biotools_id", Required: true, Max: 200, Presentable: true},
		&core.TextField{Name: "name", Max: 200},
		&core.TextField{Name: "description", Max: 10000},
		&core.TextField{Name: "homepage", Max: 2000},
		&core.TextField{Name: "version", Max: 200},
		&core.TextField{Name: "license", Max: 100},
		&core.TextField{Name: "maturity", Max: 50},
		&core.TextField{Name: "cost", Max: 50},
		&core.JSONField{Name: "tool_type", MaxSize: 64 << 10},
		&core.JSONField{Name: "operating_system", MaxSize: 64 << 10},
		&core.JSONField{Name: "edam_topic_uris", MaxSize: 64 << 10},
		&core.JSONField{Name: "functions", MaxSize: 1 << 20},
		&core.JSONField{Name: "publications", MaxSize: 1 << 20},
		&core.JSONField{Name: "documentation", MaxSize: 256 << 10},
		&core.JSONField{Name: "download", MaxSize: 256 << 10},
		&core.JSONField{Name: "links", MaxSize: 256 << 10},
		&core.JSONField{Name: "raw", MaxSize: 4 << 20},
		&core.DateField{Name: "last_synced_at"},
		&core.TextField{Name: "sync_error", Max: 2000},
	)
	timestamps(c)
	c.AddIndex("idx_biotools_records_submission", true, "submission", "")
	c.AddIndex("idx_biotools_records_biotools_id", false, "biotools_id", "")
	return c
}

func submissionChangesCollection(_ core.App, ids map[string]string) *core.Collection {
	c := core.NewBaseCollection("submission_changes")
	c.Fields.Add(
		&core.RelationField{Name: "submission", CollectionId: ids["submissions"], MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.TextField{Name: "changed_by", Required: true, Max: 200, Presentable: true},
		&core.JSONField{Name: "changes", MaxSize: 1 << 20, Help: `[{"field","label","old","new"}]`},
	)
	timestamps(c)
	c.AddIndex("idx_submission_changes_submission_created", false, "submission, created", "")
	return c
}

func submissionDeletionsCollection(core.App, map[string]string) *core.Collection {
	c := core.NewBaseCollection("submission_deletions")
	c.Fields.Add(
		&core.TextField{Name: "submission_id", Required: true, Max: 36},
		&core.TextField{Name: "service_name", Max: 300, Presentable: true},
		&core.TextField{Name: "status", Max: 20},
		&core.TextField{Name: "submitter_first_name", Max: 100},
		&core.TextField{Name: "submitter_last_name", Max: 100},
		&core.TextField{Name: "submitter_affiliation", Max: 300},
		&core.TextField{Name: "public_contact_email", Max: 2000},
		&core.TextField{Name: "deleted_by", Max: 200},
		&core.NumberField{Name: "changelog_count", OnlyInt: true, Min: float(0)},
		&core.JSONField{Name: "changelog_snapshot", MaxSize: 16 << 20},
	)
	timestamps(c)
	c.AddIndex("idx_submission_deletions_submission_id", false, "submission_id", "")
	return c
}

func mailOutboxCollection(core.App, map[string]string) *core.Collection {
	c := core.NewBaseCollection("mail_outbox")
	c.Fields.Add(
		&core.JSONField{Name: "to", Required: true, MaxSize: 16 << 10},
		&core.JSONField{Name: "cc", MaxSize: 16 << 10},
		&core.TextField{Name: "subject", Required: true, Max: 500, Presentable: true},
		&core.TextField{Name: "text_body", Max: 1 << 20},
		&core.TextField{Name: "html_body", Max: 2 << 20},
		&core.TextField{Name: "event", Max: 50},
		&core.TextField{Name: "submission", Max: 36, Help: "Id of the submission the message is about, if any."},
		&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"pending", "sent", "failed"}},
		&core.NumberField{Name: "attempts", OnlyInt: true, Min: float(0)},
		&core.DateField{Name: "next_attempt_at"},
		&core.TextField{Name: "last_error", Max: 2000},
		&core.DateField{Name: "sent_at"},
	)
	timestamps(c)
	c.AddIndex("idx_mail_outbox_status_next", false, "status, next_attempt_at", "")
	return c
}

func captchaSpentCollection(core.App, map[string]string) *core.Collection {
	c := core.NewBaseCollection("captcha_spent")
	c.Fields.Add(
		&core.TextField{Name: "signature", Required: true, Max: 128},
		&core.DateField{Name: "expires_at", Required: true},
	)
	timestamps(c)
	c.AddIndex("idx_captcha_spent_signature", true, "signature", "")
	c.AddIndex("idx_captcha_spent_expires_at", false, "expires_at", "")
	return c
}
