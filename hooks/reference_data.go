package hooks

import (
	"github.com/denbi/service-registry/internal/validate"
	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// referenceCollections hold the reference data submissions point to.
var referenceCollections = []string{"categories", "service_centers", "pis"}

// bindReferenceData cleans and checks categories, service centres and PIs on
// every save, and keeps PI email addresses from the public.
func (r *registry) bindReferenceData() {
	for _, name := range referenceCollections {
		r.app.OnRecordValidate(name).BindFunc(func(e *core.RecordEvent) error {
			cleanTextFields(e.Record)
			return mergeValidation(referenceErrors(e.App, e.Record), e.Next())
		})
	}
	r.app.OnRecordEnrich("pis").BindFunc(func(e *core.RecordEnrichEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if info := e.RequestInfo; info == nil || (!info.HasSuperuserAuth() && !isAdminKey(info.Auth)) {
			e.Record.Hide("email")
		}
		return nil
	})
}

func referenceErrors(app core.App, rec *core.Record) validation.Errors {
	errs := validation.Errors{}
	switch rec.Collection().Name {
	case "categories":
		name := rec.GetString("name")
		if name == "" {
			errs["name"] = fieldError(problem("Give the category a name."))
			break
		}
		// the unique index ignores case; say so before the database refuses
		var clash int
		err := app.DB().Select("COUNT(*)").From("categories").
			Where(dbx.NewExp("name = {:name} COLLATE NOCASE AND id != {:id}", dbx.Params{"name": name, "id": rec.Id})).
			Row(&clash)
		if err == nil && clash > 0 {
			errs["name"] = fieldError(problem("A category named %q already exists.", name))
		}
	case "pis":
		if err := validate.ORCID(rec.GetString("orcid")); err != nil {
			errs["orcid"] = fieldError(err)
		}
		if email := rec.GetString("email"); email != "" {
			if err := validate.Email(email); err != nil {
				errs["email"] = fieldError(err)
			}
		}
	}
	return errs
}
