package edam

import (
	"slices"
	"strings"
	"testing"
)

// byAccession indexes parsed terms.
func byAccession(o *Ontology) map[string]Term {
	m := make(map[string]Term, len(o.Terms))
	for _, t := range o.Terms {
		m[t.Accession] = t
	}
	return m
}

// countBranches counts non-obsolete and obsolete terms per branch.
func countBranches(o *Ontology) (current, obsolete map[string]int) {
	current, obsolete = map[string]int{}, map[string]int{}
	for _, t := range o.Terms {
		if t.Obsolete {
			obsolete[t.Branch]++
		} else {
			current[t.Branch]++
		}
	}
	return current, obsolete
}

func TestParseOWLFixture(t *testing.T) {
	o := ParseFile(t, "testdata/minimal.owl")

	if o.Version != "1.99" {
		t.Errorf("version %q, want 1.99 (from owl:versionInfo, ahead of doap:Version)", o.Version)
	}
	if len(o.Terms) != 13 || o.Skipped != 2 {
		var got []string
		for _, t := range o.Terms {
			got = append(got, t.Accession)
		}
		t.Fatalf("got %d terms %v and %d skipped; want 13 terms and 2 skipped (no label, not EDAM)", len(o.Terms), got, o.Skipped)
	}
	terms := byAccession(o)

	p := terms["topic_0121"]
	if p.URI != "http://edamontology.org/topic_0121" || p.Label != "Proteomics" || p.Branch != BranchTopic || p.SortOrder != 121 || p.Obsolete {
		t.Errorf("topic_0121 = %+v", p)
	}
	if p.Definition != "Protein and peptide identification, especially in the study of whole proteomes of organisms." {
		t.Errorf("definition should come from hasDefinition with its line break folded, got %q", p.Definition)
	}
	wantSyn := []string{"Protein expression profiling", "Bottom-up proteomics", "Metaproteomics", "Omics of proteins", "Protein & peptide science"}
	if !slices.Equal(p.Synonyms, wantSyn) {
		t.Errorf("synonyms %q, want exact, narrow (sorted), broad, related: %q", p.Synonyms, wantSyn)
	}
	if p.Parent() != "http://edamontology.org/topic_3391" || len(p.Parents) != 1 {
		t.Errorf("parents %v: the restriction must not count as a parent", p.Parents)
	}

	if op := terms["operation_0292"]; op.Parent() != "http://edamontology.org/operation_0004" || len(op.Parents) != 2 {
		t.Errorf("operation_0292 parents %v: want both, the first in URI order as parent", op.Parents)
	}
	if root := terms["operation_0004"]; root.URI != "http://edamontology.org/operation_0004" || root.Parent() != "" {
		t.Errorf("a relative rdf:about must resolve against xml:base: %+v", root)
	}

	if m := terms["topic_0079"]; !m.Obsolete || m.Parent() != "" || m.Branch != BranchTopic {
		t.Errorf("topic_0079 must be obsolete without a parent: %+v", m)
	}
	for acc, want := range map[string]string{"data_0006": BranchData, "data_0842": BranchIdentifier, "data_2091": BranchIdentifier, "data_2093": BranchIdentifier} {
		if got := terms[acc].Branch; got != want {
			t.Errorf("%s branch %q, want %q", acc, got, want)
		}
	}
	if d := terms["data_2093"]; !d.Obsolete {
		t.Errorf("a subclass of owl:DeprecatedClass is obsolete even without owl:deprecated: %+v", d)
	}

	f := terms["format_1929"]
	if f.Label != "FASTA" || f.Definition != "FASTA format including NCBI-style IDs." {
		t.Errorf("format_1929: want the English label and the first comment as definition, got %q / %q", f.Label, f.Definition)
	}
	if f.Synonyms == nil {
		t.Error("terms without synonyms need an empty list, not nil")
	}
	if _, ok := terms["topic_9999"]; ok {
		t.Error("a class without label must be skipped")
	}
}

