package biotools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Limits applied while parsing, so that a parsed tool always fits the
// biotools_records collection (pb_migrations) whatever bio.tools sends.
const (
	maxNameLength        = 200
	maxDescriptionLength = 10000
	maxURLLength         = 2000
	maxVersionLength     = 200
	maxLicenseLength     = 100
	maxShortLength       = 50 // maturity, cost
	maxTextLength        = 5000
	maxListItems         = 200 // entries kept per list (topics, functions, ...)
	maxVersionsJoined    = 5   // versions joined into the version field
)

// ErrInvalidTool wraps every error about a document that is not a
// bio.tools tool record.
var ErrInvalidTool = errors.New("not a bio.tools tool record")

// Term is an EDAM concept as bio.tools references it.
type Term struct {
	URI  string `json:"uri"`
	Term string `json:"term"`
}

// FunctionIO is one input or output of a function: a data concept and its
// formats.
type FunctionIO struct {
	Data    Term   `json:"data"`
	Formats []Term `json:"formats"`
}

// Function is one function of a tool (bio.tools "function"), with its
// position in the upstream list.
type Function struct {
	Position   int          `json:"position"`
	Operations []Term       `json:"operations"`
	Inputs     []FunctionIO `json:"inputs"`
	Outputs    []FunctionIO `json:"outputs"`
	Cmd        string       `json:"cmd"`
	Note       string       `json:"note"`
}

// Publication is one bio.tools publication; Type is upstream's list of
// publication types ("Primary", "Benchmarking study", ...).
type Publication struct {
	PMID  string   `json:"pmid"`
	DOI   string   `json:"doi"`
	PMCID string   `json:"pmcid"`
	Type  []string `json:"type"`
	Note  string   `json:"note"`
}

// Link is a documentation page or link; Type is upstream's list of types.
type Link struct {
	URL  string   `json:"url"`
	Type []string `json:"type"`
	Note string   `json:"note,omitempty"`
}

// Download is a download; bio.tools gives its type as one string.
type Download struct {
	URL     string `json:"url"`
	Type    string `json:"type"`
	Version string `json:"version"`
}

// Tool is a bio.tools tool record, cleaned up for storage. Lists are never
// nil, strings are trimmed, EDAM terms without a URI are dropped and
// repeated topics and operations appear once.
type Tool struct {
	ID               string // biotoolsID (bio.tools' own spelling)
	Name             string
	Description      string
	Homepage         string
	Versions         []string
	License          string // as bio.tools has it: an SPDX id or "Other", "Proprietary", ...
	Maturity         string
	Cost             string
	ToolTypes        []string
	OperatingSystems []string
	Topics           []Term
	Functions        []Function
	Publications     []Publication
	Documentation    []Link
	Downloads        []Download
	Links            []Link
	// Raw is the document as received, compacted.
	Raw json.RawMessage
}

// Version is the stored version: the first five versions joined by ", ".
func (t *Tool) Version() string {
	versions := t.Versions
	if len(versions) > maxVersionsJoined {
		versions = versions[:maxVersionsJoined]
	}
	return truncate(strings.Join(versions, ", "), maxVersionLength)
}

// TopicURIs returns the URIs of the tool's topics.
func (t *Tool) TopicURIs() []string {
	out := make([]string, 0, len(t.Topics))
	for _, topic := range t.Topics {
		out = append(out, topic.URI)
	}
	return out
}

// Operations returns the operations of all functions, each URI once.
func (t *Tool) Operations() []Term {
	out := []Term{}
	seen := map[string]bool{}
	for _, f := range t.Functions {
		for _, op := range f.Operations {
			if !seen[op.URI] {
				seen[op.URI] = true
				out = append(out, op)
			}
		}
	}
	return out
}

// Parse reads one bio.tools tool record (the JSON of
// {api_url}/tool/{id}/?format=json). Missing keys give empty values and keys
// of an unexpected type are ignored; only a document that is not a JSON
// object is an error (wrapping ErrInvalidTool). Parse never panics.
func Parse(data []byte) (*Tool, error) {
	doc, err := decodeObject(data)
	if err != nil {
		return nil, err
	}
	var raw bytes.Buffer
	if err := json.Compact(&raw, data); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidTool, err)
	}
	tool := parseTool(doc)
	tool.Raw = raw.Bytes()
	return tool, nil
}

// decodeObject decodes data, which must hold exactly one JSON object.
func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: invalid JSON: %v", ErrInvalidTool, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: unexpected data after the JSON document", ErrInvalidTool)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the document is not a JSON object", ErrInvalidTool)
	}
	return obj, nil
}

