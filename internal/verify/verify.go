// Package verify checks a running registry deployment over HTTP only: the
// staging checklist of the rollout runbook as one repeatable command
// ("registry verify"). It creates nothing unless asked to (Options.Write).
//
// Example usage:
//
//	report := verify.Run(ctx, verify.Options{URL: "https://staging.example.org", AdminKey: key})
//	for _, c := range report.Checks { fmt.Println(c) }
package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Options says what to check.
type Options struct {
	// URL is the deployment's base URL, e.g. https://staging.example.org.
	URL string
	// AdminKey enables the checks that need an admin key (lists, --write).
	AdminKey string
	// Write registers a test service through /api/v1, reads it back with its
	// key, changes it and deprecates it again (the office is notified).
	Write bool
	// APIVersion, when set, must equal the schema's info.version.
	APIVersion string
	// Timeout bounds every request. Defaults to 10s.
	Timeout time.Duration
	// Retries is how often a request failing with a network error or a 5xx
	// is repeated. Defaults to 2.
	Retries int
	// Client sends the requests; defaults to an http.Client that does not
	// follow redirects (the redirect itself is checked).
	Client interface {
		Do(*http.Request) (*http.Response, error)
	}
}

// Status is the outcome of one check.
type Status string

// Outcomes.
const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
)

// Check is one verified property of the deployment.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
}

func (c Check) String() string {
	if c.Detail == "" {
		return fmt.Sprintf("%s  %s", c.Status, c.Name)
	}
	return fmt.Sprintf("%s  %s: %s", c.Status, c.Name, c.Detail)
}

// Report is the result of a run.
type Report struct {
	URL     string  `json:"url"`
	Checks  []Check `json:"checks"`
	Passed  int     `json:"passed"`
	Failed  int     `json:"failed"`
	Skipped int     `json:"skipped"`
}

// OK reports whether no check failed.
func (r Report) OK() bool { return r.Failed == 0 }

// Summary is the last line of the text output.
func (r Report) Summary() string {
	return fmt.Sprintf("%d checks: %d passed, %d failed, %d skipped", len(r.Checks), r.Passed, r.Failed, r.Skipped)
}

// maxBody bounds every response body read.
const maxBody = 8 << 20

// Run performs every check and never hangs: each request has a timeout and
// a bounded number of retries.
func Run(ctx context.Context, opts Options) Report {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Retries < 0 {
		opts.Retries = 0
	} else if opts.Retries == 0 {
		opts.Retries = 2
	}
	if opts.Client == nil {
		opts.Client = &http.Client{
			Timeout:       opts.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	v := &verifier{ctx: ctx, opts: opts, base: strings.TrimRight(opts.URL, "/")}
	v.report.URL = v.base
	if u, err := url.Parse(v.base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.fail("url", "expected an absolute http:// or https:// URL, got %q", opts.URL)
		return v.report
	}
	v.checkHealth()
	v.checkPages()
	v.checkCaptcha()
	v.checkDocs()
	v.checkEDAM()
	v.checkSecurity()
	v.checkAdmin()
	v.checkWrite()
	return v.report
}

type verifier struct {
	ctx    context.Context
	opts   Options
	base   string
	report Report
}

func (v *verifier) add(c Check) {
	v.report.Checks = append(v.report.Checks, c)
	switch c.Status {
	case Pass:
		v.report.Passed++
	case Fail:
		v.report.Failed++
	case Skip:
		v.report.Skipped++
	}
}

func (v *verifier) pass(name string) { v.add(Check{Name: name, Status: Pass}) }

func (v *verifier) fail(name, format string, args ...any) {
	v.add(Check{Name: name, Status: Fail, Detail: fmt.Sprintf(format, args...)})
}

func (v *verifier) skip(name, reason string) { v.add(Check{Name: name, Status: Skip, Detail: reason}) }

// response is a finished request.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request, retrying network errors and 5xx answers.
func (v *verifier) do(method, target string, body any, headers ...string) (*response, error) {
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		target = v.base + target
	}
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	var lastErr error
	for attempt := 0; attempt <= v.opts.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-v.ctx.Done():
				return nil, v.ctx.Err()
			case <-time.After(time.Duration(attempt) * 500 * time.Millisecond):
			}
		}
		res, err := v.once(method, target, raw, headers)
		if err == nil && res.status < 500 {
			return res, nil
		}
		if err != nil {
			lastErr = err
		} else {
			lastErr = fmt.Errorf("the server answered %d", res.status)
			if attempt == v.opts.Retries {
				return res, nil
			}
		}
	}
	return nil, lastErr
}

