package hooks

import (
	"github.com/denbi/service-registry/internal/refnames"
	"github.com/denbi/service-registry/internal/routes"
	"net/http"
	"strings"
	"unicode"

	"github.com/pocketbase/dbx"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// v1Reference describes one reference-data resource of /api/v1: categories,
// service centres and PIs. They are for admin keys only; read-scope keys may
// only read; DELETE deactivates (existing submissions keep their links).
type v1Reference struct {
	path       string // URL segment, e.g. "service-centers"
	collection string
	noun       string // for messages and logs, e.g. "Service centre"
	orderBy    []string
	fields     []v1Field
	required   []string // wire names required on create and PUT
	toJSON     func(*core.Record) any
}

var v1References = []v1Reference{
	{
		path: "categories", collection: "categories", noun: "Category",
		orderBy:  []string{"name ASC"},
		fields:   []v1Field{{wire: "name", field: "name"}, {wire: "is_active", field: "active", kind: inBool}},
		required: []string{"name"},
		toJSON: func(r *core.Record) any {
			return struct {
				ID       int    `json:"id"`
				Name     string `json:"name"`
				IsActive bool   `json:"is_active"`
			}{atoi(r.Id), r.GetString("name"), r.GetBool("active")}
		},
	},
	{
		path: "service-centers", collection: "service_centers", noun: "Service centre",
		orderBy: []string{"full_name ASC"},
		fields: []v1Field{
			{wire: "short_name", field: "short_name"}, {wire: "full_name", field: "full_name"},
			{wire: "website", field: "website"}, {wire: "is_active", field: "active", kind: inBool},
		},
		required: []string{"short_name", "full_name"},
		toJSON: func(r *core.Record) any {
			return struct {
				ID        string `json:"id"`
				ShortName string `json:"short_name"`
				FullName  string `json:"full_name"`
				Website   string `json:"website"`
				IsActive  bool   `json:"is_active"`
			}{r.Id, r.GetString("short_name"), r.GetString("full_name"), r.GetString("website"), r.GetBool("active")}
		},
	},
	{
		path: "pis", collection: "pis", noun: "PI",
		orderBy: []string{"last_name ASC", "first_name ASC"},
		fields: []v1Field{
			{wire: "last_name", field: "last_name"}, {wire: "first_name", field: "first_name"},
			{wire: "email", field: "email"}, {wire: "institute", field: "institute"}, {wire: "orcid", field: "orcid"},
			{wire: "is_active", field: "active", kind: inBool},
			{wire: "is_associated_partner", field: "is_associated_partner", kind: inBool},
		},
		required: []string{"last_name", "first_name"},
		toJSON: func(r *core.Record) any {
			return struct {
				ID                  string `json:"id"`
				LastName            string `json:"last_name"`
				FirstName           string `json:"first_name"`
				DisplayName         string `json:"display_name"`
				Email               string `json:"email"`
				Institute           string `json:"institute"`
				ORCID               string `json:"orcid"`
				IsActive            bool   `json:"is_active"`
				IsAssociatedPartner bool   `json:"is_associated_partner"`
			}{r.Id, r.GetString("last_name"), r.GetString("first_name"), refnames.DisplayName(r), r.GetString("email"),
				r.GetString("institute"), r.GetString("orcid"), r.GetBool("active"), r.GetBool("is_associated_partner")}
		},
	},
}

// bindV1Reference serves the reference-data resources.
func (r *registry) bindV1Reference(se *core.ServeEvent) {
	for _, res := range v1References {
		base := "/api/v1/" + res.path + "/"
		routes.GetSlashed(se.Router, base, res.list)
		se.Router.POST(base+"{$}", res.create)
		detail := base + "{id}/"
		routes.GetSlashed(se.Router, detail, res.get)
		se.Router.PATCH(detail+"{$}", func(e *core.RequestEvent) error { return res.update(e, false) })
		se.Router.PUT(detail+"{$}", func(e *core.RequestEvent) error { return res.update(e, true) })
		se.Router.DELETE(detail+"{$}", res.deactivate)
	}
}

func (res v1Reference) list(e *core.RequestEvent) error {
	if err := requireAdminKey(e, false); err != nil {
		return err
	}
	collection, err := e.App.FindCachedCollectionByNameOrId(res.collection)
	if err != nil {
		return err
	}
	scope, err := listScope(e, collection)
	if err != nil {
		return err
	}
	query := e.App.RecordQuery(collection)
	if err := scope(query); err != nil {
		return err
	}
	if active, ok := asBool(e.Request.URL.Query().Get("is_active")); ok && e.Request.URL.Query().Get("is_active") != "" {
		query.AndWhere(dbx.HashExp{res.collection + ".active": active})
	}
	var records []*core.Record
	if err := query.OrderBy(res.orderBy...).All(&records); err != nil {
		return err
	}
	out := make([]any, 0, len(records))
	for _, rec := range records {
		out = append(out, res.toJSON(rec))
	}
	return e.JSON(http.StatusOK, out)
}

// find loads one record the caller may view.
func (res v1Reference) find(e *core.RequestEvent) (*core.Record, error) {
	record, err := e.App.FindRecordById(res.collection, e.Request.PathValue("id"))
	if err == nil {
		var ok bool
		ok, err = canAccess(e, record, record.Collection().ViewRule)
		if err == nil && ok {
			return record, nil
		}
	}
	return nil, apis.NewNotFoundError("No "+lowerFirst(res.noun)+" with this id.", nil)
}

func (res v1Reference) get(e *core.RequestEvent) error {
	if err := requireAdminKey(e, false); err != nil {
		return err
	}
	record, err := res.find(e)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, res.toJSON(record))
}

