package biotools_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/denbi/service-registry/plugins/biotools"
)

func TestParseHandWrittenRecord(t *testing.T) {
	data := readTestdata(t, "demotool.json")
	tool, err := biotools.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if tool.ID != "DemoTool" || tool.Name != "DemoTool" || tool.Homepage != "https://demotool.example.org" ||
		tool.License != "mit" || tool.Maturity != "Emerging" || tool.Cost != "Free of charge" {
		t.Fatalf("scalars: %+v", tool)
	}
	if tool.Version() != "2.0, 1.9, 1.8, 1.7, 1.6" {
		t.Errorf("version joins the first five: %q", tool.Version())
	}
	wantTopics := []biotools.Term{
		{URI: "http://edamontology.org/topic_0121", Term: "Proteomics"},
		{URI: "http://edamontology.org/topic_0091", Term: "Bioinformatics"},
		{URI: "http://edamontology.org/topic_9999", Term: "Not in the local EDAM"},
	}
	if !reflect.DeepEqual(tool.Topics, wantTopics) {
		t.Errorf("topics (repeats removed): %+v", tool.Topics)
	}
	wantFunctions := []biotools.Function{
		{
			Position:   0,
			Operations: []biotools.Term{{URI: "http://edamontology.org/operation_0292", Term: "Sequence alignment"}},
			Inputs: []biotools.FunctionIO{{
				Data:    biotools.Term{URI: "http://edamontology.org/data_2044", Term: "Sequence"},
				Formats: []biotools.Term{{URI: "http://edamontology.org/format_1929", Term: "FASTA"}},
			}},
			Outputs: []biotools.FunctionIO{{
				Data:    biotools.Term{URI: "http://edamontology.org/data_0863", Term: "Sequence alignment"},
				Formats: []biotools.Term{},
			}},
			Cmd: "demotool align", Note: "aligns",
		},
		{
			Position:   1,
			Operations: []biotools.Term{{URI: "http://edamontology.org/operation_3767", Term: "Protein identification"}},
			Inputs:     []biotools.FunctionIO{}, Outputs: []biotools.FunctionIO{},
		},
	}
	if !reflect.DeepEqual(tool.Functions, wantFunctions) {
		t.Errorf("functions:\n got %+v\nwant %+v", tool.Functions, wantFunctions)
	}
	if len(tool.Publications) != 2 || tool.Publications[0].PMID != "12345678" || tool.Publications[1].DOI != "10.1000/demo.2" ||
		!reflect.DeepEqual(tool.Publications[0].Type, []string{"Primary"}) {
		t.Errorf("publications (the one without any id dropped): %+v", tool.Publications)
	}
	if len(tool.Downloads) != 1 || tool.Downloads[0].Type != "Source package" || tool.Downloads[0].Version != "2.0" {
		t.Errorf("downloads: %+v", tool.Downloads)
	}
	if len(tool.Links) != 2 || !reflect.DeepEqual(tool.Links[1].Type, []string{"Repository"}) || len(tool.Documentation) != 1 {
		t.Errorf("links %+v documentation %+v", tool.Links, tool.Documentation)
	}
	var compact bytes.Buffer
	json.Compact(&compact, data)
	if !bytes.Equal(tool.Raw, compact.Bytes()) {
		t.Error("Raw must be the document as received, compacted")
	}
}

func TestParseRealRecords(t *testing.T) {
	for _, tc := range []struct {
		id, name, license string
		topics, functions int
	}{
		{"blast", "BLAST", "", 2, 1},
		{"signalp", "SignalP", "Other", 1, 1},
		{"comet", "Comet", "Apache-2.0", 2, 1},
		{"bowtie2", "Bowtie 2", "GPL-3.0", 2, 1}, // "Mapping" is listed twice upstream
		{"bwa", "BWA", "MIT", 1, 6},
	} {
		t.Run(tc.id, func(t *testing.T) {
			tool, err := biotools.Parse(realTool(t, tc.id))
			if err != nil {
				t.Fatal(err)
			}
			if tool.ID != tc.id || tool.Name != tc.name || tool.License != tc.license ||
				len(tool.Topics) != tc.topics || len(tool.Functions) != tc.functions {
				t.Fatalf("got id %q name %q license %q, %d topics, %d functions", tool.ID, tool.Name, tool.License, len(tool.Topics), len(tool.Functions))
			}
			for i, f := range tool.Functions {
				if f.Position != i || len(f.Operations) == 0 {
					t.Errorf("function %d: %+v", i, f)
				}
			}
		})
	}
}

