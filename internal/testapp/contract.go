package testapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/denbi/service-registry/plugins/apidocs"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The API contract check: every response that Do records for a path of the
// published OpenAPI document (plugins/apidocs) is validated against it:
// status, headers and body. So a test that exercises the code also checks
// the document, and neither can drift from the other.

// ErrNotInContract is returned by CheckContract for exchanges the document
// does not describe: paths or methods it does not list (pages, the
// dashboard, redirects to the slashed path); requests authenticated with a
// PocketBase token (dashboard superusers see more than API clients); and
// answers of apps without the registry's middleware (no X-Request-ID: a
// plugin's test app without the hooks, whose errors are not enveloped).
var ErrNotInContract = errors.New("not described by the API document")

// requestIDHeader is set by the registry's middleware on every answer.
const requestIDHeader = "X-Request-ID"

// contract is the parsed document, loaded once per test binary.
var contract struct {
	once   sync.Once
	router routers.Router
	err    error
}

// contractRouter returns the router over the document's operations.
func contractRouter() (routers.Router, error) {
	contract.once.Do(func() {
		contract.router, contract.err = loadContract()
	})
	return contract.router, contract.err
}

func loadContract() (routers.Router, error) {
	doc, err := apidocs.Render(apidocs.Config{})
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromData(doc.JSON)
	if err != nil {
		return nil, fmt.Errorf("loading the API document: %w", err)
	}
	if err := spec.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("the API document is not valid OpenAPI: %w", err)
	}
	// The tests' requests go to example.com; without servers every host matches.
	spec.Servers = nil
	// Uploads arrive as files; the document only says which types.
	for _, mediaType := range []string{"image/png", "image/jpeg", "image/svg+xml", "image/gif", "image/webp", "application/octet-stream"} {
		openapi3filter.RegisterBodyDecoder(mediaType, openapi3filter.FileBodyDecoder)
	}
	return gorillamux.NewRouter(spec)
}

// contractFormats are checked on top of kin-openapi's own (date, date-time).
var contractFormats = []openapi3.SchemaValidationOption{
	openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC4122)),
	openapi3.WithStringFormatValidator("uri", openapi3.NewCallbackValidator(func(s string) error {
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("%q is not an absolute URL", s)
		}
		return nil
	})),
}

// CheckContract validates one recorded exchange against the API document:
// the response's status must be documented for the operation, its
// documented headers present and its body of the documented shape (no
// undocumented field: the read schemas forbid additional properties).
// A request the server accepted (2xx) must also be valid by the document,
// so the document cannot demand what the server does not; refused requests
// are not checked, as tests send bad input on purpose. Exchanges the
// document leaves out give ErrNotInContract.
func CheckContract(req *http.Request, reqBody []byte, res *Response) error {
	router, err := contractRouter()
	if err != nil {
		return err
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		return ErrNotInContract
	}
	if res.Header.Get(requestIDHeader) == "" {
		return ErrNotInContract
	}
	if auth := req.Header.Get("Authorization"); auth != "" &&
		!strings.HasPrefix(auth, "ApiKey ") && !strings.HasPrefix(auth, "AdminKey ") && res.Status < 400 {
		return ErrNotInContract
	}

	ctx := context.Background()
	reqOptions := &openapi3filter.Options{
		MultiError:              true,
		AuthenticationFunc:      checkScheme,
		SchemaValidationOptions: contractFormats,
	}
	reqOptions.WithCustomSchemaErrorFunc(shortSchemaError)
	input := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: reqOptions}
	if res.Status >= 200 && res.Status < 300 {
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
		if err := openapi3filter.ValidateRequest(ctx, input); err != nil {
			return fmt.Errorf("%s: the server accepted a request the document rejects: %w", route.Operation.OperationID, err)
		}
	}
	resOptions := &openapi3filter.Options{
		IncludeResponseStatus:   true,
		MultiError:              true,
		SchemaValidationOptions: contractFormats,
	}
	resOptions.WithCustomSchemaErrorFunc(shortSchemaError)
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input,
		Status:                 res.Status,
		Header:                 res.Header,
		Options:                resOptions,
	}
	out.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("%s: %w", route.Operation.OperationID, err)
	}
	return nil
}

// checkScheme accepts a request for a security scheme of the document when
// its Authorization header uses that scheme's name ("ApiKey <key>",
// "AdminKey <key>"); whether the key is valid is the server's business.
func checkScheme(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	auth := in.RequestValidationInput.Request.Header.Get("Authorization")
	if strings.HasPrefix(auth, in.SecuritySchemeName+" ") {
		return nil
	}
	return fmt.Errorf("no %q key sent", in.SecuritySchemeName)
}

// shortSchemaError replaces kin-openapi's schema errors, which append the
// whole schema and value (pages of JSON for a submission), by the path of
// the failing value and the reason.
func shortSchemaError(err *openapi3.SchemaError) string {
	if strings.HasPrefix(err.Reason, "error at ") {
		return err.Reason // the JSON Schema 2020-12 validator names the path itself
	}
	msg := "at /" + strings.Join(err.JSONPointer(), "/") + ": " + err.Reason
	switch err.SchemaField {
	case "oneOf", "anyOf", "allOf":
		if err.Origin != nil {
			msg += " (" + err.Origin.Error() + ")" // why no branch fitted
		}
	}
	return msg
}

// checkContract reports a contract violation as a test error. Benchmarks
// are not checked: validation would distort their numbers.
func checkContract(t testing.TB, method, target string, header http.Header, reqBody []byte, res *Response) {
	t.Helper()
	if _, isBenchmark := t.(*testing.B); isBenchmark {
		return
	}
	req := httptest.NewRequest(method, target, bytes.NewReader(reqBody))
	req.Header = header
	err := CheckContract(req, reqBody, res)
	if err == nil || errors.Is(err, ErrNotInContract) {
		return
	}
	t.Errorf("API contract (plugins/apidocs/openapi.yaml): %s %s answered %d: %v\nbody: %s",
		method, req.URL.Path, res.Status, err, clip(res.Body, 600))
}

// clip shortens a body for a failure message.
func clip(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}
