package licenses

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/ozzo-validation/v4/is"
)

// Limits of the licenses collection's fields (pb_migrations); longer
// upstream values are cut (names) or skipped (ids) rather than failing the
// whole sync.
const (
	maxIDLength      = 80
	maxNameLength    = 200
	maxVersionLength = 20
	maxSeeAlso       = 50
	maxSeeAlsoLength = 2000
)

// idPattern is what an SPDX license id may look like: letters, digits, "."
// and "-", plus the "+" of deprecated ids such as "GPL-2.0+".
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+-]*$`)

// ErrMalformed wraps every error about a source that is not an SPDX
// licenses.json document.
var ErrMalformed = errors.New("not an SPDX licenses.json document")

// License is one entry of the SPDX license list, cleaned up for storage.
type License struct {
	ID           string   // licenseId, e.g. "Apache-2.0"
	Name         string   // human name; the id when upstream has none
	ReferenceURL string   // the spdx.org page; empty when upstream's is not a URL
	SeeAlso      []string // further URLs, never nil
	OSIApproved  bool
	FSFLibre     bool
	Deprecated   bool // isDeprecatedLicenseId upstream
}

// List is a parsed licenses.json.
type List struct {
	Version     string    // licenseListVersion, e.g. "3.19"
	ReleaseDate string    // releaseDate, informational
	Licenses    []License // in upstream order, ids unique
	// Skipped describes entries that were left out, one line each
	// (missing or malformed id, duplicate id, not an object).
	Skipped []string
}

// Parse reads an SPDX licenses.json document (the format of
// https://spdx.org/licenses/licenses.json). It is lenient with single
// entries, which are skipped and listed in List.Skipped, and strict with the
// document: anything that is not a JSON object with a "licenses" array, or
// that lists no usable license at all, is an error wrapping ErrMalformed.
func Parse(data []byte) (*List, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: invalid JSON: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: unexpected data after the JSON document", ErrMalformed)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the document is not a JSON object", ErrMalformed)
	}
	entries, ok := root["licenses"].([]any)
	if !ok {
		return nil, fmt.Errorf("%w: no top-level \"licenses\" array", ErrMalformed)
	}

	list := &List{
		Version:     truncate(scalarString(root["licenseListVersion"]), maxVersionLength),
		ReleaseDate: truncate(scalarString(root["releaseDate"]), maxVersionLength),
		Licenses:    make([]License, 0, len(entries)),
	}
	seen := make(map[string]bool, len(entries))
	for i, raw := range entries {
		entry, ok := raw.(map[string]any)
		if !ok {
			list.Skipped = append(list.Skipped, fmt.Sprintf("entry %d: not an object", i))
			continue
		}
		license, reason := parseEntry(entry)
		if reason != "" {
			list.Skipped = append(list.Skipped, fmt.Sprintf("entry %d: %s", i, reason))
			continue
		}
		if seen[license.ID] {
			list.Skipped = append(list.Skipped, fmt.Sprintf("entry %d: duplicate id %q", i, license.ID))
			continue
		}
		seen[license.ID] = true
		list.Licenses = append(list.Licenses, license)
	}
	if len(list.Licenses) == 0 {
		// An empty list would mark every stored license deprecated.
		return nil, fmt.Errorf("%w: the \"licenses\" array holds no usable license", ErrMalformed)
	}
	return list, nil
}

// parseEntry converts one object of the "licenses" array; a non-empty
// reason means the entry is unusable.
func parseEntry(entry map[string]any) (License, string) {
	id, _ := entry["licenseId"].(string)
	id = strings.TrimSpace(id)
	switch {
	case id == "":
		return License{}, "missing licenseId"
	case len(id) > maxIDLength:
		return License{}, fmt.Sprintf("licenseId longer than %d characters", maxIDLength)
	case !idPattern.MatchString(id):
		return License{}, fmt.Sprintf("licenseId %q has characters SPDX ids do not use", id)
	}

	name := cleanText(entry["name"])
	if name == "" {
		name = id
	}
	license := License{
		ID:           id,
		Name:         truncate(name, maxNameLength),
		ReferenceURL: cleanURL(entry["reference"]),
		SeeAlso:      []string{},
		OSIApproved:  entry["isOsiApproved"] == true,
		FSFLibre:     entry["isFsfLibre"] == true,
		Deprecated:   entry["isDeprecatedLicenseId"] == true,
	}
	if urls, ok := entry["seeAlso"].([]any); ok {
		for _, u := range urls {
			s := cleanText(u)
			if s == "" || utf8.RuneCountInString(s) > maxSeeAlsoLength {
				continue
			}
			license.SeeAlso = append(license.SeeAlso, s)
			if len(license.SeeAlso) == maxSeeAlso {
				break
			}
		}
	}
	return license, ""
}

// scalarString returns a JSON string or number as text ("3.19" may come as
// either), anything else as "".
func scalarString(v any) string {
	switch s := v.(type) {
	case string:
		return cleanText(s)
	case json.Number:
		return s.String()
	}
	return ""
}

// cleanText returns a JSON string trimmed, valid UTF-8 and without NUL
// bytes; other types give "".
func cleanText(v any) string {
	s, _ := v.(string)
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	return strings.TrimSpace(s)
}

// cleanURL keeps an http(s) URL that the collection's URL field accepts.
func cleanURL(v any) string {
	s := cleanText(v)
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return ""
	}
	if len(s) > maxSeeAlsoLength || is.URL.Validate(s) != nil {
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
