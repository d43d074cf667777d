package hooks

import (
	"errors"
	"fmt"
	"github.com/denbi/service-registry/internal/refnames"
	"slices"
	"time"

	"github.com/denbi/service-registry/internal/savecontext"
	"github.com/denbi/service-registry/internal/validate"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// bindSubmissionValidation makes every save of a submission (collection API,
// /api/v1, dashboard, CLI, import) clean its text and satisfy the
// registry's rules. The messages replace PocketBase's generic ones where the
// registry knows better what to say.
func (r *registry) bindSubmissionValidation() {
	r.app.OnRecordCreate("submissions").BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("status") == "" {
			e.Record.Set("status", StatusSubmitted)
		}
		return e.Next()
	})
	r.app.OnRecordValidate("submissions").BindFunc(func(e *core.RecordEvent) error {
		cleanTextFields(e.Record)
		if e.Record.GetString("kpi_monitoring") == "planned" {
			e.Record.Set("kpi_start_year", "")
		}
		return mergeValidation(submissionErrors(e.App, e.Record, savecontext.IsSystem(e.Context)), e.Next())
	})
}

// cleanTextFields applies validate.Clean to every text, URL and email field.
func cleanTextFields(record *core.Record) {
	for _, field := range record.Collection().Fields {
		switch field.(type) {
		case *core.TextField, *core.URLField, *core.EmailField:
		default:
			continue
		}
		name := field.GetName()
		if name == core.FieldNameId || field.GetHidden() {
			continue
		}
		if raw, ok := record.GetRaw(name).(string); ok {
			if cleaned := validate.Clean(raw); cleaned != raw {
				record.Set(name, cleaned)
			}
		}
	}
}

// mergeValidation combines the registry's field errors with PocketBase's
// own (from the rest of the validate chain); the registry's message wins
// when both report the same field.
func mergeValidation(mine validation.Errors, next error) error {
	if len(mine) == 0 {
		return next
	}
	var theirs validation.Errors
	if errors.As(next, &theirs) {
		for field, err := range theirs {
			if _, ok := mine[field]; !ok {
				mine[field] = err
			}
		}
	} else if next != nil {
		return next
	}
	return mine
}

// fieldError converts a validate.Error (or any error) into a field error.
func fieldError(err error) validation.Error {
	var v *validate.Error
	if errors.As(err, &v) {
		return validation.NewError("validation_"+v.Code, v.Message)
	}
	return validation.NewError("validation_invalid_value", err.Error())
}

// requiredSubmissionFields are checked here (not only by PocketBase) so the
// message names the field.
var requiredSubmissionFields = []string{
	"service_name", "service_description", "host_institute", "internal_contact_name",
	"internal_contact_email", "website_url", "terms_of_use_url", "kpi_monitoring", "date_of_entry",
}

