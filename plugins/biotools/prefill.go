package biotools

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Texts of the prefill route. They are the Django registry's, which the
// form's script shows as they are.
const (
	prefillMessage     = "Metadata found in bio.tools. Fields below have been pre-filled — please review and adjust before submitting."
	prefillNoID        = "No bio.tools ID provided."
	prefillNotFound    = "No tool with ID '%s' found in bio.tools."
	prefillUnavailable = "bio.tools is temporarily unavailable. Please fill in manually."
)

// Limits of the prefill answer.
const (
	prefillDescriptionLength = 2000
	prefillPublications      = 10
)

// prefillFailure is the body of every unsuccessful prefill answer.
type prefillFailure struct {
	Found bool   `json:"found"`
	Error string `json:"error"`
}

// PrefillTerm is an EDAM term of the tool, with the local edam_terms
// record when there is a usable one (same branch, not obsolete).
type PrefillTerm struct {
	URI   string  `json:"uri"`
	Term  string  `json:"term"`
	ID    *string `json:"id"`    // edam_terms record id, null when unknown locally
	Label *string `json:"label"` // local label, null when unknown locally
}

// LicenseMatch is the licenses record matching bio.tools' license string.
type LicenseMatch struct {
	ID         string `json:"id"`
	LicenseID  string `json:"license_id"`
	Name       string `json:"name"`
	Deprecated bool   `json:"deprecated"`
}

