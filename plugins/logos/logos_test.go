package logos_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/denbi/service-registry/hooks"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/logos"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/filesystem"
)

const siteURL = "https://registry.example.org"

// logoApp is the registry app with the logos plugin, a server, reference
// rows and an admin key that may create submissions.
type logoApp struct {
	app *tests.TestApp
	srv http.Handler
	ref testapp.Reference
	key string
}

func newLogoApp(t *testing.T, config logos.Config) *logoApp {
	t.Helper()
	app := apptest.NewCore(t)
	if err := logos.Register(app, config); err != nil {
		t.Fatal(err)
	}
	return &logoApp{app: app, srv: testapp.Server(t, app), ref: testapp.Seed(t, app), key: testapp.AdminKey(t, app, "full")}
}

// upload is one file part of a multipart body.
type upload struct {
	field, filename, contentType string
	data                         []byte
}

// sendMultipart sends fields (lists as repeated fields, booleans as
// true/false) and files as multipart/form-data.
func sendMultipart(t *testing.T, h http.Handler, method, url string, fields map[string]any, files []upload, headers ...string) *testapp.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var values []string
		switch v := fields[k].(type) {
		case string:
			values = []string{v}
		case bool:
			values = []string{strconv.FormatBool(v)}
		case int:
			values = []string{strconv.Itoa(v)}
		case []string:
			values = v
		default:
			t.Fatalf("field %s: unsupported type %T", k, v)
		}
		for _, v := range values {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		header := textproto.MIMEHeader{}
		header.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.field, f.filename))
		header.Set("Content-Type", f.contentType)
		part, err := mw.CreatePart(header)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(f.data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, url, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return &testapp.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func (a *logoApp) create(t *testing.T, logo upload) *testapp.Response {
	t.Helper()
	return sendMultipart(t, a.srv, http.MethodPost, "/api/collections/submissions/records",
		testapp.SubmissionData(a.ref, map[string]any{"service_categories": a.ref.Categories}),
		[]upload{logo}, "Authorization: AdminKey "+a.key)
}

func (a *logoApp) submissionCount(t *testing.T) int {
	t.Helper()
	n, err := a.app.CountRecords("submissions")
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

var storedName = regexp.MustCompile(`^logo_[a-z0-9]+\.(png|jpg|svg)$`)

func TestLogosAreCleanedAndServedSafely(t *testing.T) {
	a := newLogoApp(t, logos.Config{SiteURL: siteURL + "/"})
	hostileSVG := svgHead + `<script>alert(document.cookie)</script><rect width="10" height="10" onload="alert(1)" fill="url(#g)"/>` +
		`<image href="https://tracker.example/p.png"/></svg>`
	cases := []struct {
		name             string
		upload           upload
		ext, contentType string
		mustNotContain   []string
		disposition      string
		width, height    int
	}{
		{"PNG with EXIF, text and a ZIP chunk, named like a path",
			upload{"logo", "../../etc/passwd.png", "image/png", pngWithMetadata(t)},
			"png", "image/png", []string{"SECRET-TEXT", secretGPS, "PK\x03\x04"}, "inline", 24, 16},
		{"JPEG with GPS",
			upload{"logo", "holiday photo.jpeg", "image/jpeg", jpegWithGPS(t)},
			"jpg", "image/jpeg", []string{"Exif", secretGPS}, "inline", 24, 16},
		{"hostile SVG uploaded as logo.png",
			upload{"logo", "logo.png", "image/png", []byte(hostileSVG)},
			"svg", "image/svg+xml", []string{"script", "alert", "onload", "tracker.example"}, "attachment", 0, 0},
		{"PNG uploaded as logo.svg",
			upload{"logo", "logo.svg", "image/svg+xml", cleanPNG(t, 30, 20)},
			"png", "image/png", nil, "inline", 30, 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := a.create(t, tc.upload)
			if res.Status != http.StatusOK {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			rec := res.Map(t)
			id, _ := rec["id"].(string)
			name, _ := rec["logo"].(string)
			if !storedName.MatchString(name) || !strings.HasSuffix(name, "."+tc.ext) {
				t.Fatalf("stored as %q, want logo_<random>.%s", name, tc.ext)
			}
			collection, _ := rec["collectionId"].(string)
			wantURL := siteURL + "/api/files/" + collection + "/" + id + "/" + name
			if rec["logo_url"] != wantURL {
				t.Fatalf("logo_url %v, want %s", rec["logo_url"], wantURL)
			}

			file := testapp.Do(t, a.srv, http.MethodGet, strings.TrimPrefix(wantURL, siteURL), nil)
			if file.Status != http.StatusOK {
				t.Fatalf("download: %d %s", file.Status, file.Body)
			}
			want, err := logos.Process(tc.upload.data, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(file.Body, want.Data) {
				t.Fatalf("served %d bytes that differ from the cleaned file (%d bytes)", len(file.Body), len(want.Data))
			}
			for _, s := range tc.mustNotContain {
				if bytes.Contains(file.Body, []byte(s)) {
					t.Errorf("served file contains %q", s)
				}
			}
			if got := file.Header.Get("Content-Type"); got != tc.contentType {
				t.Errorf("Content-Type %q, want %q", got, tc.contentType)
			}
			if got := file.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			csp := file.Header.Get("Content-Security-Policy")
			if csp != hooks.UploadCSP || !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") ||
				strings.Contains(csp, "script-src") {
				t.Errorf("Content-Security-Policy %q, want the upload policy without scripts", csp)
			}
			if got := file.Header.Get("Content-Disposition"); !strings.HasPrefix(got, tc.disposition+";") {
				t.Errorf("Content-Disposition %q, want %s", got, tc.disposition)
			}
			if tc.ext == "svg" {
				checkSafeSVG(t, file.Body)
			} else if want.Width != tc.width || want.Height != tc.height {
				t.Errorf("size %d×%d, want %d×%d", want.Width, want.Height, tc.width, tc.height)
			}
		})
	}
}

func TestHostileLogosGetAFieldError(t *testing.T) {
	a := newLogoApp(t, logos.Config{})
	cases := []struct {
		name   string
		upload upload
		code   string
	}{
		{"text file named .png", upload{"logo", "logo.png", "image/png", []byte("not an image at all\n")}, logos.CodeUnsupported},
		{"PNG/ZIP polyglot", upload{"logo", "logo.png", "image/png", concat(cleanPNG(t, 4, 4), zipArchive(t))}, logos.CodeTrailingData},
		{"PNG claiming 100000×100000", upload{"logo", "logo.png", "image/png", pngBomb(t)}, logos.CodeTooManyPixels},
		{"SVG with XXE", upload{"logo", "logo.svg", "image/svg+xml",
			[]byte(`<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>`)}, logos.CodeSVGDoctype},
		{"HTML named .svg", upload{"logo", "logo.svg", "image/svg+xml", []byte(`<?xml version="1.0"?><html><script>alert(1)</script></html>`)}, logos.CodeUnsupported},
		{"truncated JPEG", upload{"logo", "logo.jpg", "image/jpeg", cleanJPEG(t, 40, 40)[:300]}, logos.CodeCorrupt},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := a.create(t, tc.upload)
			if res.Status != http.StatusBadRequest {
				t.Fatalf("status %d %s", res.Status, res.Body)
			}
			var body struct {
				Data map[string]struct{ Code, Message string } `json:"data"`
			}
			res.JSON(t, &body)
			got := body.Data["logo"]
			if got.Code != tc.code || got.Message == "" {
				t.Fatalf("logo error %+v, want code %s (%s)", got, tc.code, res.Body)
			}
			if len(body.Data) != 1 {
				t.Fatalf("errors on other fields too: %s", res.Body)
			}
		})
	}
	if n := a.submissionCount(t); n != 0 {
		t.Fatalf("%d submissions created from hostile uploads", n)
	}
}

func TestSizeLimitComesFromConfig(t *testing.T) {
	a := newLogoApp(t, logos.Config{MaxBytes: 2000})
	big := cleanJPEG(t, 200, 200)
	if len(big) <= 2000 {
		t.Fatalf("test image too small: %d bytes", len(big))
	}
	res := a.create(t, upload{"logo", "logo.jpg", "image/jpeg", big})
	if res.Status != http.StatusBadRequest || !bytes.Contains(res.Body, []byte(logos.CodeTooLarge)) ||
		!bytes.Contains(res.Body, []byte("larger than 1 KB")) {
		t.Fatalf("got %d %s", res.Status, res.Body)
	}
	if res := a.create(t, upload{"logo", "logo.png", "image/png", cleanPNG(t, 4, 4)}); res.Status != http.StatusOK {
		t.Fatalf("small logo: %d %s", res.Status, res.Body)
	}
}

func TestLogoUpdateReplacesTheFile(t *testing.T) {
	a := newLogoApp(t, logos.Config{SiteURL: siteURL})
	res := a.create(t, upload{"logo", "a.png", "image/png", cleanPNG(t, 8, 8)})
	if res.Status != http.StatusOK {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	rec := res.Map(t)
	id, oldName, collection := rec["id"].(string), rec["logo"].(string), rec["collectionId"].(string)
	recordURL := "/api/collections/submissions/records/" + id

	// a hostile replacement is refused and the old logo stays
	bad := sendMultipart(t, a.srv, http.MethodPatch, recordURL, nil,
		[]upload{{"logo", "b.svg", "image/svg+xml", []byte("<svg><!DOCTYPE x [<!ENTITY a 'b'>]></svg>")}}, "Authorization: AdminKey "+a.key)
	if bad.Status != http.StatusBadRequest || !bytes.Contains(bad.Body, []byte(logos.CodeSVGDoctype)) {
		t.Fatalf("hostile update: %d %s", bad.Status, bad.Body)
	}
	view := testapp.Do(t, a.srv, http.MethodGet, recordURL, nil, "Authorization: AdminKey "+a.key)
	if got := view.Map(t)["logo"]; got != oldName {
		t.Fatalf("logo after refused update %v, want %s", got, oldName)
	}

	// a clean replacement takes the old file's place
	good := sendMultipart(t, a.srv, http.MethodPatch, recordURL, nil,
		[]upload{{"logo", "b.svg", "image/svg+xml", []byte(cleanSVG)}}, "Authorization: AdminKey "+a.key)
	if good.Status != http.StatusOK {
		t.Fatalf("update: %d %s", good.Status, good.Body)
	}
	updated := good.Map(t)
	newName, _ := updated["logo"].(string)
	if !strings.HasSuffix(newName, ".svg") || updated["logo_url"] != siteURL+"/api/files/"+collection+"/"+id+"/"+newName {
		t.Fatalf("after update: logo %q, logo_url %v", newName, updated["logo_url"])
	}
	if res := testapp.Do(t, a.srv, http.MethodGet, "/api/files/"+collection+"/"+id+"/"+oldName, nil); res.Status != http.StatusNotFound {
		t.Fatalf("old logo still served: %d", res.Status)
	}
	if res := testapp.Do(t, a.srv, http.MethodGet, "/api/files/"+collection+"/"+id+"/"+newName, nil); res.Status != http.StatusOK ||
		res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("new logo: %d %q", res.Status, res.Header.Get("Content-Type"))
	}

	// removing the logo leaves logo_url null
	cleared := testapp.Do(t, a.srv, http.MethodPatch, recordURL, map[string]any{"logo": nil}, "Authorization: AdminKey "+a.key)
	if cleared.Status != http.StatusOK {
		t.Fatalf("clear: %d %s", cleared.Status, cleared.Body)
	}
	if m := cleared.Map(t); m["logo"] != "" || m["logo_url"] != nil {
		t.Fatalf("after clearing: logo %v, logo_url %v", m["logo"], m["logo_url"])
	}
}

func TestLogoURLIsNullWithoutLogoAndDefaultsToAppURL(t *testing.T) {
	a := newLogoApp(t, logos.Config{}) // SiteURL from PocketBase's settings
	res := testapp.Do(t, a.srv, http.MethodPost, "/api/collections/submissions/records",
		testapp.SubmissionData(a.ref, nil), "Authorization: AdminKey "+a.key)
	if res.Status != http.StatusOK {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	m := res.Map(t)
	if v, ok := m["logo_url"]; !ok || v != nil {
		t.Fatalf("logo_url %v (present %v), want null", v, ok)
	}

	withLogo := a.create(t, upload{"logo", "x.jpg", "image/jpeg", cleanJPEG(t, 10, 10)})
	if withLogo.Status != http.StatusOK {
		t.Fatalf("create: %d %s", withLogo.Status, withLogo.Body)
	}
	id := withLogo.Map(t)["id"].(string)
	// the list and the view carry the URL too
	list := testapp.Do(t, a.srv, http.MethodGet, "/api/collections/submissions/records?filter=(id='"+id+"')", nil, "Authorization: AdminKey "+a.key)
	var page struct {
		Items []map[string]any `json:"items"`
	}
	list.JSON(t, &page)
	appURL := a.app.Settings().Meta.AppURL
	if appURL == "" || len(page.Items) != 1 {
		t.Fatalf("app URL %q, items %d", appURL, len(page.Items))
	}
	u, _ := page.Items[0]["logo_url"].(string)
	if !strings.HasPrefix(u, appURL+"/api/files/") || !strings.HasSuffix(u, ".jpg") {
		t.Fatalf("logo_url %q does not start with the app URL %s", u, appURL)
	}
}

// Imports and Go code save records without the API, some without
// validation; their files are cleaned all the same.
func TestSavesOutsideTheAPIAreCleaned(t *testing.T) {
	a := newLogoApp(t, logos.Config{})
	collection, err := a.app.FindCollectionByNameOrId("submissions")
	if err != nil {
		t.Fatal(err)
	}
	newRecord := func(file []byte, name string) *core.Record {
		r := core.NewRecord(collection)
		r.Load(testapp.SubmissionData(a.ref, nil))
		f, err := filesystem.NewFileFromBytes(file, name)
		if err != nil {
			t.Fatal(err)
		}
		r.Set("logo", f)
		return r
	}
	stored := func(r *core.Record) []byte {
		fsys, err := a.app.NewFilesystem()
		if err != nil {
			t.Fatal(err)
		}
		defer fsys.Close()
		reader, err := fsys.GetReader(r.BaseFilesPath() + "/" + r.GetString("logo"))
		if err != nil {
			t.Fatal(err)
		}
		defer reader.Close()
		data, _ := io.ReadAll(reader)
		return data
	}

	hostile := []byte(svgHead + `<script>alert(1)</script><rect onclick="alert(2)"/></svg>`)
	r := newRecord(hostile, "evil.svg")
	if err := a.app.SaveNoValidate(r); err != nil {
		t.Fatal(err)
	}
	if got := stored(r); bytes.Contains(got, []byte("alert")) || !bytes.HasPrefix(got, []byte("<svg ")) {
		t.Fatalf("SaveNoValidate stored %s", got)
	}

	if err := a.app.Save(newRecord([]byte("plain text"), "x.png")); err == nil || !strings.Contains(err.Error(), "Unsupported file type") {
		t.Fatalf("Save of a text file: %v", err)
	}

	// validating first, then saving, cleans once: a JPEG re-encoded twice
	// would differ from a single pass
	jpg := jpegWithGPS(t)
	r = newRecord(jpg, "x.jpg")
	if err := a.app.Validate(r); err != nil {
		t.Fatal(err)
	}
	if err := a.app.Save(r); err != nil {
		t.Fatal(err)
	}
	once, _ := logos.Process(jpg, 0, 0)
	if got := stored(r); !bytes.Equal(got, once.Data) {
		t.Fatalf("stored JPEG (%d bytes) is not the single-pass result (%d bytes)", len(got), len(once.Data))
	}
}

func TestRegisterRejectsBadConfig(t *testing.T) {
	app := testapp.NewBare(t)
	if err := logos.Register(app, logos.Config{MaxBytes: -1}); err == nil {
		t.Fatal("negative MaxBytes accepted")
	}
	if err := logos.Register(app, logos.Config{MaxPixels: -1}); err == nil {
		t.Fatal("negative MaxPixels accepted")
	}
}
