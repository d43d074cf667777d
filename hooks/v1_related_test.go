package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/testapp"
)

func TestV1EDAMTermsByIdAccessionOrURI(t *testing.T) {
	w := newV1World(t)
	testapp.Create(t, w.app, "edam_terms", map[string]any{"id": "100121", "uri": "http://edamontology.org/topic_0121",
		"accession": "topic_0121", "branch": "topic", "label": "Proteomics", "sort_order": 121})
	testapp.Create(t, w.app, "edam_terms", map[string]any{"id": "100091", "uri": "http://edamontology.org/topic_0091",
		"accession": "topic_0091", "branch": "topic", "label": "Bioinformatics", "sort_order": 91})
	testapp.Create(t, w.app, "edam_terms", map[string]any{"id": "200292", "uri": "http://edamontology.org/operation_0292",
		"accession": "operation_0292", "branch": "operation", "label": "Sequence alignment", "sort_order": 292})
	testapp.Create(t, w.app, "edam_terms", map[string]any{"id": "100079", "uri": "http://edamontology.org/topic_0079",
		"accession": "topic_0079", "branch": "topic", "label": "Old topic", "sort_order": 79, "obsolete": true})

	res := w.post(t, map[string]any{
		"edam_topic_ids":     []any{100121, "https://edamontology.org/topic_0091"},
		"edam_operation_ids": []any{"operation_0292"},
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	body := res.Map(t)
	topics := body["edam_topics"].([]any)
	if len(topics) != 2 {
		t.Fatalf("topics: %v", topics)
	}
	labels := map[string]bool{}
	for _, tp := range topics {
		term := tp.(map[string]any)
		labels[term["label"].(string)] = true
		if term["url"] != "https://edamontology.org/"+term["accession"].(string) {
			t.Errorf("term url: %v", term)
		}
	}
	if !labels["Proteomics"] || !labels["Bioinformatics"] {
		t.Fatalf("topics: %v", labels)
	}
	ops := body["edam_operations"].([]any)
	if len(ops) != 1 || ops[0].(map[string]any)["id"] != float64(200292) {
		t.Fatalf("operations: %v", ops)
	}

	for name, ids := range map[string][]any{
		"operation as topic": {"operation_0292"},
		"obsolete topic":     {"topic_0079"},
		"unknown URI":        {"http://example.org/topic_0121"},
	} {
		res := w.post(t, map[string]any{"edam_topic_ids": ids})
		if res.Status != http.StatusBadRequest || errorFields(t, res)["edam_topic_ids"] == nil {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}
}

func TestV1NestsTheBiotoolsRecord(t *testing.T) {
	w := newV1World(t)
	id, key := w.created(t, nil) // no link: the record below is the only one
	testapp.Create(t, w.app, "biotools_records", map[string]any{
		"submission": id, "biotools_id": "blast", "name": "BLAST", "version": "2.9",
		"edam_topic_uris": []string{"http://edamontology.org/topic_0080"},
		"functions":       []map[string]any{{"position": 0, "operations": []map[string]string{{"uri": "http://edamontology.org/operation_0346", "term": "Sequence similarity search"}}}},
		"raw":             map[string]any{"biotoolsID": "blast"},
	})

	detail := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/"+id+"/", nil, "Authorization: ApiKey "+key)
	body := detail.Map(t)
	record, ok := body["biotoolsrecord"].(map[string]any)
	if !ok || record["biotools_id"] != "blast" || record["name"] != "BLAST" {
		t.Fatalf("detail biotoolsrecord: %v", body["biotoolsrecord"])
	}
	functions, _ := record["functions"].([]any)
	if len(functions) != 1 || !strings.Contains(string(detail.Body), "operation_0346") {
		t.Fatalf("detail must carry the functions: %v", record["functions"])
	}
	if _, ok := record["edam_topics_resolved"]; !ok {
		t.Fatal("detail must resolve the topics")
	}
	if links := body["links"].(map[string]any); links["biotoolsrecord"] != "http://127.0.0.1:8090/api/v1/biotools/blast/" {
		t.Fatalf("links.biotoolsrecord: %v", links)
	}

	admin := testapp.AdminKey(t, w.app, "read")
	list := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/", nil, "Authorization: AdminKey "+admin).Map(t)
	summary := list["results"].([]any)[0].(map[string]any)["biotoolsrecord"].(map[string]any)
	if summary["function_count"] != float64(1) || summary["edam_topic_count"] != float64(1) {
		t.Fatalf("list summary: %v", summary)
	}
	if _, full := summary["functions"]; full {
		t.Fatal("lists carry the summary, not the functions")
	}
}
