package biotools

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// v1PageSize is the page size of /api/v1 lists (the Django registry's).
const v1PageSize = 20

// Messages of the compatibility routes.
const (
	adminKeyRequired = `This list needs an admin key: send "Authorization: AdminKey <key>".`
	recordNotFound   = "No BioToolsRecord matches the given query."
	invalidPage      = "Invalid page."
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// v1Page is the paginated list shape of /api/v1.
type v1Page struct {
	Count    int              `json:"count"`
	Next     *string          `json:"next"`
	Previous *string          `json:"previous"`
	Results  []map[string]any `json:"results"`
}

// handleV1List answers GET /api/v1/biotools/ for admin keys: every record,
// whatever its submission's status, 20 per page, filtered by ?biotools_id=
// and ?submission=<uuid>.
func (p *Plugin) handleV1List(e *core.RequestEvent) error {
	if !isAdmin(e) {
		return apis.NewForbiddenError(adminKeyRequired, nil)
	}
	query := e.Request.URL.Query()
	page := 1
	if s := query.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return apis.NewNotFoundError(invalidPage, nil)
		}
		page = n
	}

	var filters []dbx.Expression
	if id := query.Get("biotools_id"); id != "" {
		filters = append(filters, dbx.NewExp("biotools_id = {:biotools_id} COLLATE NOCASE", dbx.Params{"biotools_id": id}))
	}
	if submission := query.Get("submission"); submission != "" {
		filters = append(filters, dbx.HashExp{"submission": submission})
	}
	total, err := e.App.CountRecords(RecordsCollection, filters...)
	if err != nil {
		return err
	}
	offset := (page - 1) * v1PageSize
	if page > 1 && int64(offset) >= total {
		return apis.NewNotFoundError(invalidPage, nil)
	}

	var records []*core.Record
	q := e.App.RecordQuery(RecordsCollection)
	for _, f := range filters {
		q = q.AndWhere(f)
	}
	if err := q.OrderBy("biotools_id ASC", "created ASC", "id ASC").Limit(v1PageSize).Offset(int64(offset)).All(&records); err != nil {
		return err
	}

	out := v1Page{Count: int(total), Results: RecordsJSON(e.App, records)}
	if int64(offset+v1PageSize) < total {
		out.Next = p.pageURL(e, page+1)
	}
	if page > 1 {
		out.Previous = p.pageURL(e, page-1)
	}
	return e.JSON(http.StatusOK, out)
}

// handleV1Detail answers GET /api/v1/biotools/{biotools_id}/ for anyone,
// but only with records whose submission is approved. When several
// approved submissions link the same tool, the oldest record is the
// answer, so the result is stable (the Django registry failed with a 500).
// A record's own UUID is accepted as well.
func (p *Plugin) handleV1Detail(e *core.RequestEvent) error {
	key := e.Request.PathValue("biotools_id")
	record := findApproved(e.App, dbx.NewExp("r.biotools_id = {:key} COLLATE NOCASE", dbx.Params{"key": key}))
	if record == nil && uuidPattern.MatchString(key) {
		record = findApproved(e.App, dbx.HashExp{"r.id": key})
	}
	if record == nil {
		return apis.NewNotFoundError(recordNotFound, nil)
	}
	return e.JSON(http.StatusOK, RecordJSON(e.App, record))
}

// findApproved returns the oldest record matching where whose submission
// is approved, or nil.
func findApproved(app core.App, where dbx.Expression) *core.Record {
	var records []*core.Record
	err := app.RecordQuery(RecordsCollection).
		From(RecordsCollection+" r").
		Select("r.*").
		InnerJoin(SubmissionsCollection+" s", dbx.NewExp("s.id = r.submission")).
		AndWhere(dbx.HashExp{"s.status": "approved"}).
		AndWhere(where).
		OrderBy("r.created ASC", "r.id ASC").
		Limit(1).
		All(&records)
	if err != nil {
		app.Logger().Error("Looking up a bio.tools record failed", "error", err.Error())
		return nil
	}
	if len(records) == 0 {
		return nil
	}
	return records[0]
}

// isAdmin reports whether the request carries an active admin key (or
// comes from a dashboard superuser).
func isAdmin(e *core.RequestEvent) bool {
	if e.HasSuperuserAuth() {
		return true
	}
	return e.Auth != nil && e.Auth.Collection().Name == adminKeysName && e.Auth.GetBool("active")
}

// pageURL is the absolute URL of another page of the current list, with
// the other query parameters kept; page 1 has no page parameter.
func (p *Plugin) pageURL(e *core.RequestEvent, page int) *string {
	base := strings.TrimRight(p.config.SiteURL, "/")
	if base == "" {
		scheme := "http"
		if e.Request.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + e.Request.Host
	}
	query := url.Values{}
	for k, v := range e.Request.URL.Query() {
		query[k] = v
	}
	if page == 1 {
		query.Del("page")
	} else {
		query.Set("page", strconv.Itoa(page))
	}
	u := base + e.Request.URL.EscapedPath()
	if encoded := query.Encode(); encoded != "" {
		u += "?" + encoded
	}
	return &u
}