func TestParseOWLReleaseCounts(t *testing.T) {
	o := ParseFile(t, SharedData(t, "edam/EDAM_1.25.owl"))
	if o.Version != "1.25" {
		t.Errorf("version %q, want 1.25", o.Version)
	}
	current, obsolete := countBranches(o)
	// spec/integrations.md §3: topic 260, operation 537, data 949 (incl.
	// identifiers), format 612 current. data_0842 itself belongs to the
	// identifier branch: 532 descendants + the root.
	want := map[string]int{BranchTopic: 260, BranchOperation: 537, BranchData: 416, BranchIdentifier: 533, BranchFormat: 612}
	for b, n := range want {
		if current[b] != n {
			t.Errorf("current %s: %d, want %d", b, current[b], n)
		}
	}
	if current[BranchData]+current[BranchIdentifier] != 949 {
		t.Errorf("data incl. identifiers: %d, want 949", current[BranchData]+current[BranchIdentifier])
	}
	nObsolete := 0
	for _, n := range obsolete {
		nObsolete += n
	}
	if len(o.Terms) != 3471 || nObsolete != 1113 {
		t.Errorf("%d terms, %d obsolete; want 3471 and 1113", len(o.Terms), nObsolete)
	}

	p := byAccession(o)["topic_0121"]
	if p.Label != "Proteomics" || p.Parent() != "http://edamontology.org/topic_3391" || !strings.HasPrefix(p.Definition, "Protein and peptide identification") {
		t.Errorf("topic_0121 = %+v", p)
	}
	if !slices.Contains(p.Synonyms, "Bottom-up proteomics") || !slices.Contains(p.Synonyms, "Metaproteomics") {
		t.Errorf("topic_0121 synonyms %q", p.Synonyms)
	}
	if b := byAccession(o)["topic_0091"]; b.Label != "Bioinformatics" || b.Parent() != "http://edamontology.org/topic_0605" {
		t.Errorf("topic_0091 = %+v", b)
	}
	for _, term := range o.Terms {
		if term.Label == "" || term.SortOrder <= 0 && term.Accession != "topic_0000" {
			t.Fatalf("incomplete term %+v", term)
		}
	}
}

func TestParseCSVSmall(t *testing.T) {
	o := ParseFile(t, SharedData(t, "edam/edam_small.csv"))
	// 67 rows: 65 EDAM terms and the two non-EDAM rows
	if len(o.Terms) != 65 || o.Skipped != 2 {
		t.Fatalf("%d terms, %d skipped; want 65 and 2", len(o.Terms), o.Skipped)
	}
	current, obsolete := countBranches(o)
	wantCurrent := map[string]int{BranchTopic: 14, BranchOperation: 18, BranchData: 4, BranchIdentifier: 5, BranchFormat: 16}
	for b, n := range wantCurrent {
		if current[b] != n {
			t.Errorf("current %s: %d, want %d", b, current[b], n)
		}
	}
	n := 0
	for _, c := range obsolete {
		n += c
	}
	if n != 8 {
		t.Errorf("%d obsolete, want 8", n)
	}
	terms := byAccession(o)
	p := terms["topic_0121"]
	if p.Label != "Proteomics" || p.Parent() != "http://edamontology.org/topic_3391" ||
		p.Definition != "Protein and peptide identification, especially in the study of whole proteomes of organisms." {
		t.Errorf("topic_0121 = %+v", p)
	}
	// narrow synonyms only, sorted like the OWL lists them
	if p.Synonyms[0] != "Bottom-up proteomics" || p.Synonyms[len(p.Synonyms)-1] != "Top-down proteomics" {
		t.Errorf("synonyms %q", p.Synonyms)
	}
	if a := terms["operation_0292"]; len(a.Parents) != 3 || a.Parent() != "http://edamontology.org/operation_2403" {
		t.Errorf("operation_0292 parents %v", a.Parents)
	}
	if m := terms["topic_0079"]; !m.Obsolete || m.Parent() != "" {
		t.Errorf("topic_0079 = %+v", m)
	}
}

func TestParseCSVRelease(t *testing.T) {
	o := ParseFile(t, SharedData(t, "edam/EDAM_1.25.csv"))
	current, _ := countBranches(o)
	want := map[string]int{BranchTopic: 260, BranchOperation: 537, BranchData: 416, BranchIdentifier: 533, BranchFormat: 612}
	for b, n := range want {
		if current[b] != n {
			t.Errorf("current %s: %d, want %d", b, current[b], n)
		}
	}
	if len(o.Terms) != 3471 {
		t.Errorf("%d terms, want 3471", len(o.Terms))
	}
	if o.Version != "" {
		t.Errorf("the CSV states no release, got %q", o.Version)
	}
}