func (v *verifier) once(method, target string, body []byte, headers []string) (*response, error) {
	ctx, cancel := context.WithTimeout(v.ctx, v.opts.Timeout)
	defer cancel()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "denbi-registry-verify")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	resp, err := v.opts.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// get performs a GET and turns transport errors into a failed check.
func (v *verifier) get(name, path string, headers ...string) (*response, bool) {
	res, err := v.do(http.MethodGet, path, nil, headers...)
	if err != nil {
		v.fail(name, "GET %s: %v", path, err)
		return nil, false
	}
	return res, true
}

func (v *verifier) checkHealth() {
	const name = "health: /health/ready/ reports ready"
	res, ok := v.get(name, "/health/ready/")
	if !ok {
		return
	}
	var body struct {
		Status string `json:"status"`
	}
	if res.status != http.StatusOK || json.Unmarshal(res.body, &body) != nil || body.Status != "ok" {
		v.fail(name, "answered %d %s", res.status, snippet(res.body))
		return
	}
	v.pass(name)
}

// pageCheck is a page that must load as HTML and contain some strings, with
// the files it loads that must contain others (the forms are built by
// scripts, so their fields live in the scripts).
type pageCheck struct {
	path     string
	name     string
	contains []string
	assets   map[string][]string
}

func (v *verifier) checkPages() {
	pages := []pageCheck{
		{path: "/", name: "page: home", contains: []string{"/register/", "/update/"}},
		{path: "/register/", name: "page: register form with EDAM fields and the captcha widget",
			contains: []string{"/vendor/altcha/altcha.js", "/js/register.js"},
			assets: map[string][]string{
				"/js/fields.js": {"edam_topics", "edam_operations"},
				"/js/form.js":   {"altcha-widget"},
			}},
		{path: "/update/", name: "page: update (key entry)", contains: []string{"/update/recover/"}},
		{path: "/update/recover/", name: "page: key recovery", contains: []string{"/vendor/altcha/altcha.js", "/js/recover.js"}},
	}
	for _, p := range pages {
		if problem := v.pageProblem(p); problem != "" {
			v.fail(p.name, "%s", problem)
			continue
		}
		v.pass(p.name)
	}
}

// pageProblem loads a page and its assets and says what is wrong, or "".
func (v *verifier) pageProblem(p pageCheck) string {
	res, err := v.do(http.MethodGet, p.path, nil)
	if err != nil {
		return err.Error()
	}
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
		return fmt.Sprintf("GET %s answered %d (%s)", p.path, res.status, res.header.Get("Content-Type"))
	}
	if missing := lacking(res.body, p.contains); missing != "" {
		return "the page lacks " + missing
	}
	for _, asset := range slices.Sorted(maps.Keys(p.assets)) {
		res, err := v.do(http.MethodGet, asset, nil)
		if err != nil {
			return err.Error()
		}
		if res.status != http.StatusOK {
			return fmt.Sprintf("GET %s answered %d", asset, res.status)
		}
		if missing := lacking(res.body, p.assets[asset]); missing != "" {
			return asset + " lacks " + missing
		}
	}
	return ""
}

// lacking lists the wanted strings body does not contain.
func lacking(body []byte, want []string) string {
	var missing []string
	for _, w := range want {
		if !bytes.Contains(body, []byte(w)) {
			missing = append(missing, w)
		}
	}
	return strings.Join(missing, ", ")
}