func TestParseToleratesMissingKeysAndWrongTypes(t *testing.T) {
	tool, err := biotools.Parse([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if tool.ID != "" || tool.Topics == nil || tool.Functions == nil || tool.Versions == nil || tool.Links == nil || tool.Version() != "" {
		t.Fatalf("an empty record must give empty values and empty lists: %+v", tool)
	}

	tool, err = biotools.Parse([]byte(`{
		"biotoolsID": 42, "name": ["not", "a", "string"], "description": {"x": 1},
		"homepage": "ftp://example.org", "version": "3.1", "license": null,
		"toolType": "Web application", "operatingSystem": [1, "Linux", null, ""],
		"topic": {"uri": "http://edamontology.org/topic_0121"},
		"function": [null, "x", {"operation": "Alignment", "input": [{"data": "Sequence", "format": [{"uri": 5}]}], "output": {"a": 1}}],
		"publication": [{"pmid": 12345, "doi": ["x"], "type": "Primary"}],
		"download": [{"url": "https://x.org/a", "type": ["Binaries"]}, {"url": "javascript:alert(1)"}],
		"documentation": "https://x.org", "link": [{"url": "https://x.org/with space"}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if tool.ID != "42" || tool.Name != "" || tool.Description != "" || tool.Homepage != "" || tool.License != "" {
		t.Errorf("scalars: %+v", tool)
	}
	if !reflect.DeepEqual(tool.Versions, []string{"3.1"}) || !reflect.DeepEqual(tool.ToolTypes, []string{"Web application"}) ||
		!reflect.DeepEqual(tool.OperatingSystems, []string{"1", "Linux"}) {
		t.Errorf("lists: %q %q %q", tool.Versions, tool.ToolTypes, tool.OperatingSystems)
	}
	if len(tool.Topics) != 0 || len(tool.Functions) != 1 || len(tool.Functions[0].Operations) != 0 || len(tool.Functions[0].Inputs) != 0 {
		t.Errorf("topics %+v functions %+v", tool.Topics, tool.Functions)
	}
	if len(tool.Publications) != 1 || tool.Publications[0].PMID != "12345" || tool.Publications[0].Type[0] != "Primary" {
		t.Errorf("publications %+v", tool.Publications)
	}
	if len(tool.Downloads) != 1 || tool.Downloads[0].Type != "Binaries" || len(tool.Documentation) != 0 || len(tool.Links) != 0 {
		t.Errorf("downloads %+v documentation %+v links %+v", tool.Downloads, tool.Documentation, tool.Links)
	}
}

func TestParseCutsLongValuesToTheCollectionLimits(t *testing.T) {
	long := strings.Repeat("é", 20000)
	doc, _ := json.Marshal(map[string]any{
		"name": long, "description": long, "license": long, "maturity": long,
		"homepage": "https://example.org/" + strings.Repeat("a", 3000),
		"version":  []string{long, "2", "3", "4", "5", "6"},
	})
	tool, err := biotools.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if utf8.RuneCountInString(tool.Name) != 200 || utf8.RuneCountInString(tool.Description) != 10000 ||
		utf8.RuneCountInString(tool.License) != 100 || utf8.RuneCountInString(tool.Maturity) != 50 ||
		tool.Homepage != "" || utf8.RuneCountInString(tool.Version()) > 200 {
		t.Fatalf("limits not applied: name %d, description %d, homepage %q", utf8.RuneCountInString(tool.Name),
			utf8.RuneCountInString(tool.Description), tool.Homepage[:min(len(tool.Homepage), 30)])
	}
}

func TestParseRejectsWhatIsNotAToolRecord(t *testing.T) {
	for name, input := range map[string]string{
		"empty":            ``,
		"HTML":             `<!DOCTYPE html><html>bio.tools is down</html>`,
		"truncated":        `{"name": "BLAST"`,
		"array":            `[{"name": "BLAST"}]`,
		"string":           `"BLAST"`,
		"trailing garbage": `{"name": "BLAST"}{"name": "x"}`,
	} {
		if tool, err := biotools.Parse([]byte(input)); err == nil || !errors.Is(err, biotools.ErrInvalidTool) {
			t.Errorf("%s: want ErrInvalidTool, got %v %+v", name, err, tool)
		}
	}
}

// FuzzParse checks that Parse never panics and that what it returns fits
// the biotools_records collection.
func FuzzParse(f *testing.F) {
	// Small seeds: the fuzzer minimises every new finding, which takes
	// minutes on the 5-26 KB real records (they are covered by
	// TestParseRealRecords instead).
	f.Add(readTestdata(f, "demotool.json"))
	f.Add([]byte(`{"topic":[{"uri":"http://a"},{"uri":"http://a"}],"function":[{"input":[{"data":{"uri":"http://b"}}]}]}`))
	f.Add([]byte(`{"version":1e400,"name":"\u0000","publication":[{"pmid":-0}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tool, err := biotools.Parse(data)
		if err != nil {
			if tool != nil || !errors.Is(err, biotools.ErrInvalidTool) {
				t.Fatalf("errors must wrap ErrInvalidTool and return no tool: %v", err)
			}
			return
		}
		if !json.Valid(tool.Raw) {
			t.Fatal("Raw is not valid JSON")
		}
		for field, s := range map[string]string{"id": tool.ID, "name": tool.Name, "version": tool.Version(), "license": tool.License} {
			if utf8.RuneCountInString(s) > 200 || !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("%s out of bounds: %q", field, s)
			}
		}
		if utf8.RuneCountInString(tool.Description) > 10000 || len(tool.Homepage) > 2000 {
			t.Fatal("description or homepage too long")
		}
		if tool.Topics == nil || tool.Functions == nil || tool.Versions == nil || tool.ToolTypes == nil ||
			tool.Publications == nil || tool.Documentation == nil || tool.Downloads == nil || tool.Links == nil {
			t.Fatal("lists must never be nil")
		}
		seen := map[string]bool{}
		for _, topic := range tool.Topics {
			if topic.URI == "" || seen[topic.URI] {
				t.Fatalf("empty or repeated topic %q", topic.URI)
			}
			seen[topic.URI] = true
		}
		for i, fn := range tool.Functions {
			if fn.Position != i || fn.Operations == nil || fn.Inputs == nil || fn.Outputs == nil {
				t.Fatalf("function %d: %+v", i, fn)
			}
			for _, op := range fn.Operations {
				if op.URI == "" {
					t.Fatal("operation without URI")
				}
			}
		}
		if _, err := json.Marshal(tool.Functions); err != nil {
			t.Fatal(err)
		}
	})
}
