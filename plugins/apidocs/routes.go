package apidocs

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"

	"github.com/denbi/service-registry/internal/routes"
	"github.com/pocketbase/pocketbase/core"
)

//go:embed pages/*.html
var pageFiles embed.FS

// CSPHeader is the response header that carries the page policy.
const CSPHeader = "Content-Security-Policy"

// DefaultCSP is the policy of the documentation pages when no other
// middleware set one: the registry's page policy (hooks/security_headers.go),
// every asset from this origin.
const DefaultCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; worker-src 'self' blob:; frame-src 'none'; frame-ancestors 'none'; " +
	"form-action 'self'; base-uri 'self'; object-src 'none'"

// redocStyleHashes admit the two <style> elements ReDoc's bundle adds while
// it loads, before any nonce can reach it: the stylesheet of its scroll
// bars (perfect-scrollbar, inserted by webpack's style-loader), first
// empty, then filled. Their content is fixed by the vendored bundle, so
// hashes fit; Chromium prints the expected hash when one no longer matches
// (a new ReDoc version): put that here.
var redocStyleHashes = []string{
	"'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='", // the empty element
	"'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='", // perfect-scrollbar.css of redoc 2.5.4
}

// pages renders the two documentation pages.
type pages struct {
	title string
	docs  *template.Template
	redoc *template.Template
}

// pageData is what the page templates show.
type pageData struct {
	Title, SchemaPath, DocsPath, RedocPath, Nonce string
}

func newPages(title string) (*pages, error) {
	docs, err := template.ParseFS(pageFiles, "pages/docs.html")
	if err != nil {
		return nil, err
	}
	redoc, err := template.ParseFS(pageFiles, "pages/redoc.html")
	if err != nil {
		return nil, err
	}
	return &pages{title: title, docs: docs, redoc: redoc}, nil
}

func (pg *pages) render(t *template.Template, nonce string) ([]byte, error) {
	var buf bytes.Buffer
	err := t.Execute(&buf, pageData{
		Title: pg.title, SchemaPath: SchemaPath, DocsPath: DocsPath, RedocPath: RedocPath, Nonce: nonce,
	})
	return buf.Bytes(), err
}

// bindRoutes adds /api/schema/, /api/docs/ and /api/redoc/.
func (p *plugin) bindRoutes(se *core.ServeEvent) {
	routes.GetSlashed(se.Router, SchemaPath, p.serveSchema)
	routes.GetSlashed(se.Router, DocsPath, p.serveDocs)
	routes.GetSlashed(se.Router, RedocPath, p.serveRedoc)
}

// serveSchema answers with the document: YAML unless ?format=json. An ETag
// lets clients and caches revalidate cheaply; the document only changes
// with a new binary or configuration.
func (p *plugin) serveSchema(e *core.RequestEvent) error {
	var body []byte
	var contentType string
	switch format := e.Request.URL.Query().Get("format"); format {
	case "", "yaml", "openapi":
		body, contentType = p.doc.YAML, "application/yaml; charset=utf-8"
	case "json":
		body, contentType = p.doc.JSON, "application/json"
	default:
		return e.BadRequestError("Unknown format: ask for ?format=json, or nothing for YAML.", nil)
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := e.Response.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	if matchesETag(e.Request.Header.Get("If-None-Match"), etag) {
		return e.NoContent(http.StatusNotModified)
	}
	return e.Blob(http.StatusOK, contentType, body)
}

// matchesETag reports whether an If-None-Match header names etag.
func matchesETag(header, etag string) bool {
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == etag || candidate == "*" {
			return true
		}
	}
	return false
}

// serveDocs answers with the Swagger UI page. Swagger UI works under the
// registry's page policy as it is, so the response keeps that policy.
func (p *plugin) serveDocs(e *core.RequestEvent) error {
	page, err := p.pages.render(p.pages.docs, "")
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.HTML(http.StatusOK, string(page))
}

// serveRedoc answers with the ReDoc page under the page policy widened for
// ReDoc's run-time styles: a nonce of this response and the hashes of the
// bundle's fixed style elements (see redocStyleHashes). Style attributes,
// inline scripts and every other origin stay forbidden. The page is not
// stored by caches, so a nonce is never served twice.
func (p *plugin) serveRedoc(e *core.RequestEvent) error {
	nonce, err := newNonce()
	if err != nil {
		return e.InternalServerError("", err)
	}
	page, err := p.pages.render(p.pages.redoc, nonce)
	if err != nil {
		return e.InternalServerError("", err)
	}
	h := e.Response.Header()
	h.Set(CSPHeader, RedocCSP(h.Get(CSPHeader), nonce))
	h.Set("Cache-Control", "no-store")
	return e.HTML(http.StatusOK, string(page))
}

// RedocCSP returns policy (DefaultCSP when empty) with the ReDoc page's
// style sources added to its style-src directive: the nonce and the
// hashes of the bundle's fixed style elements. The page's other
// directives are kept as the registry's middleware set them.
func RedocCSP(policy, nonce string) string {
	if strings.TrimSpace(policy) == "" {
		policy = DefaultCSP
	}
	extra := append([]string{"'nonce-" + nonce + "'"}, redocStyleHashes...)
	directives := strings.Split(policy, ";")
	found := false
	for i, d := range directives {
		fields := strings.Fields(d)
		if len(fields) > 0 && strings.EqualFold(fields[0], "style-src") {
			directives[i] = " " + strings.Join(append(fields, extra...), " ")
			found = true
		}
	}
	if !found {
		directives = append(directives, " style-src 'self' "+strings.Join(extra, " "))
	}
	return strings.TrimSpace(strings.Join(directives, ";"))
}

// newNonce returns 128 random bits for one response, in the URL-safe
// base64 alphabet (which CSP accepts), so HTML escapes nothing in it.
func newNonce() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