func (v *verifier) checkCaptcha() {
	const name = "captcha: /captcha/ issues a fresh signed challenge"
	res, ok := v.get(name, "/captcha/")
	if !ok {
		return
	}
	var ch struct {
		Algorithm string `json:"algorithm"`
		Challenge string `json:"challenge"`
		MaxNumber int64  `json:"maxNumber"`
		Salt      string `json:"salt"`
		Signature string `json:"signature"`
	}
	switch {
	case res.status != http.StatusOK:
		v.fail(name, "answered %d %s", res.status, snippet(res.body))
	case json.Unmarshal(res.body, &ch) != nil:
		v.fail(name, "the answer is not JSON: %s", snippet(res.body))
	case ch.Algorithm == "" || ch.Challenge == "" || ch.Signature == "" || ch.MaxNumber <= 0:
		v.fail(name, "fields missing in %s", snippet(res.body))
	case !strings.Contains(ch.Salt, "expires="):
		v.fail(name, "the salt carries no expiry: %q", ch.Salt)
	case !strings.Contains(res.header.Get("Cache-Control"), "no-store"):
		v.fail(name, "Cache-Control is %q, want no-store", res.header.Get("Cache-Control"))
	default:
		v.pass(name)
	}
}

var versionPattern = regexp.MustCompile(`^\d+\.\d+\.\d+`)

func (v *verifier) checkDocs() {
	const docs = "docs: /api/docs/ and /api/redoc/ load"
	okDocs := true
	for _, path := range []string{"/api/docs/", "/api/redoc/"} {
		res, ok := v.get(docs, path)
		if !ok {
			okDocs = false
			break
		}
		if res.status != http.StatusOK {
			v.fail(docs, "GET %s answered %d", path, res.status)
			okDocs = false
			break
		}
	}
	if okDocs {
		v.pass(docs)
	}

	const schema = "schema: /api/schema/ is an OpenAPI document with the expected version"
	res, ok := v.get(schema, "/api/schema/?format=json")
	if !ok {
		return
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Version string `json:"version"`
		} `json:"info"`
		Paths      map[string]any `json:"paths"`
		Components struct {
			SecuritySchemes map[string]any `json:"securitySchemes"`
		} `json:"components"`
	}
	switch {
	case res.status != http.StatusOK:
		v.fail(schema, "answered %d", res.status)
	case json.Unmarshal(res.body, &doc) != nil:
		v.fail(schema, "not JSON: %s", snippet(res.body))
	case !strings.HasPrefix(doc.OpenAPI, "3."):
		v.fail(schema, "openapi is %q, want 3.x", doc.OpenAPI)
	case len(doc.Paths) == 0 || doc.Components.SecuritySchemes["ApiKey"] == nil:
		v.fail(schema, "paths or the ApiKey security scheme are missing")
	case v.opts.APIVersion != "" && doc.Info.Version != v.opts.APIVersion:
		v.fail(schema, "info.version is %q, expected %q", doc.Info.Version, v.opts.APIVersion)
	case v.opts.APIVersion == "" && !versionPattern.MatchString(doc.Info.Version):
		v.fail(schema, "info.version %q is not a version number", doc.Info.Version)
	default:
		v.pass(schema)
	}
}

func (v *verifier) checkEDAM() {
	const list = "edam: /api/v1/edam/ is public and finds Proteomics"
	res, ok := v.get(list, "/api/v1/edam/?branch=topic&q=proteomics")
	if ok {
		var terms []struct {
			Accession string `json:"accession"`
		}
		found := false
		if res.status == http.StatusOK && json.Unmarshal(res.body, &terms) == nil {
			for _, t := range terms {
				found = found || t.Accession == "topic_0121"
			}
		}
		if found {
			v.pass(list)
		} else {
			v.fail(list, "answered %d without topic_0121 (is the ontology synced? registry edam status): %s", res.status, snippet(res.body))
		}
	}

	const detail = "edam: /api/v1/edam/topic_0121/ is Proteomics"
	res, ok = v.get(detail, "/api/v1/edam/topic_0121/")
	if !ok {
		return
	}
	var term struct {
		Label string `json:"label"`
	}
	if res.status != http.StatusOK || json.Unmarshal(res.body, &term) != nil || term.Label != "Proteomics" {
		v.fail(detail, "answered %d %s", res.status, snippet(res.body))
		return
	}
	v.pass(detail)
}

