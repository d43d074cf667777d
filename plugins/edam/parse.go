package edam

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of the edam_terms fields; longer upstream values are cut rather
// than failing the whole release.
const (
	maxLabel      = 200
	maxDefinition = 10000
	maxSynonym    = 200
	maxSynonyms   = 100
)

// deprecatedClass is the superclass OWL gives obsolete concepts.
const deprecatedClass = "http://www.w3.org/2002/07/owl#DeprecatedClass"

// versionPattern finds a release number such as "1.25" in version strings
// ("1.25-20200618T0915Z") and file names ("EDAM_1.25.owl").
var versionPattern = regexp.MustCompile(`\d+\.\d+(?:\.\d+)?`)

// releaseVersion extracts a release number from s, or "".
func releaseVersion(s string) string {
	return versionPattern.FindString(s)
}

// Parse reads an EDAM release in any supported format: OWL (RDF/XML), or
// the BioPortal CSV or TSV export. The format is recognised from the
// content, so the source's name does not matter.
func Parse(r io.Reader) (*Ontology, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(head)) == 0 {
		return nil, errors.New("the EDAM source is empty")
	}
	if bytes.TrimLeft(head, " \t\r\n")[0] == '<' {
		return ParseOWL(br)
	}
	return ParseCSV(br)
}

// rawTerm collects what a source says about one class before it is
// checked and normalised into a Term.
type rawTerm struct {
	uri        string
	isClass    bool
	label      string
	definition string
	comment    string
	exact      []string
	narrow     []string
	broad      []string
	related    []string
	parents    []string
	oldParents []string
	deprecated bool
}

// termCollector keeps raw terms in source order and merges repeated
// descriptions of the same URI (RDF allows splitting them).
type termCollector struct {
	order []*rawTerm
	byURI map[string]*rawTerm
}

func newTermCollector() *termCollector {
	return &termCollector{byURI: map[string]*rawTerm{}}
}

// add merges t into the collection.
func (c *termCollector) add(t *rawTerm) {
	prev := c.byURI[t.uri]
	if prev == nil {
		c.byURI[t.uri] = t
		c.order = append(c.order, t)
		return
	}
	prev.isClass = prev.isClass || t.isClass
	prev.deprecated = prev.deprecated || t.deprecated
	if prev.label == "" {
		prev.label = t.label
	}
	if prev.definition == "" {
		prev.definition = t.definition
	}
	if prev.comment == "" {
		prev.comment = t.comment
	}
	prev.exact = append(prev.exact, t.exact...)
	prev.narrow = append(prev.narrow, t.narrow...)
	prev.broad = append(prev.broad, t.broad...)
	prev.related = append(prev.related, t.related...)
	prev.parents = append(prev.parents, t.parents...)
	prev.oldParents = append(prev.oldParents, t.oldParents...)
}

// ontology turns the collected classes into terms: non-EDAM URIs and
// classes without a label are skipped, texts are normalised and cut to the
// field limits, and branches are assigned.
func (c *termCollector) ontology(version string) *Ontology {
	o := &Ontology{Version: clip(version, 40), Terms: make([]Term, 0, len(c.order))}
	for _, raw := range c.order {
		if !raw.isClass {
			continue
		}
		accession := accessionFromURI(raw.uri)
		label := clip(normalizeSpace(raw.label), maxLabel)
		if accession == "" || label == "" {
			o.Skipped++
			continue
		}
		_, number, _ := splitAccession(accession)
		definition := normalizeSpace(raw.definition)
		if definition == "" {
			definition = normalizeSpace(raw.comment)
		}
		t := Term{
			URI:        raw.uri,
			Accession:  accession,
			Label:      label,
			Definition: clip(definition, maxDefinition),
			Synonyms:   synonyms(raw.exact, raw.narrow, raw.broad, raw.related),
			Parents:    edamURIs(raw.parents, raw.uri),
			OldParents: edamURIs(raw.oldParents, raw.uri),
			Obsolete:   raw.deprecated || slices.Contains(raw.parents, deprecatedClass),
			SortOrder:  number,
		}
		o.Terms = append(o.Terms, t)
	}
	assignBranches(o.Terms)
	return o
}

// synonyms joins the four kinds in order, each sorted so that every export
// format of a release yields the same list, without blanks or repeats.
// Synonyms given as a resource (a URI) are not words anyone types; the OWL
// parser never sees them as text and the CSV export spells them out, so
// they are dropped here.
func synonyms(kinds ...[]string) []string {
	var out []string
	seen := map[string]bool{}
	for _, kind := range kinds {
		norm := make([]string, 0, len(kind))
		for _, s := range kind {
			s = clip(normalizeSpace(s), maxSynonym)
			if s != "" && !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
				norm = append(norm, s)
			}
		}
		slices.Sort(norm)
		for _, s := range norm {
			if !seen[s] && len(out) < maxSynonyms {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// edamURIs keeps the EDAM term URIs of list (not self), sorted and unique.
func edamURIs(list []string, self string) []string {
	var out []string
	for _, u := range list {
		if u != self && accessionFromURI(u) != "" {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// normalizeSpace trims s, folds every run of white space (including the
// line breaks some OWL texts carry) into one space and replaces invalid
// UTF-8, so stored texts compare equal whatever the source format.
func normalizeSpace(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	clean := true
	for i, r := range s {
		if unicode.IsSpace(r) && (r != ' ' || i == 0 || i == len(s)-1 || s[i+1] == ' ') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n]))
}
