package hooks

import (
	"database/sql"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// resolveTerms maps EDAM references (integer id, accession such as
// "topic_0121", or URI) to edam_terms ids of the given branch. Obsolete terms
// are refused: they cannot be chosen for new annotations.
func resolveTerms(app core.App, refs []string, branch string) ([]string, error) {
	out := make([]string, 0, len(refs))
	var unknown, wrongBranch, obsolete []string
	for _, ref := range refs {
		ref = strings.TrimSpace(ref)
		term, err := findTerm(app, ref)
		switch {
		case err != nil:
			unknown = append(unknown, quoteRef(ref))
		case term.GetString("branch") != branch:
			wrongBranch = append(wrongBranch, quoteRef(ref))
		case term.GetBool("obsolete"):
			obsolete = append(obsolete, quoteRef(ref))
		default:
			out = append(out, term.Id)
		}
	}
	switch {
	case len(unknown) > 0:
		return nil, problem("Unknown EDAM term: %s. Use ids, accessions (topic_0121) or URIs from /api/v1/edam/.", strings.Join(unknown, ", "))
	case len(wrongBranch) > 0:
		return nil, problem("Not an EDAM %s: %s.", branch, strings.Join(wrongBranch, ", "))
	case len(obsolete) > 0:
		return nil, problem("Obsolete EDAM term: %s. Choose its replacement.", strings.Join(obsolete, ", "))
	}
	return out, nil
}

// findTerm looks an EDAM term up by id, accession or URI.
func findTerm(app core.App, ref string) (*core.Record, error) {
	switch {
	case ref == "":
		return nil, sql.ErrNoRows
	case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
		uri := "http://" + strings.TrimPrefix(strings.TrimPrefix(ref, "https://"), "http://")
		return app.FindFirstRecordByData("edam_terms", "uri", uri)
	case strings.Contains(ref, "_"):
		return app.FindFirstRecordByData("edam_terms", "accession", ref)
	}
	return app.FindRecordById("edam_terms", ref)
}

// resolveLicenses maps SPDX license ids ("MIT") to licenses record ids.
// Deprecated ids are accepted: they stay valid on existing entries.
func resolveLicenses(app core.App, refs []string) ([]string, error) {
	if len(refs) == 0 {
		return []string{}, nil
	}
	values := make([]any, len(refs))
	for i, ref := range refs {
		values[i] = strings.TrimSpace(ref)
	}
	var rows []struct {
		ID        string `db:"id"`
		LicenseID string `db:"license_id"`
	}
	err := app.DB().Select("id", "license_id").From("licenses").
		Where(dbx.In("license_id", values...)).All(&rows)
	if err != nil {
		return nil, err
	}
	byLicense := make(map[string]string, len(rows))
	for _, row := range rows {
		byLicense[row.LicenseID] = row.ID
	}
	out := make([]string, 0, len(refs))
	var unknown []string
	for _, v := range values {
		id, ok := byLicense[v.(string)]
		if !ok {
			unknown = append(unknown, quoteRef(v.(string)))
			continue
		}
		out = append(out, id)
	}
	if len(unknown) > 0 {
		return nil, problem("Unknown SPDX license id: %s. Use ids such as MIT or Apache-2.0 (case-sensitive).", strings.Join(unknown, ", "))
	}
	return out, nil
}

func quoteRef(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return "'" + s + "'"
}