var requestIDPattern = regexp.MustCompile(`"request_id":"[^"]*"`)

func (v *verifier) checkSecurity() {
	const frames = "security: X-Frame-Options DENY and nosniff"
	if res, ok := v.get(frames, "/"); ok {
		if res.header.Get("X-Frame-Options") != "DENY" || res.header.Get("X-Content-Type-Options") != "nosniff" {
			v.fail(frames, "X-Frame-Options %q, X-Content-Type-Options %q", res.header.Get("X-Frame-Options"), res.header.Get("X-Content-Type-Options"))
		} else {
			v.pass(frames)
		}
	}

	const denied = "security: /api/v1/submissions/ refuses requests without a key (403)"
	if res, ok := v.get(denied, "/api/v1/submissions/"); ok {
		if res.status != http.StatusForbidden || !bytes.Contains(res.body, []byte(`"request_id"`)) {
			v.fail(denied, "answered %d %s", res.status, snippet(res.body))
		} else {
			v.pass(denied)
		}
	}

	const same = "security: invalid keys all get the same 403"
	var bodies []string
	for _, header := range []string{"Authorization: AdminKey not-a-valid-key-0000000000000000", "Authorization: ApiKey another-invalid-key-1111111111111111"} {
		res, ok := v.get(same, "/api/v1/submissions/", header)
		if !ok {
			return
		}
		if res.status != http.StatusForbidden {
			v.fail(same, "an invalid key got %d", res.status)
			return
		}
		bodies = append(bodies, requestIDPattern.ReplaceAllString(string(res.body), ""))
	}
	if bodies[0] != bodies[1] {
		v.fail(same, "the answers differ, which tells a caller which keys exist")
	} else {
		v.pass(same)
	}

	const biotools = "security: /api/v1/biotools/ needs an admin key"
	if res, ok := v.get(biotools, "/api/v1/biotools/"); ok {
		if res.status != http.StatusForbidden {
			v.fail(biotools, "answered %d without a key", res.status)
		} else {
			v.pass(biotools)
		}
	}

	if !strings.HasPrefix(v.base, "https://") {
		v.skip("security: HSTS and http→https redirect", "the URL is not https")
		return
	}
	const hsts = "security: HSTS on https"
	if res, ok := v.get(hsts, "/"); ok {
		if !strings.Contains(res.header.Get("Strict-Transport-Security"), "max-age=") {
			v.fail(hsts, "no Strict-Transport-Security header (set security.https = true)")
		} else {
			v.pass(hsts)
		}
	}
	const redirect = "security: http:// redirects to https://"
	plain := "http://" + strings.TrimPrefix(v.base, "https://") + "/"
	res, err := v.do(http.MethodGet, plain, nil)
	switch {
	case err != nil:
		v.fail(redirect, "GET %s: %v", plain, err)
	case res.status != http.StatusMovedPermanently && res.status != http.StatusPermanentRedirect:
		v.fail(redirect, "GET %s answered %d, want a permanent redirect", plain, res.status)
	case !strings.HasPrefix(res.header.Get("Location"), "https://"):
		v.fail(redirect, "redirects to %q", res.header.Get("Location"))
	default:
		v.pass(redirect)
	}
}

func (v *verifier) checkAdmin() {
	names := []string{"admin: /api/v1/submissions/ lists with the admin key", "admin: /api/v1/biotools/ lists with the admin key"}
	if v.opts.AdminKey == "" {
		for _, n := range names {
			v.skip(n, "no --admin-key given")
		}
		return
	}
	for i, path := range []string{"/api/v1/submissions/", "/api/v1/biotools/"} {
		res, ok := v.get(names[i], path, "Authorization: AdminKey "+v.opts.AdminKey)
		if !ok {
			continue
		}
		var page struct {
			Count   *int  `json:"count"`
			Results []any `json:"results"`
		}
		if res.status != http.StatusOK || json.Unmarshal(res.body, &page) != nil || page.Count == nil {
			v.fail(names[i], "answered %d %s", res.status, snippet(res.body))
			continue
		}
		v.pass(names[i])
	}
}

// snippet shortens a response body for a message.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}
