package adminui

import (
	"fmt"
	"github.com/denbi/service-registry/internal/refnames"
	"github.com/denbi/service-registry/internal/statuses"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Queue paging.
const (
	defaultPerPage = 30 // as the Django admin list
	maxPerPage     = 200
	maxSearchLen   = 200
	maxIDs         = 1000
)

// biotoolsStates are the values of the bio.tools filter.
var biotoolsStates = []string{"ok", "error", "pending", "none"}

// biotoolsFilters are the PocketBase filter expressions of the bio.tools
// states, over the back-relation to biotools_records (one record per
// submission); they match biotoolsState.
var biotoolsFilters = map[string]string{
	"error": `biotools_records_via_submission.sync_error != ''`,
	"ok":    `biotools_records_via_submission.sync_error = '' && biotools_records_via_submission.last_synced_at != ''`,
	"pending": `(biotools_records_via_submission.id != '' || biotools_url != '') && ` +
		`biotools_records_via_submission.sync_error = '' && biotools_records_via_submission.last_synced_at = ''`,
	"none": `biotools_url = '' && biotools_records_via_submission.id = ''`,
}

// sortFields are the queue's sortable columns.
var sortFields = map[string]string{
	"service_name": "service_name", "submitter": "submitter_last_name", "status": "status",
	"submitted_at": "created", "updated_at": "updated", "service_center": "service_center.full_name",
}

// likeLiteral escapes LIKE wildcards (PocketBase's ~ uses ESCAPE '\').
var likeLiteral = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// queueFilter is the queue's selection: either explicit ids or the
// filters and search of the page.
type queueFilter struct {
	IDs       []string
	Status    string
	Center    string
	Category  string
	Maturity  string
	Biotools  string
	Elixir    string
	Search    string
	SortField string
	SortDesc  bool
}

// parseQueueFilter reads the selection from query parameters; unknown
// filter values are an error a person can act on.
func parseQueueFilter(q url.Values) (queueFilter, error) {
	f := queueFilter{
		Status: q.Get("status"), Center: q.Get("center"), Category: q.Get("category"),
		Maturity: q.Get("maturity"), Biotools: q.Get("biotools"), Elixir: q.Get("elixir"),
		Search: strings.TrimSpace(q.Get("q")), SortField: "created", SortDesc: true,
	}
	for _, raw := range q["ids"] {
		for _, id := range strings.Split(raw, ",") {
			if id = strings.TrimSpace(id); id != "" {
				f.IDs = append(f.IDs, id)
			}
		}
	}
	switch {
	case len(f.IDs) > maxIDs:
		return f, badFilter("ids", "At most %d services can be selected at once.", maxIDs)
	case f.Status != "" && !slices.Contains(statuses.Worklist, f.Status):
		return f, badFilter("status", "Unknown status %q.", f.Status)
	case f.Maturity != "" && f.Maturity != "none" && !slices.Contains(statuses.PrimaryTags, f.Maturity) && !slices.Contains(statuses.SecondaryTags, f.Maturity):
		return f, badFilter("maturity", "Unknown maturity tag %q.", f.Maturity)
	case f.Biotools != "" && !slices.Contains(biotoolsStates, f.Biotools):
		return f, badFilter("biotools", "Unknown bio.tools state %q: use ok, error, pending or none.", f.Biotools)
	case f.Elixir != "" && f.Elixir != "yes" && f.Elixir != "no":
		return f, badFilter("elixir", "Use elixir=yes or elixir=no.")
	case len(f.Search) > maxSearchLen:
		return f, badFilter("q", "The search text is too long (at most %d characters).", maxSearchLen)
	}
	if sort := q.Get("sort"); sort != "" {
		f.SortDesc = strings.HasPrefix(sort, "-")
		field, ok := sortFields[strings.TrimPrefix(sort, "-")]
		if !ok {
			return f, badFilter("sort", "Cannot sort by %q.", sort)
		}
		f.SortField = field
	}
	return f, nil
}

// filterError is a bad query parameter.
type filterError struct {
	Param   string
	Message string
}

func (e *filterError) Error() string { return e.Message }

func badFilter(param, format string, args ...any) error {
	return &filterError{Param: param, Message: fmt.Sprintf(format, args...)}
}

// expression turns the filters into a PocketBase filter with bound
// parameters (never string-built values); ids are applied by find.
func (f queueFilter) expression() (string, dbx.Params) {
	var parts []string
	params := dbx.Params{}
	if f.Status != "" {
		parts = append(parts, "status = {:status}")
		params["status"] = f.Status
	}
	if f.Center != "" {
		parts = append(parts, "service_center = {:center}")
		params["center"] = f.Center
	}
	if f.Category != "" {
		parts = append(parts, "service_categories.id ?= {:category}")
		params["category"] = f.Category
	}
	switch {
	case f.Maturity == "none":
		parts = append(parts, "primary_maturity_tag = ''")
	case slices.Contains(statuses.SecondaryTags, f.Maturity):
		parts = append(parts, "secondary_maturity_tags ~ {:maturity}")
		params["maturity"] = `"` + f.Maturity + `"`
	case f.Maturity != "":
		parts = append(parts, "primary_maturity_tag = {:maturity}")
		params["maturity"] = f.Maturity
	}
	if expr, ok := biotoolsFilters[f.Biotools]; ok {
		parts = append(parts, "("+expr+")")
	}
	switch f.Elixir {
	case "yes":
		parts = append(parts, "register_as_elixir = true")
	case "no":
		parts = append(parts, "register_as_elixir = false")
	}
	if f.Search != "" {
		// the Django admin's search fields; the text is matched literally,
		// its LIKE wildcards escaped
		params["q"] = likeLiteral.Replace(f.Search)
		parts = append(parts, "(service_name ~ {:q} || submitter_first_name ~ {:q} || submitter_last_name ~ {:q} || "+
			"submitter_affiliation ~ {:q} || host_institute ~ {:q} || responsible_pis.last_name ?~ {:q} || "+
			"responsible_pis.first_name ?~ {:q} || licenses.license_id ?~ {:q} || licenses.name ?~ {:q} || license_note ~ {:q})")
	}
	return strings.Join(parts, " && "), params
}

// find runs the selection and returns one page of submissions (page 0:
// everything up to limit) and the number of matches.
func (p *plugin) find(app core.App, f queueFilter, page, perPage int) ([]*core.Record, int, error) {
	collection, err := app.FindCachedCollectionByNameOrId("submissions")
	if err != nil {
		return nil, 0, err
	}
	resolver := core.NewRecordFieldResolver(app, collection, nil, true)
	query := app.RecordQuery(collection)
	if len(f.IDs) > 0 {
		ids := make([]any, len(f.IDs))
		for i, id := range f.IDs {
			ids[i] = id
		}
		query.AndWhere(dbx.In(collection.Name+".id", ids...))
	}
	if filter, params := f.expression(); filter != "" {
		expr, err := search.FilterData(filter).BuildExpr(resolver, params)
		if err != nil {
			return nil, 0, err
		}
		query.AndWhere(expr)
	}
	dir := search.SortAsc
	if f.SortDesc {
		dir = search.SortDesc
	}
	provider := search.NewProvider(resolver).Query(query).
		Sort([]search.SortField{{Name: f.SortField, Direction: dir}, {Name: "id", Direction: dir}}).
		Page(page).PerPage(perPage)
	var records []*core.Record
	result, err := provider.Exec(&records)
	if err != nil {
		return nil, 0, err
	}
	return records, result.TotalItems, nil
}

// queueRow is one line of the review queue (the columns of the Django
// admin list).
type queueRow struct {
	ID            string   `json:"id"`
	ServiceName   string   `json:"service_name"`
	Submitter     string   `json:"submitter"`
	Status        string   `json:"status"`
	StatusLabel   string   `json:"status_label"`
	PrimaryTag    string   `json:"primary_maturity_tag"`
	SecondaryTags []string `json:"secondary_maturity_tags"`
	Maturity      string   `json:"maturity"`
	ServiceCenter string   `json:"service_center"`
	Licenses      string   `json:"licenses"`
	Elixir        bool     `json:"register_as_elixir"`
	SubmittedAt   string   `json:"submitted_at"`
	UpdatedAt     string   `json:"updated_at"`
	KeysActive    int      `json:"keys_active"`
	KeysTotal     int      `json:"keys_total"`
	BiotoolsID    string   `json:"biotools_id"`
	BiotoolsState string   `json:"biotools_state"`
}

// queuePage is the answer of the queue route.
type queuePage struct {
	Page       int        `json:"page"`
	PerPage    int        `json:"perPage"`
	TotalItems int        `json:"totalItems"`
	Items      []queueRow `json:"items"`
}

// handleQueue serves GET /api/registry/admin/submissions.
func (p *plugin) handleQueue(e *core.RequestEvent) error {
	q := e.Request.URL.Query()
	f, err := parseQueueFilter(q)
	if err != nil {
		return filterResponse(e, err)
	}
	page, _ := strconv.Atoi(q.Get("page"))
	perPage, _ := strconv.Atoi(q.Get("perPage"))
	if page < 1 {
		page = 1
	}
	if perPage < 1 {
		perPage = defaultPerPage
	}
	perPage = min(perPage, maxPerPage)

	records, total, err := p.find(e.App, f, page, perPage)
	if err != nil {
		return e.BadRequestError("The filter could not be applied.", err)
	}
	rel, err := loadRelated(e.App, records)
	if err != nil {
		return err
	}
	keys, err := keyCounts(e.App, records)
	if err != nil {
		return err
	}
	out := queuePage{Page: page, PerPage: perPage, TotalItems: total, Items: []queueRow{}}
	for _, s := range records {
		bt := rel.biotoolsOf(s)
		row := queueRow{
			ID: s.Id, ServiceName: s.GetString("service_name"), Submitter: submitterDisplay(s),
			Status: s.GetString("status"), StatusLabel: statuses.Label(s.GetString("status")),
			PrimaryTag: s.GetString("primary_maturity_tag"), SecondaryTags: nonNil(secondaryTagsOf(s)),
			Maturity: maturityDisplay(s), Licenses: licensesDisplay(rel, s),
			Elixir:      s.GetBool("register_as_elixir"),
			SubmittedAt: isoTime(s.GetDateTime("created")), UpdatedAt: isoTime(s.GetDateTime("updated")),
			KeysActive: keys[s.Id][0], KeysTotal: keys[s.Id][1], BiotoolsState: biotoolsState(s, bt),
		}
		if centres := rel.names(s, "service_center", refnames.DisplayName); len(centres) > 0 {
			row.ServiceCenter = centres[0]
		}
		if bt != nil {
			row.BiotoolsID = bt.GetString("biotools_id")
		}
		out.Items = append(out.Items, row)
	}
	return e.JSON(http.StatusOK, out)
}

// licensesDisplay is the queue's licence column: the first three SPDX ids
// and "+N", else the licence note cut to 40 characters, else "".
func licensesDisplay(rel *related, s *core.Record) string {
	ids := rel.names(s, "licenses", refnames.DisplayName)
	if len(ids) > 0 {
		slices.Sort(ids)
		if len(ids) > 3 {
			return strings.Join(ids[:3], ", ") + ", +" + strconv.Itoa(len(ids)-3)
		}
		return strings.Join(ids, ", ")
	}
	note := []rune(strings.TrimSpace(s.GetString("license_note")))
	if len(note) > 40 {
		return string(note[:37]) + "…"
	}
	return string(note)
}

// filterResponse answers a bad selection with a 400 naming the parameter.
func filterResponse(e *core.RequestEvent, err error) error {
	if fe, ok := err.(*filterError); ok {
		return e.BadRequestError(fe.Message, map[string]any{fe.Param: map[string]string{"code": "invalid", "message": fe.Message}})
	}
	return e.BadRequestError("The selection is not valid.", err)
}

// option is a choice of a filter.
type option struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count *int   `json:"count,omitempty"`
}

