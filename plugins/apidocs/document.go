package apidocs

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v4"
)

// source is the hand-written document. It may use YAML anchors, aliases and
// merge keys ("<<") to say things once; Render resolves them.
//
//go:embed openapi.yaml
var source []byte

// Document is the rendered OpenAPI document in its two forms. Both hold the
// same content, in the same order, with every alias and merge key resolved,
// so that no reader depends on YAML features beyond plain maps and lists.
type Document struct {
	// YAML is served by default.
	YAML []byte
	// JSON is served for ?format=json and read by the documentation pages.
	JSON []byte
}

// Render returns the embedded document with the configured title, version,
// license, contact and server filled in (empty fields take the defaults of
// Config). The test suite uses it to validate responses against exactly
// what the server publishes.
func Render(config Config) (*Document, error) {
	return render(source, config.withDefaults())
}

// render turns a document source into both forms.
func render(src []byte, config Config) (*Document, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, fmt.Errorf("parsing openapi.yaml: %w", err)
	}
	budget := maxNodes
	plain, err := resolve(&root, 0, &budget)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	if err := configure(plain, config); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}

	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(plain); err != nil {
		return nil, fmt.Errorf("writing YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("writing YAML: %w", err)
	}

	var compact bytes.Buffer
	if err := writeJSON(&compact, plain); err != nil {
		return nil, fmt.Errorf("writing JSON: %w", err)
	}
	var indented bytes.Buffer
	if err := json.Indent(&indented, compact.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("writing JSON: %w", err)
	}
	indented.WriteByte('\n')
	return &Document{YAML: out.Bytes(), JSON: indented.Bytes()}, nil
}

// maxDepth bounds the nesting of the document, which also stops an alias
// that (through a merge key) refers to itself.
const maxDepth = 200

// maxNodes bounds the size of the resolved document. Aliases are copied
// where they are used, so a few lines of aliases to aliases could otherwise
// grow without end (the embedded document resolves to some 8,500 nodes).
const maxNodes = 200_000

// resolve returns a copy of n without aliases, merge keys, anchors or
// comments. In a mapping, a merge key inserts the merged entries at its
// place; a key written in the mapping itself replaces the merged entry of
// the same name in that place, so an override keeps the field order of the
// schema it overrides.
func resolve(n *yaml.Node, depth int, budget *int) (*yaml.Node, error) {
	if depth > maxDepth {
		return nil, errors.New("nested too deeply (an alias that contains itself?)")
	}
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("more than %d nodes once aliases are resolved", maxNodes)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return resolve(n.Alias, depth+1, budget)
	case yaml.ScalarNode:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: n.Tag, Value: n.Value, Style: n.Style &^ yaml.FlowStyle,
			Line: n.Line, Column: n.Column}, nil
	case yaml.DocumentNode, yaml.SequenceNode:
		out := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Line: n.Line, Column: n.Column}
		for _, item := range n.Content {
			c, err := resolve(item, depth+1, budget)
			if err != nil {
				return nil, err
			}
			out.Content = append(out.Content, c)
		}
		return out, nil
	case yaml.MappingNode:
		return resolveMapping(n, depth, budget)
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node kind %v", n.Line, n.Kind)
}

