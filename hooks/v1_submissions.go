package hooks

import (
	"database/sql"
	"errors"
	"github.com/denbi/service-registry/internal/routes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// v1SubmissionFields are the writable fields of /api/v1/submissions/ with
// their wire names. Anything else in a request body (id, status, maturity
// tags, unknown keys) is ignored, as it was by the Django registry.
var v1SubmissionFields = []v1Field{
	{wire: "date_of_entry", field: "date_of_entry", kind: inDate},
	{wire: "submitter_first_name", field: "submitter_first_name"},
	{wire: "submitter_last_name", field: "submitter_last_name"},
	{wire: "submitter_affiliation", field: "submitter_affiliation"},
	{wire: "register_as_elixir", field: "register_as_elixir", kind: inBool},
	{wire: "service_name", field: "service_name"},
	{wire: "service_description", field: "service_description"},
	{wire: "year_established", field: "year_established", kind: inInt},
	{wire: "service_category_ids", field: "service_categories", kind: inIDList},
	{wire: "is_toolbox", field: "is_toolbox", kind: inBool},
	{wire: "toolbox_name", field: "toolbox_name"},
	{wire: "user_knowledge_required", field: "user_knowledge_required"},
	{wire: "publications_pmids", field: "publications_pmids"},
	{wire: "edam_topic_ids", field: "edam_topics", kind: inTermList, branch: "topic"},
	{wire: "edam_operation_ids", field: "edam_operations", kind: inTermList, branch: "operation"},
	{wire: "internal_contact_name", field: "internal_contact_name"},
	{wire: "internal_contact_email", field: "internal_contact_email"},
	{wire: "responsible_pi_ids", field: "responsible_pis", kind: inIDList},
	{wire: "associated_partner_note", field: "associated_partner_note"},
	{wire: "host_institute", field: "host_institute"},
	{wire: "service_center_id", field: "service_center", kind: inID},
	{wire: "public_contact_email", field: "public_contact_email"},
	{wire: "website_url", field: "website_url"},
	{wire: "terms_of_use_url", field: "terms_of_use_url"},
	{wire: "licenses", field: "licenses", kind: inLicenseList},
	{wire: "license_note", field: "license_note"},
	{wire: "github_url", field: "github_url"},
	{wire: "biotools_url", field: "biotools_url"},
	{wire: "fairsharing_url", field: "fairsharing_url"},
	{wire: "other_registry_url", field: "other_registry_url"},
	{wire: "kpi_monitoring", field: "kpi_monitoring"},
	{wire: "kpi_start_year", field: "kpi_start_year"},
	{wire: "logo", field: "logo", kind: inFile},
	{wire: "keywords_uncited", field: "keywords_uncited"},
	{wire: "keywords_seo", field: "keywords_seo"},
	{wire: "survey_participation", field: "survey_participation", kind: inBool},
	{wire: "comments", field: "comments"},
	{wire: "data_protection_consent", field: "data_protection_consent", kind: inBool},
}

// putNotSupported is the answer to PUT, in the Django registry's words'
// shape (not wrapped in the error envelope, as there).
const putNotSupported = "Full replacement (PUT) is not supported. Use PATCH for partial updates."

// v1Ordering maps ?ordering= values to columns.
var v1Ordering = map[string]string{
	"submitted_at":         "created",
	"updated_at":           "updated",
	"service_name":         "service_name",
	"primary_maturity_tag": "primary_maturity_tag",
}

// bindV1Submissions serves /api/v1/submissions/.
func (r *registry) bindV1Submissions(se *core.ServeEvent) {
	routes.GetSlashed(se.Router, "/api/v1/submissions/", r.v1ListSubmissions)
	se.Router.POST("/api/v1/submissions/{$}", r.v1CreateSubmission)

	detail := "/api/v1/submissions/{id}/"
	routes.GetSlashed(se.Router, detail, r.v1GetSubmission)
	se.Router.PATCH(detail+"{$}", r.v1PatchSubmission)
	se.Router.PUT(detail+"{$}", func(e *core.RequestEvent) error {
		if err := requireAuth(e); err != nil {
			return err
		}
		return e.JSON(http.StatusMethodNotAllowed, map[string]string{"detail": putNotSupported})
	})
	se.Router.DELETE(detail+"{$}", func(e *core.RequestEvent) error {
		if err := requireAuth(e); err != nil {
			return err
		}
		return apis.NewApiError(http.StatusMethodNotAllowed, "Submissions cannot be deleted through the API; ask the office to deprecate the service.", nil)
	})
}

// v1CreateSubmission registers a service: public, rate limited, no captcha.
func (r *registry) v1CreateSubmission(e *core.RequestEvent) error {
	body, err := readV1Body(e)
	if err != nil {
		return err
	}
	collection, err := e.App.FindCachedCollectionByNameOrId("submissions")
	if err != nil {
		return err
	}
	record := core.NewRecord(collection)
	record.Set("survey_participation", true) // the Django model's default
	if errs := applyV1Fields(e.App, body, v1SubmissionFields, record); len(errs) > 0 {
		return v1ValidationError(errs)
	}
	if !body.has("data_protection_consent") {
		record.Set("data_protection_consent", false)
	}
	plaintext, err := r.createSubmission(e, record)
	if err != nil {
		return v1SaveError(err)
	}
	out, err := r.v1Detail(e.App, record)
	if err != nil {
		return err
	}
	out.APIKey, out.APIKeyWarning = plaintext, APIKeyWarning
	return e.JSON(http.StatusCreated, out)
}

// findV1Submission loads a submission the caller may view: 404 for ids the
// caller cannot see, 403 when not authenticated at all.
func findV1Submission(e *core.RequestEvent) (*core.Record, error) {
	if err := requireAuth(e); err != nil {
		return nil, err
	}
	record, err := e.App.FindRecordById("submissions", e.Request.PathValue("id"))
	if err != nil {
		return nil, apis.NewNotFoundError("No submission with this id is visible to this key.", nil)
	}
	ok, err := canAccess(e, record, record.Collection().ViewRule)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apis.NewNotFoundError("No submission with this id is visible to this key.", nil)
	}
	return record, nil
}

