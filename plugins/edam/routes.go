package edam

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/denbi/service-registry/internal/routes"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// maxLimit caps the "limit" parameter; the whole ontology is smaller.
const maxLimit = 10000

// maxQuery caps the length of "q"; no EDAM text is searched beyond it.
const maxQuery = 200

// notFoundMessage is the original registry's wording for unknown terms.
const notFoundMessage = "No EdamTerm matches the given query."

// termDetail is the JSON shape of GET /api/v1/edam/{accession}/.
type termDetail struct {
	ID          int64     `json:"id"`
	URI         string    `json:"uri"`
	Accession   string    `json:"accession"`
	Branch      string    `json:"branch"`
	Label       string    `json:"label"`
	URL         string    `json:"url"`
	Definition  string    `json:"definition"`
	Synonyms    []string  `json:"synonyms"`
	Parent      *termItem `json:"parent"`
	EDAMVersion string    `json:"edam_version"`
	Obsolete    bool      `json:"obsolete"`
}

// bindRoutes adds the public /api/v1/edam/ routes. They need no key: EDAM
// is public reference data, as in the original registry.
func (p *plugin) bindRoutes(se *core.ServeEvent) {
	routes.GetSlashed(se.Router, "/api/v1/edam/", p.listTerms)
	routes.GetSlashed(se.Router, "/api/v1/edam/{accession}/", p.viewTerm)
	se.Router.GET(StatusPath, p.handleStatus).Bind(apis.RequireSuperuserAuth())
}

// StatusPath serves the ontology's state to superusers (the dashboard).
const StatusPath = "/api/registry/status/edam"

// handleStatus serves Status as JSON.
func (p *plugin) handleStatus(e *core.RequestEvent) error {
	st, err := p.status()
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, st)
}

// listTerms serves GET /api/v1/edam/: the current terms as a plain JSON
// array, filtered by ?branch= and ?q= (label, synonyms or definition,
// case-insensitive), at most ?limit= of them.
func (p *plugin) listTerms(e *core.RequestEvent) error {
	query := e.Request.URL.Query()
	limit := 0
	if raw := query.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return e.BadRequestError("The limit must be a positive whole number.", err)
		}
		limit = min(n, maxLimit)
	}
	q := strings.TrimSpace(query.Get("q"))
	if len(q) > maxQuery {
		q = clip(q, maxQuery)
	}
	idx, err := p.currentIndex()
	if err != nil {
		return e.InternalServerError("The EDAM terms could not be loaded.", err)
	}
	return e.Blob(http.StatusOK, "application/json", idx.search(query.Get("branch"), q, limit))
}

// viewTerm serves GET /api/v1/edam/{accession}/: one term, obsolete ones
// included, with its definition, synonyms and parent. A number that is no
// accession is tried as the id of a current term.
func (p *plugin) viewTerm(e *core.RequestEvent) error {
	ref := e.Request.PathValue("accession")
	rec, err := e.App.FindFirstRecordByData(Collection, "accession", ref)
	if errors.Is(err, sql.ErrNoRows) && isDigits(ref) {
		rec, err = e.App.FindRecordById(Collection, ref)
		if err == nil && rec.GetBool("obsolete") {
			rec, err = nil, sql.ErrNoRows
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return e.NotFoundError(notFoundMessage, err)
	}
	if err != nil {
		return e.InternalServerError("", err)
	}

	var parent *termItem
	if parentID := rec.GetString("parent"); parentID != "" {
		if pr, err := e.App.FindRecordById(Collection, parentID); err == nil {
			item := itemOf(pr)
			parent = &item
		}
	}
	var synonyms []string
	if err := rec.UnmarshalJSONField("synonyms", &synonyms); err != nil || synonyms == nil {
		synonyms = []string{}
	}
	item := itemOf(rec)
	return e.JSON(http.StatusOK, termDetail{
		ID: item.ID, URI: item.URI, Accession: item.Accession, Branch: item.Branch, Label: item.Label, URL: item.URL,
		Definition: rec.GetString("definition"), Synonyms: synonyms, Parent: parent,
		EDAMVersion: rec.GetString("edam_version"), Obsolete: rec.GetBool("obsolete"),
	})
}

// itemOf is the compact list shape of a record.
func itemOf(rec *core.Record) termItem {
	id, _ := strconv.ParseInt(rec.Id, 10, 64)
	accession := rec.GetString("accession")
	return termItem{ID: id, URI: rec.GetString("uri"), Accession: accession, Branch: rec.GetString("branch"),
		Label: rec.GetString("label"), URL: TermURL(accession)}
}