func (res v1Reference) create(e *core.RequestEvent) error {
	if err := requireAdminKey(e, true); err != nil {
		return err
	}
	body, err := readV1Body(e)
	if err != nil {
		return err
	}
	collection, err := e.App.FindCachedCollectionByNameOrId(res.collection)
	if err != nil {
		return err
	}
	record := core.NewRecord(collection)
	record.Set("active", true)
	if err := res.apply(e.App, body, record, true); err != nil {
		return err
	}
	if ok, err := canCreate(e, record); err != nil || !ok {
		return apis.NewForbiddenError("This key may not create "+lowerFirst(res.noun)+" records.", err)
	}
	if err := e.App.Save(record); err != nil {
		return saveError(err, "The "+lowerFirst(res.noun)+" was not saved.")
	}
	e.App.Logger().Info(res.noun+" created via API", "id", record.Id, "key", actor(e))
	return e.JSON(http.StatusCreated, res.toJSON(record))
}

func (res v1Reference) update(e *core.RequestEvent, replace bool) error {
	if err := requireAdminKey(e, true); err != nil {
		return err
	}
	record, err := res.find(e)
	if err != nil {
		return err
	}
	if ok, err := canAccess(e, record, record.Collection().UpdateRule); err != nil || !ok {
		return apis.NewForbiddenError("This key may not change "+lowerFirst(res.noun)+" records.", err)
	}
	body, err := readV1Body(e)
	if err != nil {
		return err
	}
	if err := res.apply(e.App, body, record, replace); err != nil {
		return err
	}
	if err := e.App.Save(record); err != nil {
		return saveError(err, "The "+lowerFirst(res.noun)+" was not saved.")
	}
	e.App.Logger().Info(res.noun+" updated via API", "id", record.Id, "key", actor(e))
	return e.JSON(http.StatusOK, res.toJSON(record))
}

// deactivate is the compatibility API's DELETE: a soft delete, so services
// that refer to the record keep resolving it.
func (res v1Reference) deactivate(e *core.RequestEvent) error {
	if err := requireAdminKey(e, true); err != nil {
		return err
	}
	record, err := res.find(e)
	if err != nil {
		return err
	}
	if ok, err := canAccess(e, record, record.Collection().UpdateRule); err != nil || !ok {
		return apis.NewForbiddenError("This key may not change "+lowerFirst(res.noun)+" records.", err)
	}
	record.Set("active", false)
	if err := e.App.Save(record); err != nil {
		return saveError(err, "The "+lowerFirst(res.noun)+" was not deactivated.")
	}
	e.App.Logger().Info(res.noun+" deactivated (soft delete) via API", "id", record.Id, "key", actor(e))
	return e.NoContent(http.StatusNoContent)
}

// apply sets the body's fields; with requireAll, the required fields must
// be present (create and PUT).
func (res v1Reference) apply(app core.App, body *v1Body, record *core.Record, requireAll bool) error {
	errs := applyV1Fields(app, body, res.fields, record)
	if requireAll {
		for _, wire := range res.required {
			if s, _ := asString(body.values[wire]); s == "" {
				if _, taken := errs[wire]; !taken {
					errs[wire] = validation.NewError("validation_required", "This field is required.")
				}
			}
		}
	}
	if len(errs) > 0 {
		return v1ValidationError(errs)
	}
	return nil
}

// lowerFirst lower-cases a noun for use inside a sentence, keeping
// acronyms such as "PI".
func lowerFirst(s string) string {
	if len(s) < 2 || unicode.IsUpper(rune(s[1])) {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
