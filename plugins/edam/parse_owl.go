package edam

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
)

// Namespaces the OWL parser reads.
const (
	nsRDF      = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsRDFS     = "http://www.w3.org/2000/01/rdf-schema#"
	nsOWL      = "http://www.w3.org/2002/07/owl#"
	nsOBO      = "http://www.geneontology.org/formats/oboInOwl#"
	nsDOAP     = "http://usefulinc.com/ns/doap#"
	nsEDAM     = "http://edamontology.org/"
	nsXML      = "http://www.w3.org/XML/1998/namespace"
	owlClass   = nsOWL + "Class"
	maxTextLen = 1 << 20 // per property; EDAM's longest is a few KB
)

// entityPattern reads internal entity declarations of a DOCTYPE, which
// Protégé-style RDF/XML uses for namespace abbreviations (&owl;).
var entityPattern = regexp.MustCompile(`<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"]*)"|'([^']*)')\s*>`)

// owlState tracks where the token stream is.
type owlState struct {
	base     string // xml:base of the document
	depth    int
	ontology bool     // inside owl:Ontology
	term     *rawTerm // inside a top-level description with rdf:about
	prop     xml.Name // the current property element (depth 3)
	resource string   // its rdf:resource
	lang     string   // its xml:lang
	text     strings.Builder
	nested   bool // the property holds elements, not text
	labelEN  bool // the current term's label is untagged or English

	versionInfo, doapVersion, versionIRI, ontologyAbout string
}

// ParseOWL reads an EDAM release in RDF/XML (the upstream EDAM_stable.owl)
// as a token stream, so memory grows with the number of terms, not with
// the size of the file. Every top-level owl:Class with an EDAM URI and a
// label becomes a term; axioms, properties and nested class expressions
// are ignored.
func ParseOWL(r io.Reader) (*Ontology, error) {
	d := xml.NewDecoder(r)
	d.Entity = map[string]string{}
	st := &owlState{}
	terms := newTermCollector()
	sawRoot := false

	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the EDAM OWL: %w", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			for _, m := range entityPattern.FindAllStringSubmatch(string(t), -1) {
				d.Entity[m[1]] = m[2] + m[3]
			}
		case xml.StartElement:
			st.depth++
			switch st.depth {
			case 1:
				sawRoot = true
				st.base = attr(t, nsXML, "base")
			case 2:
				st.startDescription(t)
			case 3:
				st.startProperty(t)
			default:
				st.nested = true
			}
		case xml.CharData:
			if st.depth == 3 && !st.nested && (st.term != nil || st.ontology) && st.text.Len() < maxTextLen {
				st.text.Write(t)
			}
		case xml.EndElement:
			switch st.depth {
			case 2:
				if st.term != nil {
					terms.add(st.term)
				}
				st.term, st.ontology = nil, false
			case 3:
				st.endProperty()
			}
			st.depth--
		}
	}
	if !sawRoot {
		return nil, errors.New("reading the EDAM OWL: no XML element found")
	}
	return terms.ontology(st.version()), nil
}

// startDescription begins a top-level element: the ontology header or a
// resource description with rdf:about.
func (st *owlState) startDescription(t xml.StartElement) {
	if t.Name.Space == nsOWL && t.Name.Local == "Ontology" {
		st.ontology = true
		st.ontologyAbout = attr(t, nsRDF, "about")
		return
	}
	about := attr(t, nsRDF, "about")
	if about == "" {
		return
	}
	st.term = &rawTerm{
		uri:     st.resolve(about),
		isClass: t.Name.Space+t.Name.Local == owlClass,
	}
	st.labelEN = false
}

// startProperty begins a property of the current description.
func (st *owlState) startProperty(t xml.StartElement) {
	st.prop = t.Name
	st.resource = attr(t, nsRDF, "resource")
	if st.resource != "" {
		st.resource = st.resolve(st.resource)
	}
	st.lang = attr(t, nsXML, "lang")
	st.text.Reset()
	st.nested = false
}

// endProperty stores the finished property on the term or the header.
func (st *owlState) endProperty() {
	text := strings.TrimSpace(st.text.String())
	if st.nested {
		text = ""
	}
	name := st.prop.Space + st.prop.Local
	if st.ontology {
		switch name {
		case nsOWL + "versionInfo":
			st.versionInfo = text
		case nsDOAP + "Version":
			st.doapVersion = text
		case nsOWL + "versionIRI":
			st.versionIRI = st.resource
		}
		return
	}
	t := st.term
	if t == nil {
		return
	}
	switch name {
	case nsRDFS + "label":
		english := st.lang == "" || strings.HasPrefix(strings.ToLower(st.lang), "en")
		if text != "" && (t.label == "" || english && !st.labelEN) {
			t.label, st.labelEN = text, english
		}
	case nsOBO + "hasDefinition":
		if t.definition == "" {
			t.definition = text
		}
	case nsRDFS + "comment":
		if t.comment == "" {
			t.comment = text
		}
	case nsOBO + "hasExactSynonym":
		t.exact = append(t.exact, text)
	case nsOBO + "hasNarrowSynonym":
		t.narrow = append(t.narrow, text)
	case nsOBO + "hasBroadSynonym":
		t.broad = append(t.broad, text)
	case nsOBO + "hasRelatedSynonym":
		t.related = append(t.related, text)
	case nsRDFS + "subClassOf":
		if st.resource != "" {
			t.parents = append(t.parents, st.resource)
		}
	case nsEDAM + "oldParent":
		if st.resource != "" {
			t.oldParents = append(t.oldParents, st.resource)
		}
	case nsOWL + "deprecated":
		if v := strings.ToLower(text); v == "true" || v == "1" {
			t.deprecated = true
		}
	case nsRDF + "type":
		if st.resource == owlClass {
			t.isClass = true
		}
	}
}

// version picks the release number from the ontology header.
func (st *owlState) version() string {
	for _, s := range []string{st.versionInfo, st.doapVersion, st.versionIRI, st.ontologyAbout} {
		if v := releaseVersion(s); v != "" {
			return v
		}
	}
	return ""
}

// resolve makes a relative rdf:about or rdf:resource absolute against the
// document's xml:base.
func (st *owlState) resolve(ref string) string {
	if st.base == "" || strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
		return ref
	}
	base, err := url.Parse(st.base)
	if err != nil {
		return ref
	}
	rel, err := url.Parse(ref)
	if err != nil || rel.IsAbs() {
		return ref
	}
	return base.ResolveReference(rel).String()
}

// attr returns the value of the attribute space:local of t, or "".
func attr(t xml.StartElement, space, local string) string {
	for _, a := range t.Attr {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}