// The OWL and the CSV export of a release must give the same terms, so an
// operator can sync from either without a storm of updates. The CSV cannot
// tell a "|" inside a value from its separator, and BioPortal mangled one
// label's quotes; those differences are known.
func TestOWLAndCSVAgree(t *testing.T) {
	owl := ParseFile(t, SharedData(t, "edam/EDAM_1.25.owl"))
	csvTerms := byAccession(ParseFile(t, SharedData(t, "edam/EDAM_1.25.csv")))
	differ := 0
	for _, a := range owl.Terms {
		b, ok := csvTerms[a.Accession]
		if !ok {
			t.Errorf("%s missing from the CSV", a.Accession)
			continue
		}
		if a.Definition != b.Definition || a.Parent() != b.Parent() || a.Branch != b.Branch || a.Obsolete != b.Obsolete || a.SortOrder != b.SortOrder {
			t.Errorf("%s differs:\nOWL %+v\nCSV %+v", a.Accession, a, b)
		}
		if a.Label != b.Label || !slices.Equal(a.Synonyms, b.Synonyms) {
			differ++
		}
	}
	if differ > 7 {
		t.Errorf("%d terms differ in label or synonyms; 7 are known (| inside synonyms, one escaped quote)", differ)
	}
}

func TestParseTSVAndBOM(t *testing.T) {
	tsv := "\xef\xbb\xbfClass ID\tPreferred Label\tSynonyms\tDefinitions\tObsolete\tParents\r\n" +
		"http://edamontology.org/topic_0003\tTopic\t\tA broad domain.\tFALSE\thttp://www.w3.org/2002/07/owl#Thing\r\n" +
		"http://edamontology.org/topic_0091\t\"Bioinformatics\"\tBio-informatics|Computational biology \tThe study.|A comment.\tFALSE\thttp://edamontology.org/topic_0003\r\n"
	o, err := Parse(strings.NewReader(tsv))
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Terms) != 2 {
		t.Fatalf("%d terms, want 2", len(o.Terms))
	}
	b := o.Terms[1]
	if b.Label != "Bioinformatics" || b.Definition != "The study." || b.Parent() != "http://edamontology.org/topic_0003" {
		t.Errorf("TSV term %+v", b)
	}
	if !slices.Equal(b.Synonyms, []string{"Bio-informatics", "Computational biology"}) {
		t.Errorf("synonyms from the union column: %q", b.Synonyms)
	}
}

func TestParseErrors(t *testing.T) {
	for name, input := range map[string]string{
		"empty":              "",
		"blank":              " \n\t ",
		"unclosed OWL":       `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><owl:Class`,
		"mismatched tags":    `<rdf:RDF><a></b></rdf:RDF>`,
		"undefined entity":   `<rdf:RDF>&nope;</rdf:RDF>`,
		"CSV without header": "http://edamontology.org/topic_0003,Topic\n",
		"CSV bad quoting":    "Class ID,Preferred Label\nhttp://edamontology.org/topic_0003,\"Topic\n",
	} {
		if o, err := Parse(strings.NewReader(input)); err == nil {
			t.Errorf("%s: no error, got %d terms", name, len(o.Terms))
		}
	}
}

func TestParseOWLEntities(t *testing.T) {
	// Protégé writes namespace abbreviations as DOCTYPE entities.
	doc := `<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
    <!ENTITY edam "http://edamontology.org/" >
    <!ENTITY owl 'http://www.w3.org/2002/07/owl#' >
]>
<rdf:RDF xmlns:owl="&owl;" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <owl:Class rdf:about="&edam;topic_0003"><rdfs:label>Topic</rdfs:label></owl:Class>
</rdf:RDF>`
	o, err := Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Terms) != 1 || o.Terms[0].URI != "http://edamontology.org/topic_0003" {
		t.Fatalf("terms %+v", o.Terms)
	}
}

func TestTermID(t *testing.T) {
	for acc, want := range map[string]string{
		"topic_0121": "100121", "operation_0004": "200004", "data_2868": "302868", "topic_2868": "102868",
		"format_1915": "401915", "data_0842": "300842", "topic_12345": "112345",
	} {
		if got, err := TermID(acc); err != nil || got != want {
			t.Errorf("TermID(%s) = %q, %v; want %q", acc, got, err, want)
		}
	}
	for _, bad := range []string{"", "topic_121", "topic_01210", "identifier_0001", "topic_0121x", "Topic_0121", "topic_123456"} {
		if id, err := TermID(bad); err == nil {
			t.Errorf("TermID(%q) = %q, want an error", bad, id)
		}
	}
}