func (r *registry) v1GetSubmission(e *core.RequestEvent) error {
	record, err := findV1Submission(e)
	if err != nil {
		return err
	}
	out, err := r.v1Detail(e.App, record)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, out)
}

func (r *registry) v1PatchSubmission(e *core.RequestEvent) error {
	record, err := findV1Submission(e)
	if err != nil {
		return err
	}
	ok, err := canAccess(e, record, record.Collection().UpdateRule)
	if err != nil {
		return err
	}
	if !ok {
		return apis.NewForbiddenError("This key may read the submission but not change it: use a key with scope \"write\" (or an admin key with scope \"full\").", nil)
	}
	body, err := readV1Body(e)
	if err != nil {
		return err
	}
	if errs := applyV1Fields(e.App, body, v1SubmissionFields, record); len(errs) > 0 {
		return v1ValidationError(errs)
	}
	if !e.HasSuperuserAuth() {
		keepServerManagedFields(record)
	}
	if err := r.actors.saveAs(actor(e), record, func() error { return e.App.Save(record) }); err != nil {
		return v1SaveError(saveError(err, "The submission was not saved."))
	}
	out, err := r.v1Detail(e.App, record)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, out)
}

// v1Detail renders one submission with everything it refers to.
func (r *registry) v1Detail(app core.App, record *core.Record) (v1Submission, error) {
	rel, err := loadRelated(app, []*core.Record{record})
	if err != nil {
		return v1Submission{}, err
	}
	return r.toV1(app, record, rel, true), nil
}

// v1Page is the paginated list shape.
type v1Page[T any] struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

func (r *registry) v1ListSubmissions(e *core.RequestEvent) error {
	if err := requireAdminKey(e, false); err != nil {
		return err
	}
	collection, err := e.App.FindCachedCollectionByNameOrId("submissions")
	if err != nil {
		return err
	}
	q := e.Request.URL.Query()
	page := 1
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 0 {
		page = p
	} else if q.Get("page") != "" {
		return apis.NewNotFoundError("Invalid page: use a whole number from 1.", nil)
	}

	// the rule is checked once; count and page get the same conditions
	scope, err := listScope(e, collection)
	if err != nil {
		return err
	}
	newQuery := func() (*dbx.SelectQuery, error) {
		query := e.App.RecordQuery(collection)
		if err := scope(query); err != nil {
			return nil, err
		}
		applyV1Filters(query, q)
		return query, nil
	}

	countQuery, err := newQuery()
	if err != nil {
		return err
	}
	var total int
	if err := countQuery.Select("COUNT(*)").Row(&total); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}

	size := r.cfg.API.PageSize
	if total > 0 && (page-1)*size >= total {
		return apis.NewNotFoundError("Invalid page: there are only "+strconv.Itoa((total+size-1)/size)+" pages.", nil)
	}

	pageQuery, err := newQuery()
	if err != nil {
		return err
	}
	var records []*core.Record
	err = pageQuery.OrderBy(v1OrderBy(q.Get("ordering"))...).
		Limit(int64(size)).Offset(int64((page - 1) * size)).All(&records)
	if err != nil {
		return err
	}
	rel, err := loadRelated(e.App, records)
	if err != nil {
		return err
	}
	out := v1Page[v1Submission]{Count: total, Results: make([]v1Submission, 0, len(records))}
	for _, s := range records {
		out.Results = append(out.Results, r.toV1(e.App, s, rel, false))
	}
	if page*size < total {
		next := r.pageURL(e.Request.URL, page+1)
		out.Next = &next
	}
	if page > 1 {
		prev := r.pageURL(e.Request.URL, page-1)
		out.Previous = &prev
	}
	return e.JSON(http.StatusOK, out)
}