// Prefill is the successful answer of GET /biotools/prefill/: what the form
// can apply to its empty fields.
type Prefill struct {
	Found       bool   `json:"found"`
	BiotoolsID  string `json:"biotools_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Homepage    string `json:"homepage"`
	// License is bio.tools' license string as it is ("MIT", "Other", ...);
	// LicenseMatch the SPDX licenses record it names, or null.
	License      string        `json:"license"`
	LicenseMatch *LicenseMatch `json:"license_match"`
	// Publications are PMIDs (or DOIs where a publication has no PMID),
	// comma-separated, at most 10: the format of publications_pmids.
	Publications     string        `json:"publications"`
	EDAMTopics       []PrefillTerm `json:"edam_topics"`
	EDAMOperations   []PrefillTerm `json:"edam_operations"`
	EDAMTopicIDs     []string      `json:"edam_topic_ids"`
	EDAMOperationIDs []string      `json:"edam_operation_ids"`
	ToolTypes        []string      `json:"tool_types"`
	GitHubURL        string        `json:"github_url"`
	Version          string        `json:"version"`
	Message          string        `json:"message"`
}

// handlePrefill answers GET /biotools/prefill/?id=<id or https://bio.tools/<id>>.
func (p *Plugin) handlePrefill(e *core.RequestEvent) error {
	if p.config.PrefillDisabled {
		return e.JSON(http.StatusNotFound, prefillFailure{Error: "The bio.tools prefill is switched off."})
	}
	id := normalizePrefillID(e.Request.URL.Query().Get("id"))
	if id == "" {
		return e.JSON(http.StatusBadRequest, prefillFailure{Error: prefillNoID})
	}
	notFound := prefillFailure{Error: fmt.Sprintf(prefillNotFound, id)}
	if !ValidID(id) {
		return e.JSON(http.StatusNotFound, notFound)
	}

	ctx, cancel := context.WithTimeout(e.Request.Context(), p.config.PrefillTimeout)
	defer cancel()
	tool, err := p.client.tool(ctx, id, 1)
	switch {
	case errors.Is(err, ErrNotFound):
		return e.JSON(http.StatusNotFound, notFound)
	case err != nil:
		e.App.Logger().Warn("bio.tools prefill failed", "biotools_id", id, "error", err.Error())
		return e.JSON(http.StatusServiceUnavailable, prefillFailure{Error: prefillUnavailable})
	}
	return e.JSON(http.StatusOK, BuildPrefill(e.App, tool, id))
}

// handlePrefillMethodNotAllowed answers every method but GET and HEAD.
func (p *Plugin) handlePrefillMethodNotAllowed(e *core.RequestEvent) error {
	e.Response.Header().Set("Allow", "GET, HEAD")
	return e.JSON(http.StatusMethodNotAllowed, prefillFailure{Error: "Only GET is allowed here."})
}

// normalizePrefillID accepts an id or a bio.tools URL, as the form sends
// whatever the submitter typed: trimmed, lower-cased, without the
// "https://bio.tools/" prefix and trailing slashes.
func normalizePrefillID(raw string) string {
	id := strings.ToLower(strings.TrimSpace(raw))
	for _, prefix := range []string{"https://bio.tools/", "http://bio.tools/", "bio.tools/"} {
		if strings.HasPrefix(id, prefix) {
			id = strings.TrimPrefix(id, prefix)
			break
		}
	}
	return strings.Trim(id, "/")
}

// BuildPrefill turns a tool into the prefill answer, matching its license
// and EDAM terms against the local collections.
func BuildPrefill(app core.App, tool *Tool, requestedID string) Prefill {
	out := Prefill{
		Found:            true,
		BiotoolsID:       tool.ID,
		Name:             tool.Name,
		Description:      truncate(tool.Description, prefillDescriptionLength),
		Homepage:         tool.Homepage,
		License:          tool.License,
		LicenseMatch:     matchLicense(app, tool.License),
		Publications:     publicationList(tool.Publications),
		EDAMTopicIDs:     []string{},
		EDAMOperationIDs: []string{},
		ToolTypes:        tool.ToolTypes,
		GitHubURL:        githubURL(tool),
		Message:          prefillMessage,
	}
	if out.BiotoolsID == "" {
		out.BiotoolsID = requestedID
	}
	if len(tool.Versions) > 0 {
		out.Version = tool.Versions[0]
	}

	operations := tool.Operations()
	uris := make([]string, 0, len(tool.Topics)+len(operations))
	for _, t := range append(append([]Term{}, tool.Topics...), operations...) {
		uris = append(uris, t.URI)
	}
	local := edamTermsByURI(app, uris)
	out.EDAMTopics, out.EDAMTopicIDs = resolveTerms(tool.Topics, local, "topic")
	out.EDAMOperations, out.EDAMOperationIDs = resolveTerms(operations, local, "operation")
	return out
}

// resolveTerms pairs bio.tools terms with usable local terms of branch.
func resolveTerms(terms []Term, local map[string]*core.Record, branch string) ([]PrefillTerm, []string) {
	out := make([]PrefillTerm, 0, len(terms))
	ids := []string{}
	for _, t := range terms {
		item := PrefillTerm{URI: t.URI, Term: t.Term}
		if rec := local[t.URI]; rec != nil && rec.GetString("branch") == branch && !rec.GetBool("obsolete") {
			id, label := rec.Id, rec.GetString("label")
			item.ID, item.Label = &id, &label
			ids = append(ids, id)
		}
		out = append(out, item)
	}
	return out, ids
}

// edamTermsByURI loads the edam_terms records of uris in one query.
func edamTermsByURI(app core.App, uris []string) map[string]*core.Record {
	out := map[string]*core.Record{}
	if len(uris) == 0 {
		return out
	}
	values := make([]any, len(uris))
	for i, u := range uris {
		values[i] = u
	}
	records, err := app.FindAllRecords("edam_terms", dbx.In("uri", values...))
	if err != nil {
		app.Logger().Warn("Could not look up EDAM terms", "error", err.Error())
		return out
	}
	for _, r := range records {
		out[r.GetString("uri")] = r
	}
	return out
}

// matchLicense finds the licenses record for bio.tools' license string:
// the exact SPDX id, else the same id in other letter case (bio.tools
// records predate some SPDX spellings). "Other", "Proprietary" and the like
// match nothing.
func matchLicense(app core.App, license string) *LicenseMatch {
	if license == "" {
		return nil
	}
	record, err := app.FindFirstRecordByData("licenses", "license_id", license)
	if errors.Is(err, sql.ErrNoRows) {
		var rows []*core.Record
		err = app.RecordQuery("licenses").
			AndWhere(dbx.NewExp("license_id = {:id} COLLATE NOCASE", dbx.Params{"id": license})).
			OrderBy("license_id ASC").Limit(1).All(&rows)
		record = nil
		if len(rows) > 0 {
			record = rows[0]
		}
	}
	if err != nil || record == nil {
		return nil
	}
	return &LicenseMatch{
		ID:         record.Id,
		LicenseID:  record.GetString("license_id"),
		Name:       record.GetString("name"),
		Deprecated: record.GetBool("deprecated"),
	}
}

// publicationList renders the publications as publications_pmids expects:
// per publication its PMID, else its DOI; at most 10, each once.
func publicationList(pubs []Publication) string {
	var out []string
	seen := map[string]bool{}
	for _, pub := range pubs {
		ref := pub.PMID
		if ref == "" {
			ref = pub.DOI
		}
		if ref == "" || seen[ref] {
			continue
		}
		seen[ref] = true
		out = append(out, ref)
		if len(out) == prefillPublications {
			break
		}
	}
	return strings.Join(out, ", ")
}

// githubURL picks the tool's GitHub repository: the first link to
// github.com, else a source download there, else a documentation page or
// the homepage there. http:// links are upgraded, since the form accepts
// only https://github.com/ URLs.
func githubURL(tool *Tool) string {
	var candidates []string
	for _, l := range tool.Links {
		candidates = append(candidates, l.URL)
	}
	for _, d := range tool.Downloads {
		if d.Type == "Source code" || d.Type == "Source package" {
			candidates = append(candidates, d.URL)
		}
	}
	for _, d := range tool.Documentation {
		candidates = append(candidates, d.URL)
	}
	candidates = append(candidates, tool.Homepage)
	for _, c := range candidates {
		lower := strings.ToLower(c)
		for _, prefix := range []string{"https://github.com/", "http://github.com/", "https://www.github.com/", "http://www.github.com/"} {
			if strings.HasPrefix(lower, prefix) && len(c) > len(prefix) {
				return "https://github.com/" + c[len(prefix):]
			}
		}
	}
	return ""
}
