package hooks_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/testapp"
)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartPatch sends a multipart PATCH with form values and one logo file.
func multipartPatch(t *testing.T, srv http.Handler, url, key string, values map[string][]string, logoName string, logo []byte) *testapp.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for name, vs := range values {
		for _, v := range vs {
			w.WriteField(name, v)
		}
	}
	if logo != nil {
		part, _ := w.CreateFormFile("logo", logoName)
		part.Write(logo)
	}
	w.Close()
	req := httptest.NewRequest(http.MethodPatch, url, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "ApiKey "+key)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return &testapp.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func TestV1MultipartWithLogo(t *testing.T) {
	w := newV1World(t)
	id, key := w.created(t, nil)
	url := "/api/v1/submissions/" + id + "/"

	res := multipartPatch(t, w.srv, url, key, map[string][]string{
		"register_as_elixir":   {"true"},
		"service_category_ids": {w.ref.Categories[0], w.ref.Categories[1]},
	}, "../../etc/passwd.png", pngBytes(t))
	if res.Status != http.StatusOK {
		t.Fatalf("multipart PATCH: %d %s", res.Status, res.Body)
	}
	body := res.Map(t)
	logoURL, _ := body["logo_url"].(string)
	if !strings.HasPrefix(logoURL, "http://127.0.0.1:8090/api/files/") || strings.Contains(logoURL, "passwd") {
		t.Fatalf("logo_url %q", logoURL)
	}
	if body["register_as_elixir"] != true || len(body["service_categories"].([]any)) != 2 {
		t.Fatalf("repeated fields and booleans: %v %v", body["register_as_elixir"], body["service_categories"])
	}
	logo := testapp.Do(t, w.srv, http.MethodGet, strings.TrimPrefix(logoURL, "http://127.0.0.1:8090"), nil)
	if logo.Status != 200 || logo.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("logo download: %d %q", logo.Status, logo.Header.Get("Content-Type"))
	}

	res = multipartPatch(t, w.srv, url, key, nil, "logo.png", []byte("just some text pretending to be a PNG"))
	if res.Status != http.StatusBadRequest || errorFields(t, res)["logo"] == nil {
		t.Fatalf("a text file named .png must be refused on the logo field: %d %s", res.Status, res.Body)
	}
}