// applyV1Filters adds the list filters of the Django API; malformed values
// are ignored, as they were there.
func applyV1Filters(query *dbx.SelectQuery, q url.Values) {
	if v := q.Get("status"); v != "" {
		query.AndWhere(dbx.HashExp{"submissions.status": v})
	}
	if v := q.Get("service_center"); v != "" {
		query.AndWhere(dbx.NewExp(
			"submissions.service_center IN (SELECT id FROM service_centers WHERE short_name LIKE {:centre} ESCAPE '\\')",
			dbx.Params{"centre": "%" + escapeLike(v) + "%"}))
	}
	if v := q.Get("year_established"); v != "" && isDigits(v) {
		query.AndWhere(dbx.HashExp{"submissions.year_established": atoi(v)})
	}
	switch strings.ToLower(q.Get("register_as_elixir")) {
	case "true", "1":
		query.AndWhere(dbx.HashExp{"submissions.register_as_elixir": true})
	case "false", "0":
		query.AndWhere(dbx.HashExp{"submissions.register_as_elixir": false})
	}
	if v := q.Get("primary_maturity_tag"); v != "" {
		query.AndWhere(dbx.HashExp{"submissions.primary_maturity_tag": v})
	}
	if v := q.Get("secondary_maturity_tags"); v != "" {
		for i, tag := range strings.Split(v, ",") {
			if tag = strings.TrimSpace(tag); tag == "" {
				continue
			}
			param := "tag" + strconv.Itoa(i)
			// match the quoted JSON string, so "unstable" never matches "stable"
			query.AndWhere(dbx.NewExp("submissions.secondary_maturity_tags LIKE {:"+param+"} ESCAPE '\\'",
				dbx.Params{param: `%"` + escapeLike(tag) + `"%`}))
		}
	}
}

// v1OrderBy turns ?ordering= into ORDER BY terms; newest first by default.
func v1OrderBy(ordering string) []string {
	desc := strings.HasPrefix(ordering, "-")
	column, ok := v1Ordering[strings.TrimPrefix(ordering, "-")]
	if !ok {
		return []string{"submissions.created DESC", "submissions.id DESC"}
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return []string{"submissions." + column + dir, "submissions.id" + dir}
}

// pageURL is the absolute URL of another page of the current list.
func (r *registry) pageURL(current *url.URL, page int) string {
	q := current.Query()
	q.Set("page", strconv.Itoa(page))
	return r.absoluteURL(current.Path + "?" + q.Encode())
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// v1WireNames maps record field names to /api/v1 names in error bodies.
var v1WireNames = func() map[string]string {
	m := map[string]string{}
	for _, f := range v1SubmissionFields {
		m[f.field] = f.wire
	}
	return m
}()

// v1ValidationError is a 400 whose field errors use wire names.
func v1ValidationError(errs validation.Errors) error {
	return apis.NewBadRequestError("The submitted data is not valid.", errs)
}

// v1SaveError renames field errors from record names to wire names.
func v1SaveError(err error) error {
	apiErr := router.ToApiError(err)
	if len(apiErr.Data) == 0 {
		return apiErr
	}
	renamed := make(map[string]any, len(apiErr.Data))
	for field, item := range apiErr.Data {
		if wire, ok := v1WireNames[field]; ok {
			field = wire
		}
		renamed[field] = item
	}
	apiErr.Data = renamed
	return apiErr
}
