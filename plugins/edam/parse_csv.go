package edam

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// CSV columns of the BioPortal export the parser reads. Multi-valued cells
// are joined with "|".
const (
	colID         = "Class ID"
	colLabel      = "Preferred Label"
	colSynonyms   = "Synonyms"
	colDefs       = "Definitions"
	colObsolete   = "Obsolete"
	colParents    = "Parents"
	colOldParent  = "Old parent"
	colDefinition = nsOBO + "hasDefinition"
	colExact      = nsOBO + "hasExactSynonym"
	colNarrow     = nsOBO + "hasNarrowSynonym"
	colBroad      = nsOBO + "hasBroadSynonym"
	colRelated    = nsOBO + "hasRelatedSynonym"
	colVersion    = nsDOAP + "Version"
)

// ParseCSV reads the BioPortal CSV export of EDAM (EDAM_<version>.csv), or
// the TSV variant: the delimiter is taken from the header line. Rows are
// read one at a time. The export carries no release number, so Version is
// empty unless a row states doap:Version; the sync takes it from the
// source's name instead.
func ParseCSV(r io.Reader) (*Ontology, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	first, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading the EDAM CSV: %w", err)
	}
	if line, _, _ := bytes.Cut(first, []byte("\n")); len(bytes.TrimSpace(line)) == 0 {
		return nil, errors.New("reading the EDAM CSV: no header line")
	}
	cr := csv.NewReader(br)
	if line, _, _ := bytes.Cut(first, []byte("\n")); bytes.Count(line, []byte("\t")) > bytes.Count(line, []byte(",")) {
		cr.Comma = '\t'
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the EDAM CSV header: %w", err)
	}
	cols := map[string]int{}
	for i, name := range header {
		name = strings.TrimSpace(name)
		if _, dup := cols[name]; !dup {
			cols[name] = i
		}
	}
	for _, required := range []string{colID, colLabel} {
		if _, ok := cols[required]; !ok {
			return nil, fmt.Errorf("reading the EDAM CSV: the header has no %q column; is this the BioPortal export?", required)
		}
	}

	terms := newTermCollector()
	version := ""
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the EDAM CSV: %w", err)
		}
		cell := func(name string) string {
			if i, ok := cols[name]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		if v := releaseVersion(cell(colVersion)); v != "" && version == "" {
			version = v
		}
		t := &rawTerm{
			uri:        cell(colID),
			isClass:    true,
			label:      cell(colLabel),
			definition: cell(colDefinition),
			parents:    splitMulti(cell(colParents)),
			oldParents: splitMulti(cell(colOldParent)),
			deprecated: strings.EqualFold(cell(colObsolete), "true"),
		}
		if defs := splitMulti(cell(colDefs)); len(defs) > 0 {
			// the first entry is the definition, the rest are comments
			if t.definition == "" {
				t.definition = defs[0]
			} else if len(defs) > 1 {
				t.comment = defs[1]
			}
		}
		if _, ok := cols[colExact]; ok {
			t.exact = splitMulti(cell(colExact))
			t.narrow = splitMulti(cell(colNarrow))
			t.broad = splitMulti(cell(colBroad))
			t.related = splitMulti(cell(colRelated))
		} else {
			// older exports only have the union of every kind
			t.exact = splitMulti(cell(colSynonyms))
		}
		terms.add(t)
	}
	return terms.ontology(version), nil
}

// splitMulti splits a "|"-joined cell into its non-empty values.
func splitMulti(cell string) []string {
	if cell == "" {
		return nil
	}
	parts := strings.Split(cell, "|")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
