package edam

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// Collection is the name of the collection holding the terms.
const Collection = "edam_terms"

// Branches of the ontology as stored in the "branch" field. "identifier" is
// not a URI prefix: it is the subtree of data_0842 (see identifierRoot).
const (
	BranchTopic      = "topic"
	BranchOperation  = "operation"
	BranchData       = "data"
	BranchFormat     = "format"
	BranchIdentifier = "identifier"
)

// branchRank orders branches as the API lists them (alphabetically, like
// the original's "ORDER BY branch").
func branchRank(branch string) int {
	switch branch {
	case BranchData:
		return 0
	case BranchFormat:
		return 1
	case BranchIdentifier:
		return 2
	case BranchOperation:
		return 3
	case BranchTopic:
		return 4
	}
	return 5
}

// identifierRoot is the EDAM concept "Identifier"; it and its descendants
// form the "identifier" branch although their URIs say data_.
const identifierRoot = "http://edamontology.org/data_0842"

// termURLBase is where a term's human-readable page lives (the "url" of the
// API, always https like the original registry).
const termURLBase = "https://edamontology.org/"

// prefixCode turns a URI prefix into the leading digit of a term's record
// id. The code comes from the prefix, not the branch, so an identifier keeps
// the id its data_ accession implies.
func prefixCode(prefix string) int64 {
	switch prefix {
	case "topic":
		return 1
	case "operation":
		return 2
	case "data":
		return 3
	case "format":
		return 4
	}
	return 0
}

// idFactor separates the prefix code from the accession number.
const idFactor = 100000

// accessionPattern matches an EDAM accession. Numbers have four digits,
// or five without a leading zero, so "topic_0121" and "topic_00121" can
// never name the same id.
var accessionPattern = regexp.MustCompile(`^(topic|operation|data|format)_(\d{4}|[1-9]\d{4})$`)

// Term is one EDAM concept as read from a release.
type Term struct {
	// URI is the concept's IRI, e.g. "http://edamontology.org/topic_0121".
	URI string
	// Accession is the last path segment of URI, e.g. "topic_0121".
	Accession string
	// Branch is topic, operation, data, format or identifier.
	Branch string
	// Label is the preferred label (rdfs:label).
	Label string
	// Definition is oboInOwl:hasDefinition, or the first rdfs:comment.
	Definition string
	// Synonyms are the exact, narrow, broad and related synonyms, in that
	// order, each kind sorted, without duplicates.
	Synonyms []string
	// Parents are the URIs of the EDAM superclasses, sorted.
	Parents []string
	// OldParents are the former superclasses of an obsolete term.
	OldParents []string
	// Obsolete is set for deprecated concepts.
	Obsolete bool
	// SortOrder is the number of the accession (121 for topic_0121).
	SortOrder int
}

// Parent is the URI of the term's first EDAM superclass, or "" for roots and
// obsolete terms. The first in URI order is the first the OWL lists, so an
// OWL and a CSV release of the same version name the same parent.
func (t *Term) Parent() string {
	if len(t.Parents) == 0 {
		return ""
	}
	return t.Parents[0]
}

// ID is the record id of the term (see TermID).
func (t *Term) ID() string {
	id, _ := TermID(t.Accession)
	return id
}

// Ontology is a parsed EDAM release.
type Ontology struct {
	// Version is the release, e.g. "1.25"; "" when the source does not say.
	Version string
	// Terms are the EDAM concepts, in source order.
	Terms []Term
	// Skipped counts classes that were not EDAM terms or had no label.
	Skipped int
}

// TermID derives the record id of an accession: the URI prefix's code
// times 100000 plus the accession number, so "topic_0121" is "100121" on
// every installation.
func TermID(accession string) (string, error) {
	m := accessionPattern.FindStringSubmatch(accession)
	if m == nil {
		return "", fmt.Errorf("%q is not an EDAM accession", accession)
	}
	n, _ := strconv.ParseInt(m[2], 10, 64)
	return strconv.FormatInt(prefixCode(m[1])*idFactor+n, 10), nil
}