// submissionErrors checks the registry's rules on a submission. Records the
// registry brings over itself (imports: system) skip the rules that only the
// forms ever enforced: the submitter's name lengths and the consent box.
func submissionErrors(app core.App, rec *core.Record, system bool) validation.Errors {
	errs := validation.Errors{}
	add := func(field string, err error) {
		if err != nil {
			if _, taken := errs[field]; !taken {
				errs[field] = fieldError(err)
			}
		}
	}
	changed := func(field string) bool {
		return rec.IsNew() || !slices.Equal(rec.Original().GetStringSlice(field), rec.GetStringSlice(field))
	}

	for _, field := range requiredSubmissionFields {
		if rec.GetString(field) == "" {
			add(field, problem("%s is required.", fieldLabels[field]))
		}
	}

	// names of the person filling in the form: legacy rows with blank names
	// may still be saved as long as the names are not touched
	for field, what := range map[string]string{
		"submitter_first_name": "The first name", "submitter_last_name": "The last name", "submitter_affiliation": "The affiliation",
	} {
		if changed(field) && !system {
			add(field, validate.Length(rec.GetString(field), 2, 0, what))
		}
	}

	if name := rec.GetString("service_name"); name != "" {
		add("service_name", validate.Length(name, 3, 300, "The service name"))
	}
	if desc := rec.GetString("service_description"); desc != "" {
		add("service_description", validate.Length(desc, 50, 5000, "The description"))
	}

	year := rec.GetInt("year_established")
	if current := time.Now().UTC().Year(); year < 1900 || year > current {
		add("year_established", problem("Enter the year the service became available, between 1900 and %d.", current))
	}

	if rec.GetBool("is_toolbox") && rec.GetString("toolbox_name") == "" {
		add("toolbox_name", problem("Name the de.NBI toolbox this service belongs to (or answer No to the toolbox question)."))
	}

	add("publications_pmids", validate.Publications(rec.GetString("publications_pmids")))
	add("public_contact_email", validate.PublicContact(rec.GetString("public_contact_email")))
	if email := rec.GetString("internal_contact_email"); email != "" {
		add("internal_contact_email", validate.Email(email))
	}
	for field, prefix := range httpsPrefixes {
		add(field, validate.HTTPSURL(rec.GetString(field), prefix))
	}

	if len(rec.GetStringSlice("licenses")) == 0 && rec.GetString("license_note") == "" {
		add("licenses", problem("Choose at least one license, or describe the licensing in the license note."))
	}

	if rec.GetString("kpi_monitoring") == "yes" && rec.GetString("kpi_start_year") == "" {
		add("kpi_start_year", problem("Give the year KPI monitoring started (or answer Planned)."))
	}

	if rec.IsNew() && !system && !rec.GetBool("data_protection_consent") {
		add("data_protection_consent", problem("Please agree to the data protection information to submit."))
	}

	checkReferences(app, rec, system, changed, add)
	checkMaturity(rec, add)
	return errs
}

// checkReferences requires at least one category and PI and a centre, that
// newly chosen ones are active (inactive ones may stay on old entries; system
// saves such as imports bring old entries over as they are), and a partner
// note when the generic "associated partner" PI is chosen.
func checkReferences(app core.App, rec *core.Record, system bool, changed func(string) bool, add func(string, error)) {
	type ref struct {
		field, collection, what string
	}
	for _, ref := range []ref{
		{"service_categories", "categories", "service category"},
		{"responsible_pis", "pis", "responsible PI"},
		{"service_center", "service_centers", "service centre"},
	} {
		ids := rec.GetStringSlice(ref.field)
		if len(ids) == 0 {
			add(ref.field, problem("Choose at least one %s.", ref.what))
			continue
		}
		if !changed(ref.field) && ref.field != "responsible_pis" {
			continue
		}
		records, err := app.FindRecordsByIds(ref.collection, ids)
		if err != nil {
			add(ref.field, err)
			continue
		}
		before := rec.Original().GetStringSlice(ref.field)
		for _, r := range records {
			if !system && !r.GetBool("active") && (rec.IsNew() || !slices.Contains(before, r.Id)) {
				add(ref.field, problem("The %s %q is no longer offered; choose another.", ref.what, refnames.DisplayName(r)))
			}
		}
		if ref.field == "responsible_pis" {
			for _, r := range records {
				if r.GetBool("is_associated_partner") && rec.GetString("associated_partner_note") == "" {
					add("associated_partner_note", problem("Give the name and affiliation of the associated partner."))
				}
			}
		}
	}
}

// checkMaturity allows maturity tags on approved services only.
func checkMaturity(rec *core.Record, add func(string, error)) {
	primary := rec.GetString("primary_maturity_tag")
	var secondary []string
	_ = rec.UnmarshalJSONField("secondary_maturity_tags", &secondary)
	for _, tag := range secondary {
		if !secondaryMaturityTags[tag] {
			add("secondary_maturity_tags", problem("%q is not a secondary maturity tag; use \"unstable\".", tag))
		}
	}
	if (primary != "" || len(secondary) > 0) && rec.GetString("status") != StatusApproved {
		if primary != "" {
			add("primary_maturity_tag", problem("Maturity tags can only be given to approved services."))
		} else {
			add("secondary_maturity_tags", problem("Maturity tags can only be given to approved services."))
		}
	}
}

// problem is a rule violation with a message for people.
func problem(format string, args ...any) error {
	return &validate.Error{Code: "invalid_value", Message: fmt.Sprintf(format, args...)}
}