func resolveMapping(n *yaml.Node, depth int, budget *int) (*yaml.Node, error) {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	at := map[string]int{} // key -> index of its value in out.Content
	explicit := map[string]bool{}
	put := func(key, value *yaml.Node, override bool) {
		if i, ok := at[key.Value]; ok {
			if override {
				out.Content[i] = value
			}
			return
		}
		at[key.Value] = len(out.Content) + 1
		out.Content = append(out.Content, key, value)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if isMergeKey(key) {
			sources := []*yaml.Node{value}
			if value.Kind == yaml.SequenceNode {
				sources = value.Content
			}
			for _, src := range sources {
				merged, err := resolve(src, depth+1, budget)
				if err != nil {
					return nil, err
				}
				if merged.Kind != yaml.MappingNode {
					return nil, fmt.Errorf("line %d: a merge key needs a mapping", key.Line)
				}
				for j := 0; j+1 < len(merged.Content); j += 2 {
					// earlier sources and keys of the mapping itself win
					if !explicit[merged.Content[j].Value] {
						put(merged.Content[j], merged.Content[j+1], false)
					}
				}
			}
			continue
		}
		if key.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: mapping keys must be plain scalars", key.Line)
		}
		if explicit[key.Value] {
			return nil, fmt.Errorf("line %d: key %q appears twice", key.Line, key.Value)
		}
		explicit[key.Value] = true
		k, err := resolve(key, depth+1, budget)
		if err != nil {
			return nil, err
		}
		v, err := resolve(value, depth+1, budget)
		if err != nil {
			return nil, err
		}
		put(k, v, true)
	}
	return out, nil
}

// isMergeKey recognizes "<<" written plainly (or tagged !!merge).
func isMergeKey(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	if n.Tag == "!!merge" {
		return true
	}
	return n.Value == "<<" && n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) == 0 &&
		(n.Tag == "" || n.Tag == "!!merge")
}

// configure writes the configured values into info and servers.
func configure(doc *yaml.Node, config Config) error {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return errors.New("expected one YAML document")
	}
	root := doc.Content[0]
	info := child(root, "info")
	if info == nil {
		return errors.New("no info section")
	}
	setString(info, "title", config.Title)
	setString(info, "version", config.Version)
	license := child(info, "license")
	if license == nil {
		return errors.New("no info.license section")
	}
	setString(license, "name", config.LicenseName)

	contact := child(info, "contact")
	if contact == nil {
		return errors.New("no info.contact section")
	}
	setString(contact, "name", config.ContactName)
	if config.ContactEmail != "" {
		setString(contact, "email", config.ContactEmail)
	} else {
		remove(contact, "email")
	}
	if isAbsolute(config.ServerURL) {
		setString(contact, "url", config.ServerURL)
	} else {
		remove(contact, "url")
	}

	servers := child(root, "servers")
	if servers == nil || servers.Kind != yaml.SequenceNode || len(servers.Content) == 0 {
		return errors.New("no servers list")
	}
	// the paths start with "/", so a base URL goes without its own
	serverURL := strings.TrimRight(config.ServerURL, "/")
	if serverURL == "" {
		serverURL = "/"
	}
	setString(servers.Content[0], "url", serverURL)
	return nil
}

// isAbsolute reports whether u looks like an absolute http(s) URL.
func isAbsolute(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// child returns the value of key in a mapping node, or nil.
func child(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setString sets key in a mapping node to a string, adding it if needed.
func setString(m *yaml.Node, key, value string) {
	v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value}
	if needsQuotes(value) {
		v.Style = yaml.DoubleQuotedStyle
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// needsQuotes keeps configured strings strings: "1.0" or "true" written
// plainly would read back as a number or a boolean.
func needsQuotes(s string) bool {
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		return true
	}
	str, ok := v.(string)
	return !ok || str != s
}

// remove deletes key from a mapping node.
func remove(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// writeJSON writes a resolved node tree as JSON, keeping the order of keys
// (encoding/json would sort a map's keys, scattering the fields of a schema).
func writeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return errors.New("expected one YAML document")
		}
		return writeJSON(buf, n.Content[0])
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeValue(buf, n.Content[i].Value); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := writeJSON(buf, n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, item); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		switch v.(type) {
		case nil, bool, string, int, int64, uint64, float64:
		default:
			// timestamps and the like: JSON has no such type
			return fmt.Errorf("line %d: write %q as a quoted string", n.Line, n.Value)
		}
		return writeValue(buf, v)
	}
	return fmt.Errorf("line %d: unexpected YAML node kind %v", n.Line, n.Kind)
}

// writeValue writes one JSON value without escaping <, > and & (the
// document is served as JSON, not embedded in HTML).
func writeValue(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode ends with a newline
	return nil
}