// splitAccession returns the prefix and number of a valid accession.
func splitAccession(accession string) (prefix string, number int, ok bool) {
	m := accessionPattern.FindStringSubmatch(accession)
	if m == nil {
		return "", 0, false
	}
	n, _ := strconv.Atoi(m[2])
	return m[1], n, true
}

// accessionFromURI returns the accession of an EDAM term URI (http or
// https), or "" when uri is not one.
func accessionFromURI(uri string) string {
	rest, ok := strings.CutPrefix(uri, "http://edamontology.org/")
	if !ok {
		rest, ok = strings.CutPrefix(uri, "https://edamontology.org/")
	}
	if !ok || !accessionPattern.MatchString(rest) {
		return ""
	}
	return rest
}

// TermURL is the public page of an accession.
func TermURL(accession string) string { return termURLBase + accession }

// ErrTermNotFound is returned by ResolveTerm for references that name no
// stored term, including references that are not EDAM ids at all.
var ErrTermNotFound = errors.New("no such EDAM term")

// ResolveTerm finds a stored term by integer id ("100121"), accession
// ("topic_0121") or URI ("http://edamontology.org/topic_0121", also https).
// Obsolete terms resolve too, so existing annotations keep working; callers
// that accept only current terms check the "obsolete" field. Failures wrap
// ErrTermNotFound.
func ResolveTerm(app core.App, ref string) (*core.Record, error) {
	ref = strings.TrimSpace(ref)
	field, value := "", ""
	switch {
	case ref == "":
		return nil, fmt.Errorf("%w: empty reference", ErrTermNotFound)
	case isDigits(ref):
		field, value = core.FieldNameId, ref
	case accessionPattern.MatchString(ref):
		field, value = "accession", ref
	case accessionFromURI(ref) != "":
		field, value = "accession", accessionFromURI(ref)
	default:
		return nil, fmt.Errorf("%w: %q is neither an id, an accession nor an EDAM URI", ErrTermNotFound, ref)
	}
	rec, err := app.FindFirstRecordByData(Collection, field, value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrTermNotFound, ref)
	}
	if err != nil {
		return nil, fmt.Errorf("looking up EDAM term %q: %w", ref, err)
	}
	return rec, nil
}

// isDigits reports whether s is a non-empty string of ASCII digits.
func isDigits(s string) bool {
	if s == "" || len(s) > 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// TermJSON is the compact representation of a term record used in lists
// and wherever a term is embedded: id (integer), uri, accession, branch,
// label and url.
func TermJSON(rec *core.Record) map[string]any {
	item := itemOf(rec)
	return map[string]any{
		"id":        item.ID,
		"uri":       item.URI,
		"accession": item.Accession,
		"branch":    item.Branch,
		"label":     item.Label,
		"url":       item.URL,
	}
}

// assignBranches sets every term's branch from its URI prefix, moving the
// data_0842 subtree to "identifier". Obsolete terms have no live parents,
// so their former parents decide.
func assignBranches(terms []Term) {
	byURI := make(map[string]*Term, len(terms))
	for i := range terms {
		byURI[terms[i].URI] = &terms[i]
	}
	// memo: 1 = in the identifier subtree, 2 = not, 3 = being visited
	memo := make(map[string]uint8, len(terms))
	var isIdentifier func(uri string) bool
	isIdentifier = func(uri string) bool {
		if uri == identifierRoot {
			return true
		}
		switch memo[uri] {
		case 1:
			return true
		case 2, 3: // a cycle counts as "not reached"
			return false
		}
		t := byURI[uri]
		if t == nil {
			return false
		}
		memo[uri] = 3
		parents := t.Parents
		if len(parents) == 0 {
			parents = t.OldParents
		}
		found := false
		for _, p := range parents {
			if isIdentifier(p) {
				found = true
				break
			}
		}
		if found {
			memo[uri] = 1
		} else {
			memo[uri] = 2
		}
		return found
	}
	for i := range terms {
		t := &terms[i]
		prefix, _, _ := strings.Cut(t.Accession, "_")
		t.Branch = prefix
		if prefix == "data" && isIdentifier(t.URI) {
			t.Branch = BranchIdentifier
		}
	}
}