// parseTool converts a decoded tool object.
func parseTool(doc map[string]any) *Tool {
	t := &Tool{
		ID:               truncate(text(doc["biotoolsID"]), maxNameLength),
		Name:             truncate(text(doc["name"]), maxNameLength),
		Description:      truncate(text(doc["description"]), maxDescriptionLength),
		Homepage:         urlText(doc["homepage"]),
		Versions:         textList(doc["version"], maxListItems),
		License:          truncate(text(doc["license"]), maxLicenseLength),
		Maturity:         truncate(text(doc["maturity"]), maxShortLength),
		Cost:             truncate(text(doc["cost"]), maxShortLength),
		ToolTypes:        textList(doc["toolType"], maxListItems),
		OperatingSystems: textList(doc["operatingSystem"], maxListItems),
		Topics:           terms(doc["topic"]),
		Functions:        []Function{},
		Publications:     []Publication{},
		Documentation:    links(doc["documentation"]),
		Downloads:        []Download{},
		Links:            links(doc["link"]),
	}
	for _, item := range objects(doc["function"]) {
		t.Functions = append(t.Functions, Function{
			Position:   len(t.Functions),
			Operations: terms(item["operation"]),
			Inputs:     functionIOs(item["input"]),
			Outputs:    functionIOs(item["output"]),
			Cmd:        truncate(text(item["cmd"]), maxTextLength),
			Note:       truncate(text(item["note"]), maxTextLength),
		})
	}
	for _, item := range objects(doc["publication"]) {
		pub := Publication{
			PMID:  truncate(text(item["pmid"]), maxShortLength),
			DOI:   truncate(text(item["doi"]), maxURLLength),
			PMCID: truncate(text(item["pmcid"]), maxShortLength),
			Type:  textList(item["type"], maxListItems),
			Note:  truncate(text(item["note"]), maxTextLength),
		}
		if pub.PMID != "" || pub.DOI != "" || pub.PMCID != "" {
			t.Publications = append(t.Publications, pub)
		}
	}
	for _, item := range objects(doc["download"]) {
		d := Download{
			URL:     urlText(item["url"]),
			Type:    truncate(firstText(item["type"]), maxShortLength),
			Version: truncate(text(item["version"]), maxShortLength),
		}
		if d.URL != "" {
			t.Downloads = append(t.Downloads, d)
		}
	}
	return t
}

// objects returns the objects of a JSON list (at most maxListItems); other
// items and other types are ignored.
func objects(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, item := range list {
		if obj, ok := item.(map[string]any); ok {
			out = append(out, obj)
			if len(out) == maxListItems {
				break
			}
		}
	}
	return out
}

// terms returns the EDAM terms of a list, dropping those without a URI and
// repeated URIs (bio.tools records sometimes list a topic twice).
func terms(v any) []Term {
	out := []Term{}
	seen := map[string]bool{}
	for _, obj := range objects(v) {
		if term, ok := termOf(obj); ok && !seen[term.URI] {
			seen[term.URI] = true
			out = append(out, term)
		}
	}
	return out
}

// termOf converts one {uri, term} object.
func termOf(obj map[string]any) (Term, bool) {
	uri := urlText(obj["uri"])
	if uri == "" {
		return Term{}, false
	}
	return Term{URI: uri, Term: truncate(text(obj["term"]), maxNameLength)}, true
}

// functionIOs converts function inputs or outputs. An entry needs a data
// concept or at least one format.
func functionIOs(v any) []FunctionIO {
	out := []FunctionIO{}
	for _, obj := range objects(v) {
		entry := FunctionIO{Formats: terms(obj["format"])}
		if data, ok := obj["data"].(map[string]any); ok {
			entry.Data, _ = termOf(data)
		}
		if entry.Data.URI != "" || len(entry.Formats) > 0 {
			out = append(out, entry)
		}
	}
	return out
}

// links converts documentation or link entries; entries need a URL.
func links(v any) []Link {
	out := []Link{}
	for _, obj := range objects(v) {
		l := Link{
			URL:  urlText(obj["url"]),
			Type: textList(obj["type"], maxListItems),
			Note: truncate(text(obj["note"]), maxTextLength),
		}
		if l.URL != "" {
			out = append(out, l)
		}
	}
	return out
}

// text returns a JSON string or number as trimmed, valid UTF-8 without NUL
// bytes; other types give "".
func text(v any) string {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = x.String()
	default:
		return ""
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	return strings.TrimSpace(s)
}

// firstText is text, or the first text item of a list.
func firstText(v any) string {
	if list, ok := v.([]any); ok {
		for _, item := range list {
			if s := text(item); s != "" {
				return s
			}
		}
		return ""
	}
	return text(v)
}

// textList returns the non-empty texts of a list; a single string or
// number counts as a list of one (bio.tools "version" is a list, older
// exports have a plain string).
func textList(v any, limit int) []string {
	out := []string{}
	items, isList := v.([]any)
	if !isList {
		items = []any{v}
	}
	for _, item := range items {
		if s := truncate(text(item), maxNameLength); s != "" {
			out = append(out, s)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

// urlText returns an http(s) URL, or "" for anything else or anything too
// long to store (a cut URL would point somewhere else).
func urlText(v any) string {
	s := text(v)
	if len(s) > maxURLLength || strings.ContainsAny(s, " \t\r\n") {
		return ""
	}
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return ""
	}
	return s
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}
