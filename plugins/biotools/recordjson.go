package biotools

import (
	"encoding/json"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// timeLayout is how record times are written in the compatibility API (the
// Django registry's ISO 8601 with microseconds, UTC as "Z").
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// RecordJSON is the full bio.tools record of the compatibility API
// (submission detail and /api/v1/biotools/): id, biotools_id, biotools_url,
// name, description, homepage, version, license, maturity, cost, tool_type,
// operating_system, edam_topic_uris, edam_topics_resolved, functions,
// publications, documentation, download, links, last_synced_at, sync_error.
// The topics are resolved against edam_terms with one query.
func RecordJSON(app core.App, record *core.Record) map[string]any {
	return RecordsJSON(app, []*core.Record{record})[0]
}

// RecordsJSON is RecordJSON for several records, resolving the EDAM topics
// of all of them with one query.
func RecordsJSON(app core.App, records []*core.Record) []map[string]any {
	var uris []string
	for _, r := range records {
		uris = append(uris, jsonStrings(r, "edam_topic_uris")...)
	}
	local := edamTermsByURI(app, uris)

	out := make([]map[string]any, 0, len(records))
	for _, r := range records {
		m := baseJSON(r)
		resolved := []map[string]any{}
		for _, uri := range jsonStrings(r, "edam_topic_uris") {
			resolved = append(resolved, resolvedTopic(uri, local[uri]))
		}
		m["edam_topics_resolved"] = resolved
		for _, field := range []string{"functions", "publications", "documentation", "download", "links"} {
			m[field] = jsonList(r, field)
		}
		out = append(out, m)
	}
	return out
}

// SummaryJSON is the short bio.tools record of submission lists: the full
// record without the resolved topics, functions, publications,
// documentation, downloads and links, with edam_topic_count and
// function_count instead.
func SummaryJSON(record *core.Record) map[string]any {
	m := baseJSON(record)
	m["edam_topic_count"] = len(jsonStrings(record, "edam_topic_uris"))
	m["function_count"] = len(jsonList(record, "functions"))
	return m
}

// baseJSON holds the fields shared by both shapes.
func baseJSON(r *core.Record) map[string]any {
	var synced any
	if t := r.GetDateTime("last_synced_at"); !t.IsZero() {
		synced = t.Time().UTC().Format(timeLayout)
	}
	id := r.GetString("biotools_id")
	return map[string]any{
		"id":               r.Id,
		"biotools_id":      id,
		"biotools_url":     "https://bio.tools/" + id,
		"name":             r.GetString("name"),
		"description":      r.GetString("description"),
		"homepage":         r.GetString("homepage"),
		"version":          r.GetString("version"),
		"license":          r.GetString("license"),
		"maturity":         r.GetString("maturity"),
		"cost":             r.GetString("cost"),
		"tool_type":        jsonList(r, "tool_type"),
		"operating_system": jsonList(r, "operating_system"),
		"edam_topic_uris":  jsonList(r, "edam_topic_uris"),
		"last_synced_at":   synced,
		"sync_error":       r.GetString("sync_error"),
	}
}

// resolvedTopic describes one topic URI, from the local term when known.
func resolvedTopic(uri string, term *core.Record) map[string]any {
	if term == nil {
		accession := uri[strings.LastIndex(uri, "/")+1:]
		return map[string]any{"uri": uri, "accession": accession, "branch": nil, "label": nil, "url": uri}
	}
	accession := term.GetString("accession")
	return map[string]any{
		"uri":       uri,
		"accession": accession,
		"branch":    term.GetString("branch"),
		"label":     term.GetString("label"),
		"url":       "https://edamontology.org/" + accession,
	}
}

// jsonList decodes a JSON list field; anything else reads as an empty list.
func jsonList(r *core.Record, field string) []any {
	var out []any
	raw, err := json.Marshal(r.Get(field))
	if err != nil || json.Unmarshal(raw, &out) != nil || out == nil {
		return []any{}
	}
	return out
}

// jsonStrings returns the strings of a JSON list field.
func jsonStrings(r *core.Record, field string) []string {
	var out []string
	for _, item := range jsonList(r, field) {
		if s, ok := item.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
