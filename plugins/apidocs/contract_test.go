package apidocs_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"slices"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
)

// exchange is one request with its answer, for testapp.CheckContract.
type exchange struct {
	method, url string
	header      http.Header
	body        []byte
	res         *testapp.Response
}

func (x exchange) check() error {
	req := httptest.NewRequest(x.method, x.url, bytes.NewReader(x.body))
	req.Header = x.header.Clone()
	return testapp.CheckContract(req, x.body, x.res)
}

// withBody returns a copy of the exchange whose answer has another body.
func (x exchange) withBody(t *testing.T, edit func(map[string]any)) exchange {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(x.res.Body, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	res := *x.res
	res.Body = raw
	x.res = &res
	return x
}

// registered creates a service through /api/v1 and returns the exchanges
// of its creation and of reading it back with its key.
func registered(t testing.TB) (created, detail exchange) {
	t.Helper()
	app := apptest.New(t)
	ref := testapp.Seed(t, app)
	srv := testapp.Server(t, app)

	body, err := json.Marshal(testapp.V1SubmissionData(ref, nil))
	if err != nil {
		t.Fatal(err)
	}
	header := http.Header{"Content-Type": {"application/json"}}
	res := testapp.Do(t, srv, http.MethodPost, "/api/v1/submissions/", body)
	if res.Status != http.StatusCreated {
		t.Fatalf("registering: %d %s", res.Status, res.Body)
	}
	created = exchange{http.MethodPost, "/api/v1/submissions/", header, body, res}

	m := res.Map(t)
	url := "/api/v1/submissions/" + m["id"].(string) + "/"
	keyHeader := "ApiKey " + m["api_key"].(string)
	got := testapp.Do(t, srv, http.MethodGet, url, nil, "Authorization: "+keyHeader)
	if got.Status != http.StatusOK {
		t.Fatalf("reading back: %d %s", got.Status, got.Body)
	}
	detail = exchange{http.MethodGet, url, http.Header{"Authorization": {keyHeader}}, nil, got}
	return created, detail
}

// TestContractCatchesWrongAnswers proves the check that every API test
// runs through testapp.Do fails on answers that differ from the document.
func TestContractCatchesWrongAnswers(t *testing.T) {
	t.Parallel()
	created, detail := registered(t)
	if err := detail.check(); err != nil {
		t.Fatalf("the real answer must pass: %v", err)
	}
	if err := created.check(); err != nil {
		t.Fatalf("the real registration must pass: %v", err)
	}

	wrong := map[string]struct {
		x    exchange
		want string // part of the message
	}{
		"misspelt field": {detail.withBody(t, func(m map[string]any) {
			m["service_nam"] = m["service_name"]
			delete(m, "service_name")
		}), "service_nam"},
		"missing required field": {detail.withBody(t, func(m map[string]any) { delete(m, "links") }), "links"},
		"write-only field shown": {detail.withBody(t, func(m map[string]any) {
			m["internal_contact_email"] = "grace.internal@example.org"
		}), "internal_contact_email"},
		"hidden field shown": {detail.withBody(t, func(m map[string]any) { m["submission_ip"] = "192.0.2.1" }), "submission_ip"},
		"key shown again":    {detail.withBody(t, func(m map[string]any) { m["api_key"] = strings.Repeat("k", 64) }), "api_key"},
		"wrong type":         {detail.withBody(t, func(m map[string]any) { m["year_established"] = "2020" }), "year_established"},
		"unknown status":     {detail.withBody(t, func(m map[string]any) { m["status"] = "published" }), "status"},
		"nested field missing": {detail.withBody(t, func(m map[string]any) {
			delete(m["service_center"].(map[string]any), "short_name")
		}), "short_name"},
		"PI email in a submission": {detail.withBody(t, func(m map[string]any) {
			m["responsible_pis"].([]any)[0].(map[string]any)["email"] = "pi@example.org"
		}), "email"},
		"link not absolute": {detail.withBody(t, func(m map[string]any) {
			m["links"].(map[string]any)["self"] = "/api/v1/submissions/x/"
		}), "self"},
		"created without the key": {created.withBody(t, func(m map[string]any) { delete(m, "api_key") }), "api_key"},
	}
	undocumented := detail
	undocumented.res = &testapp.Response{Status: http.StatusTeapot, Header: detail.res.Header, Body: detail.res.Body}
	wrong["undocumented status"] = struct {
		x    exchange
		want string
	}{undocumented, "status is not supported"}

	envelope := detail
	envelope.res = &testapp.Response{Status: http.StatusNotFound, Header: detail.res.Header,
		Body: []byte(`{"error":{"detail":"No submission with this id is visible to this key."}}`)}
	wrong["error without request_id"] = struct {
		x    exchange
		want string
	}{envelope, "request_id"}

	for name, c := range wrong {
		err := c.x.check()
		if err == nil || errors.Is(err, testapp.ErrNotInContract) {
			t.Errorf("%s: the check passed (%v)", name, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "v1") {
			t.Errorf("%s: the message names neither the operation nor %q: %v", name, c.want, err)
		}
	}
}

// TestContractCatchesRequestsTheDocumentRejects: a request the server
// accepted must be valid by the document too, so the document cannot
// require what the server does not.
func TestContractCatchesRequestsTheDocumentRejects(t *testing.T) {
	t.Parallel()
	created, _ := registered(t)
	var body map[string]any
	if err := json.Unmarshal(created.body, &body); err != nil {
		t.Fatal(err)
	}
	delete(body, "service_name")
	raw, _ := json.Marshal(body)
	lacking := created
	lacking.body = raw
	err := lacking.check()
	if err == nil || !strings.Contains(err.Error(), "the server accepted a request the document rejects") ||
		!strings.Contains(err.Error(), "service_name") {
		t.Errorf("a 201 for a body without service_name must fail the check: %v", err)
	}

	// the same request refused by the server is fine: tests send bad input on purpose
	refused := lacking
	refused.res = &testapp.Response{Status: http.StatusBadRequest, Header: created.res.Header,
		Body: []byte(`{"error":{"service_name":["This field is required."]},"request_id":"7d1c7a5e-2f0b-4c8e-9d61-3c2b1f0e9a47"}`)}
	if err := refused.check(); err != nil {
		t.Errorf("a documented 400 failed the check: %v", err)
	}
}

func TestContractSkipsWhatItDoesNotDescribe(t *testing.T) {
	t.Parallel()
	_, detail := registered(t)
	ok := &testapp.Response{Status: http.StatusOK, Header: detail.res.Header, Body: []byte(`<!doctype html>`)}
	for name, x := range map[string]exchange{
		"a page":          {http.MethodGet, "/catalogue/", http.Header{}, nil, ok},
		"unknown API":     {http.MethodGet, "/api/v1/nothing-here/", http.Header{}, nil, ok},
		"method not used": {http.MethodPost, "/captcha/", http.Header{}, nil, ok},
		"dashboard token": {http.MethodGet, detail.url, http.Header{"Authorization": {"eyJhbGciOi.token"}}, nil,
			&testapp.Response{Status: http.StatusOK, Header: detail.res.Header, Body: []byte(`{"submission_ip":"x"}`)}},
		"no registry middleware": {http.MethodGet, detail.url, detail.header, nil,
			&testapp.Response{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}}, Body: detail.res.Body}},
	} {
		if err := x.check(); !errors.Is(err, testapp.ErrNotInContract) {
			t.Errorf("%s: %v, want ErrNotInContract", name, err)
		}
	}
}

