package edam

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkOntology asserts what the sync relies on for any parsed release.
func checkOntology(t *testing.T, o *Ontology) {
	t.Helper()
	seen := map[string]bool{}
	for _, term := range o.Terms {
		prefix, number, ok := splitAccession(term.Accession)
		if !ok || accessionFromURI(term.URI) != term.Accession || seen[term.URI] {
			t.Fatalf("bad or repeated accession/URI: %+v", term)
		}
		seen[term.URI] = true
		if _, err := TermID(term.Accession); err != nil || term.SortOrder != number {
			t.Fatalf("id or sort order: %+v", term)
		}
		if term.Branch != prefix && !(prefix == "data" && term.Branch == BranchIdentifier) {
			t.Fatalf("branch %q for %s", term.Branch, term.Accession)
		}
		if term.Label == "" || utf8.RuneCountInString(term.Label) > maxLabel || utf8.RuneCountInString(term.Definition) > maxDefinition {
			t.Fatalf("label/definition limits: %q", term.Label)
		}
		texts := append([]string{term.Label, term.Definition}, term.Synonyms...)
		for _, s := range texts {
			if !utf8.ValidString(s) || s != strings.TrimSpace(s) || strings.Contains(s, "\n") {
				t.Fatalf("text not normalised: %q", s)
			}
		}
		if term.Synonyms == nil || len(term.Synonyms) > maxSynonyms || slices.Contains(term.Synonyms, "") {
			t.Fatalf("synonyms %q", term.Synonyms)
		}
		sorted := slices.Clone(term.Synonyms)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != len(term.Synonyms) {
			t.Fatalf("repeated synonyms %q", term.Synonyms)
		}
		for _, list := range [][]string{term.Parents, term.OldParents} {
			if !slices.IsSorted(list) || len(slices.Compact(slices.Clone(list))) != len(list) || slices.Contains(list, term.URI) {
				t.Fatalf("parents %v of %s", list, term.URI)
			}
			for _, p := range list {
				if accessionFromURI(p) == "" {
					t.Fatalf("non-EDAM parent %q", p)
				}
			}
		}
	}
	if len(o.Version) > 40 {
		t.Fatalf("version %q", o.Version)
	}
}

// owlSeed wraps class descriptions in the namespaces EDAM uses. Seeds stay
// small: the fuzzer minimises every new input byte by byte, and a seed of
// the size of testdata/minimal.owl keeps it minimising instead of fuzzing.
func owlSeed(body string) []byte {
	return []byte(`<rdf:RDF xmlns="http://edamontology.org/" xml:base="http://edamontology.org/"
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
 xmlns:owl="http://www.w3.org/2002/07/owl#" xmlns:oboInOwl="http://www.geneontology.org/formats/oboInOwl#">` + body + `</rdf:RDF>`)
}

func FuzzParseOWL(f *testing.F) {
	f.Add(owlSeed(`<owl:Ontology rdf:about="http://edamontology.org"><owl:versionInfo>1.25-2020</owl:versionInfo></owl:Ontology>
<owl:Class rdf:about="http://edamontology.org/topic_0121"><rdfs:subClassOf rdf:resource="topic_3391"/>
<oboInOwl:hasDefinition>Protein and
 peptide.</oboInOwl:hasDefinition><oboInOwl:hasNarrowSynonym>Metaproteomics</oboInOwl:hasNarrowSynonym>
<oboInOwl:hasExactSynonym rdf:resource="http://purl.org/dc/elements/1.1/identifier"/><rdfs:label>Proteomics</rdfs:label></owl:Class>
<owl:Class rdf:about="topic_3391"><rdfs:label xml:lang="en">Omics</rdfs:label></owl:Class>`))
	f.Add(owlSeed(`<owl:Class rdf:about="http://edamontology.org/data_0842"><rdfs:subClassOf><owl:Restriction>
<owl:onProperty rdf:resource="http://edamontology.org/has_topic"/></owl:Restriction></rdfs:subClassOf><rdfs:label>Identifier</rdfs:label></owl:Class>
<owl:Class rdf:about="http://edamontology.org/data_2093"><rdfs:subClassOf rdf:resource="http://www.w3.org/2002/07/owl#DeprecatedClass"/>
<oldParent rdf:resource="http://edamontology.org/data_0842"/><rdfs:comment>Old.</rdfs:comment><rdfs:label>Ref</rdfs:label>
<owl:deprecated>true</owl:deprecated></owl:Class><rdf:Description rdf:about="data_2093"><rdf:type rdf:resource="http://www.w3.org/2002/07/owl#Class"/></rdf:Description>`))
	f.Add([]byte(`<!DOCTYPE r [<!ENTITY e "http://edamontology.org/">]><r xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:owl="http://www.w3.org/2002/07/owl#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"><owl:Class rdf:about="&e;format_1915"><rdfs:label>Format</rdfs:label><rdfs:subClassOf rdf:resource="&e;format_1915"/></owl:Class></r>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ParseOWL(bytes.NewReader(data))
		if err != nil {
			return
		}
		checkOntology(t, o)
	})
}

func FuzzParseCSV(f *testing.F) {
	header := "Class ID,Preferred Label,Synonyms,Definitions,Obsolete,Parents,Old parent\r\n"
	f.Add([]byte(header + "http://edamontology.org/topic_0003,Topic,,A domain.,FALSE,http://www.w3.org/2002/07/owl#Thing,\r\n" +
		"http://edamontology.org/data_0842,Identifier,ID|Id,\"Text, with comma|comment\",FALSE,http://edamontology.org/data_0006,\r\n" +
		"http://edamontology.org/data_0001,Old,,,TRUE,http://www.w3.org/2002/07/owl#DeprecatedClass,http://edamontology.org/data_0842\r\n"))
	f.Add([]byte("Class ID\tPreferred Label\n\"http://edamontology.org/format_1915\"\tFormat\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		checkOntology(t, o)
	})
}
