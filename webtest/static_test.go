package webtest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/pb_public"
	"github.com/pocketbase/pocketbase/core"
)

// These tests read the embedded site without a browser: quick checks that
// keep the pages within the Content-Security-Policy and the form in step
// with the schema.

var (
	inlineScript  = regexp.MustCompile(`(?is)<script\b[^>]*>\s*[^<\s]`)
	scriptTag     = regexp.MustCompile(`(?is)<script\b([^>]*)>`)
	styleAttr     = regexp.MustCompile(`(?i)\sstyle\s*=`)
	styleElement  = regexp.MustCompile(`(?i)<style\b`)
	inlineHandler = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)
	resourceRef   = regexp.MustCompile(`(?i)<(?:script|link|img)\b[^>]*\s(?:src|href)="([^"]+)"`)
)

func siteFile(t *testing.T, name string) string {
	t.Helper()
	raw, err := fs.ReadFile(pb_public.FS(), name)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// ourPages are the pages of this issue and the start and 404 pages; other
// pages (API docs, maintenance) have their own tests.
var ourPages = []string{
	"index.html", "404.html", "register/index.html", "register/success/index.html",
	"update/index.html", "update/edit/index.html", "update/success/index.html", "update/recover/index.html",
}

func TestPagesStayInsideTheCSP(t *testing.T) {
	for _, name := range ourPages {
		page := siteFile(t, name)
		if inlineScript.MatchString(page) {
			t.Errorf("%s: inline <script> (the CSP allows script files only)", name)
		}
		for _, m := range scriptTag.FindAllStringSubmatch(page, -1) {
			if !strings.Contains(m[1], "src=") {
				t.Errorf("%s: <script%s> without src", name, m[1])
			}
		}
		if styleAttr.MatchString(page) || styleElement.MatchString(page) {
			t.Errorf("%s: inline styles (the CSP allows stylesheets from this origin only)", name)
		}
		if inlineHandler.MatchString(page) {
			t.Errorf("%s: inline event handler attribute", name)
		}
		for _, m := range resourceRef.FindAllStringSubmatch(page, -1) {
			if !strings.HasPrefix(m[1], "/") || strings.HasPrefix(m[1], "//") {
				t.Errorf("%s: %s is not loaded from this origin", name, m[1])
			}
			if _, err := fs.Stat(pb_public.FS(), strings.TrimPrefix(m[1], "/")); err != nil {
				t.Errorf("%s: %s does not exist", name, m[1])
			}
		}
		for _, want := range []string{`href="/img/favicon.svg"`, `href="/register/"`, `href="/update/"`, `href="/catalogue/"`, `href="/api/docs/"`, `<html lang="en">`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s lacks %s", name, want)
			}
		}
	}
}

func TestScriptsBuildNoStyleAttributes(t *testing.T) {
	entries, err := fs.ReadDir(pb_public.FS(), "js")
	if err != nil {
		t.Fatal(err)
	}
	mine := []string{"api.js", "chrome.js", "dom.js", "edit.js", "fields.js", "form.js", "register.js", "success.js", "update.js", "update-success.js", "keys.js", "recover.js"}
	for _, name := range mine {
		if !slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == name }) {
			t.Errorf("js/%s is missing", name)
			continue
		}
		src := siteFile(t, "js/"+name)
		// markup handed to libraries as strings must not carry style
		// attributes; element.style (the CSSOM) is allowed
		if regexp.MustCompile(`style=`).MatchString(src) || strings.Contains(src, `setAttribute("style"`) {
			t.Errorf("js/%s writes a style attribute, which the CSP blocks", name)
		}
		if strings.Contains(src, "innerHTML") || strings.Contains(src, "eval(") || strings.Contains(src, "new Function") {
			t.Errorf("js/%s uses innerHTML or eval", name)
		}
	}
}

// fieldNames are the wire names listed in js/fields.js.
func fieldNames(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, m := range regexp.MustCompile(`\{ name: "([a-z_]+)"`).FindAllStringSubmatch(siteFile(t, "js/fields.js"), -1) {
		out = append(out, m[1])
	}
	return out
}

func TestFormCoversEveryWritableField(t *testing.T) {
	app := testapp.NewBare(t)
	c, err := app.FindCollectionByNameOrId("submissions")
	if err != nil {
		t.Fatal(err)
	}
	serverManaged := map[string]bool{"status": true, "primary_maturity_tag": true, "secondary_maturity_tags": true}
	var want []string
	for _, f := range c.Fields {
		if f.GetSystem() || f.GetHidden() || serverManaged[f.GetName()] {
			continue
		}
		if _, isAuto := f.(*core.AutodateField); isAuto {
			continue
		}
		want = append(want, f.GetName())
	}
	want = append(want, "internal_contact_email_confirm") // checked in the page only
	got := fieldNames(t)
	slices.Sort(want)
	sorted := slices.Clone(got)
	slices.Sort(sorted)
	if !slices.Equal(sorted, want) {
		t.Fatalf("js/fields.js and the schema differ\n form: %v\nschema: %v", sorted, want)
	}
	if len(slices.Compact(sorted)) != len(got) {
		t.Fatalf("a field is listed twice: %v", got)
	}
}

// TestVendoredFilesMatchTheirReadme checks each vendored library: a README
// that states the version and the SHA-256 of every file, and its license.
func TestVendoredFilesMatchTheirReadme(t *testing.T) {
	row := regexp.MustCompile("\\| `([^`]+)`[^|]*\\|[^|]*\\| `([0-9a-f]{64})` \\|")
	for dir, version := range map[string]string{
		"bootstrap": "5.3.8", "tom-select": "2.3.1", "pocketbase": "0.28.1", "altcha": "2.3.0",
	} {
		readme := siteFile(t, "vendor/"+dir+"/README.md")
		if !strings.Contains(readme, version) {
			t.Errorf("vendor/%s/README.md must state the version %s", dir, version)
		}
		rows := row.FindAllStringSubmatch(readme, -1)
		if len(rows) == 0 {
			t.Errorf("vendor/%s/README.md lists no files with checksums", dir)
		}
		for _, m := range rows {
			raw, err := fs.ReadFile(pb_public.FS(), "vendor/"+dir+"/"+m[1])
			if err != nil {
				t.Errorf("vendor/%s/%s: %v", dir, m[1], err)
				continue
			}
			sum := sha256.Sum256(raw)
			if hex.EncodeToString(sum[:]) != m[2] {
				t.Errorf("vendor/%s/%s changed: its SHA-256 is not the one in the README", dir, m[1])
			}
		}
		entries, _ := fs.ReadDir(pb_public.FS(), "vendor/"+dir)
		if !slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return strings.HasPrefix(e.Name(), "LICENSE") }) {
			t.Errorf("vendor/%s has no LICENSE file", dir)
		}
	}
}