// multipartForm encodes fields as a browser form does (lists as repeated
// fields, booleans as true/false) with a small PNG as "logo".
func multipartForm(t *testing.T, fields map[string]any) (body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	form := multipart.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		var values []string
		switch v := fields[name].(type) {
		case []string:
			values = v
		case []any:
			for _, item := range v {
				values = append(values, fmt.Sprint(item))
			}
		default:
			values = []string{fmt.Sprint(v)}
		}
		for _, v := range values {
			if err := form.WriteField(name, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	header := textproto.MIMEHeader{}
	header.Set("Content-Disposition", `form-data; name="logo"; filename="logo.png"`)
	header.Set("Content-Type", "image/png")
	part, err := form.CreatePart(header)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(part, image.NewRGBA(image.Rect(0, 0, 64, 64))); err != nil {
		t.Fatal(err)
	}
	if err := form.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), form.FormDataContentType()
}

// postForm sends a multipart body past testapp.Do (which sends JSON) and
// returns the exchange.
func postForm(t *testing.T, srv http.Handler, url string, body []byte, contentType string) exchange {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	sent := req.Header.Clone()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return exchange{http.MethodPost, url, sent, body, &testapp.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}}
}

// TestContractMultipartRegistration checks registrations sent as forms,
// request included, against the document: testapp.Do sends only JSON, so
// the suite does not reach the multipart schemas otherwise.
func TestContractMultipartRegistration(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ref := testapp.Seed(t, app)
	srv := testapp.Server(t, app)

	for name, c := range map[string]struct {
		url    string
		fields map[string]any
		status int
	}{
		"/api/v1":        {"/api/v1/submissions/", testapp.V1SubmissionData(ref, nil), http.StatusCreated},
		"collection API": {"/api/collections/submissions/records", testapp.SubmissionData(ref, map[string]any{"altcha": testapp.SolveCaptcha(t, srv)}), http.StatusOK},
	} {
		body, contentType := multipartForm(t, c.fields)
		x := postForm(t, srv, c.url, body, contentType)
		if x.res.Status != c.status {
			t.Fatalf("%s: %d %s", name, x.res.Status, x.res.Body)
		}
		if logo, _ := x.res.Map(t)["logo_url"].(string); logo == "" {
			t.Fatalf("%s: the logo was not stored: %s", name, x.res.Body)
		}
		if err := x.check(); err != nil {
			t.Errorf("%s: the form registration does not match the document: %v", name, err)
		}

		// the form is really checked: without service_name the document refuses it
		x.body = bytes.Replace(body, []byte(`name="service_name"`), []byte(`name="service_nam"`), 1)
		if err := x.check(); err == nil || !strings.Contains(err.Error(), "service_name") {
			t.Errorf("%s: a form without service_name passed the check: %v", name, err)
		}
	}
}
