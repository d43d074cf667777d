package hooks

import (
	"strings"

	"github.com/denbi/service-registry/plugins/edam"
	"github.com/denbi/service-registry/plugins/licenses"
	"github.com/pocketbase/pocketbase/core"
)

// resolveTerms maps EDAM references (integer id, accession such as
// "topic_0121", or URI) to edam_terms ids of the given branch. Obsolete terms
// are refused: they cannot be chosen for new annotations.
func resolveTerms(app core.App, refs []string, branch string) ([]string, error) {
	out := make([]string, 0, len(refs))
	var unknown, wrongBranch, obsolete []string
	for _, ref := range refs {
		term, err := edam.ResolveTerm(app, ref)
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

// resolveLicenses maps SPDX license ids ("MIT") to licenses record ids.
// Deprecated ids are accepted: they stay valid on existing entries.
func resolveLicenses(app core.App, refs []string) ([]string, error) {
	out := make([]string, 0, len(refs))
	var unknown []string
	for _, ref := range refs {
		rec, err := licenses.ResolveLicense(app, strings.TrimSpace(ref))
		if err != nil {
			unknown = append(unknown, quoteRef(ref))
			continue
		}
		out = append(out, rec.Id)
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
