package apidocs_test

import (
	"encoding/json"
	"testing"

	"github.com/denbi/service-registry/plugins/apidocs"
	"go.yaml.in/yaml/v4"
)

// FuzzRenderSource feeds arbitrary YAML to the renderer (alias and merge
// resolution, configuration, JSON writer): it must not panic or hang, and
// whatever it accepts must come out as valid JSON and YAML of the same
// content.
//
//	go test -fuzz FuzzRenderSource ./plugins/apidocs/
func FuzzRenderSource(f *testing.F) {
	// Not the whole embedded document: Go's fuzzer stalls on 100 kB seeds.
	// These carry its constructs: anchors, aliases, merge keys with
	// overrides, flow and block style, quoted and plain scalars.
	f.Add([]byte("openapi: 3.1.0\ninfo: {title: t, version: v, contact: {}, license: {name: x}}\nservers: [{url: /}]\npaths: {}\n"))
	f.Add([]byte("a: &x {b: 1, c: [1, 2]}\nd:\n  <<: *x\n  c: 3\ninfo: {license: {}, contact: {}}\nservers: [{}]\n"))
	f.Add([]byte("info:\n  title: t\n  license:\n    name: MIT\n  contact: {}\nservers:\n  - url: /\ns:\n  A:\n    required: &r [a, \"b\"]\n    properties: &p\n      a: {type: [string, \"null\"]}\n      b: &ref {$ref: \"#/x\"}\n  B:\n    required: *r\n    properties:\n      <<: *p\n      b: *ref\n      c: |\n        text\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("a: &a {<<: *a}\n"))
	f.Add([]byte("x: !!binary aGVsbG8=\ny: .inf\nz: 0x10\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, err := apidocs.RenderSource(src, apidocs.Config{ServerURL: "https://registry.example.org"})
		if err != nil {
			return
		}
		if !json.Valid(doc.JSON) {
			t.Fatalf("invalid JSON from %q:\n%s", src, doc.JSON)
		}
		var fromYAML any
		if err := yaml.Unmarshal(doc.YAML, &fromYAML); err != nil {
			t.Fatalf("the YAML output does not parse (%v) from %q:\n%s", err, src, doc.YAML)
		}
	})
}