// meta is what the page needs before the first list: who is logged in,
// what they may do and the choices of the filters.
type meta struct {
	Role        string            `json:"role"`
	Email       string            `json:"email"`
	Permissions map[string]bool   `json:"permissions"`
	Statuses    []option          `json:"statuses"`
	Centers     []option          `json:"centers"`
	Categories  []option          `json:"categories"`
	Maturity    []option          `json:"maturity"`
	Biotools    []option          `json:"biotools"`
	Collections map[string]string `json:"collections"`
}

// handleMeta serves GET /api/registry/admin/meta.
func (p *plugin) handleMeta(e *core.RequestEvent) error {
	c := callerOf(e)
	m := meta{Role: c.Role, Email: c.Email, Permissions: map[string]bool{}, Collections: map[string]string{}}
	for _, perm := range allPermissions {
		m.Permissions[string(perm)] = Can(c.Role, perm)
	}

	var counts []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := e.App.DB().Select("status", "COUNT(*) AS n").From("submissions").GroupBy("status").All(&counts); err != nil {
		return err
	}
	for _, s := range statuses.Worklist {
		n := 0
		for _, c := range counts {
			if c.Status == s {
				n = c.N
			}
		}
		m.Statuses = append(m.Statuses, option{Value: s, Label: statuses.Label(s), Count: &n})
	}

	var centres []*core.Record
	if err := e.App.RecordQuery("service_centers").OrderBy("full_name ASC").All(&centres); err != nil {
		return err
	}
	for _, r := range centres {
		m.Centers = append(m.Centers, option{Value: r.Id, Label: refnames.DisplayName(r)})
	}
	var categories []*core.Record
	if err := e.App.RecordQuery("categories").OrderBy("name ASC").All(&categories); err != nil {
		return err
	}
	for _, r := range categories {
		m.Categories = append(m.Categories, option{Value: r.Id, Label: refnames.DisplayName(r)})
	}
	m.Maturity = append(m.Maturity, option{Value: "none", Label: "No primary tag"})
	for _, t := range append(append([]string{}, statuses.PrimaryTags...), statuses.SecondaryTags...) {
		m.Maturity = append(m.Maturity, option{Value: t, Label: statuses.TagLabel(t)})
	}
	m.Biotools = []option{
		{Value: "ok", Label: "Synced"}, {Value: "error", Label: "Sync failed"},
		{Value: "pending", Label: "Linked, not synced yet"}, {Value: "none", Label: "Not linked"},
	}
	for _, name := range []string{"submissions", "submission_keys", "submission_changes", "submission_deletions", "mail_outbox", "staff"} {
		if col, err := e.App.FindCachedCollectionByNameOrId(name); err == nil {
			m.Collections[name] = col.Id
		}
	}
	if m.Centers == nil {
		m.Centers = []option{}
	}
	if m.Categories == nil {
		m.Categories = []option{}
	}
	return e.JSON(http.StatusOK, m)
}

// isoTime writes a timestamp as the /api/v1 API does (UTC, microseconds),
// or "" for none.
func isoTime(t types.DateTime) string {
	if t.IsZero() {
		return ""
	}
	return t.Time().UTC().Format("2006-01-02T15:04:05.000000Z07:00")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
