package hooks

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// maxCheckedJSONBody is how much of a JSON body the UTF-8 check reads; a
// larger body is left to the route's body limit.
const maxCheckedJSONBody = 32 << 20

// jsonUTF8Middleware refuses JSON request bodies that are not valid UTF-8.
// Go's JSON decoder would otherwise replace the bad bytes with U+FFFD and
// store the damaged text without a word to the client.
func (r *registry) jsonUTF8Middleware() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "registryJSONUTF8",
		Priority: apis.DefaultBodyLimitMiddlewarePriority + 5,
		Func: func(e *core.RequestEvent) error {
			switch e.Request.Method {
			case http.MethodPost, http.MethodPut, http.MethodPatch:
			default:
				return e.Next()
			}
			if e.Request.Body == nil || !isJSONRequest(e.Request) {
				return e.Next()
			}
			raw, err := io.ReadAll(io.LimitReader(e.Request.Body, maxCheckedJSONBody+1))
			if err != nil {
				return apis.NewApiError(http.StatusRequestEntityTooLarge, "The request body is too large or could not be read.", nil)
			}
			// hand on a body that can still be read more than once (access
			// rules and handlers both read it)
			rest := e.Request.Body
			e.Request.Body = &router.RereadableReadCloser{ReadCloser: readCloser{io.MultiReader(bytes.NewReader(raw), rest), rest}}
			if len(raw) <= maxCheckedJSONBody && !utf8.Valid(raw) {
				return apis.NewBadRequestError("The request body is not valid UTF-8 text: send JSON encoded as UTF-8.", nil)
			}
			return e.Next()
		},
	}
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	io.Closer
}

// isJSONRequest reports whether the body is declared as JSON (or not
// declared at all, which PocketBase reads as JSON).
func isJSONRequest(req *http.Request) bool {
	contentType := req.Header.Get("Content-Type")
	if contentType == "" {
		return true
	}
	media, _, err := mime.ParseMediaType(contentType)
	return err == nil && (media == "application/json" || strings.HasSuffix(media, "+json"))
}

// bindStrictJSONTypes makes the collection API refuse JSON values of the
// wrong type for the registry's collections, as /api/v1 does, instead of
// PocketBase's lenient casting (123 stored as the text "123", "yes please"
// read as false). Form uploads carry only text and are left to PocketBase.
func (r *registry) bindStrictJSONTypes() {
	check := func(e *core.RecordRequestEvent) error {
		if !isJSONRequest(e.Request) {
			return e.Next()
		}
		// PocketBase has already cast the values of its request info to
		// the field types: read what the client really sent
		body, ok := rawJSONObject(e.Request)
		if !ok {
			return e.Next() // not an object: PocketBase has answered that already
		}
		if errs := wrongJSONTypes(e.Collection, body); len(errs) > 0 {
			return apis.NewBadRequestError("Some fields have values of the wrong type.", errs)
		}
		return e.Next()
	}
	names := append([]string{"submissions"}, referenceCollections...)
	r.app.OnRecordCreateRequest(names...).BindFunc(check)
	r.app.OnRecordUpdateRequest(names...).BindFunc(check)
}

// rawJSONObject decodes the request body again (PocketBase keeps it
// re-readable) into untyped values.
func rawJSONObject(req *http.Request) (map[string]any, bool) {
	if req.Body == nil {
		return nil, false
	}
	raw, err := io.ReadAll(req.Body)
	if rereader, ok := req.Body.(router.Rereader); ok {
		rereader.Reread()
	}
	if err != nil {
		return nil, false
	}
	var body map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&body) != nil {
		return nil, false
	}
	return body, true
}

// wrongJSONTypes returns an error per body field whose JSON type does not
// fit the collection field. Unknown keys are PocketBase's to ignore; the
// "+" and "-" modifiers of multi-value fields are understood.
func wrongJSONTypes(collection *core.Collection, body map[string]any) validation.Errors {
	errs := validation.Errors{}
	for key, value := range body {
		if value == nil {
			continue // null clears a field
		}
		name := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(key, "+"), "+"), "-")
		field := collection.Fields.GetByName(name)
		if field == nil {
			continue
		}
		if expected, ok := fitsField(field, value); !ok {
			errs[key] = typeError(expected)
		}
	}
	return errs
}

// fitsField reports whether a decoded JSON value fits the field, and else
// what the field expects. Multi-value kinds take a single string or a list
// of strings (PocketBase keeps the last value of a list for a single one).
func fitsField(field core.Field, value any) (string, bool) {
	switch field.(type) {
	case *core.BoolField:
		_, ok := value.(bool)
		return "true or false", ok
	case *core.NumberField:
		_, ok := value.(json.Number)
		return "a number", ok
	case *core.RelationField:
		return "an id or a list of ids", isStringOrList(value)
	case *core.SelectField:
		return "one of the listed values, as text", isStringOrList(value)
	case *core.FileField:
		return "file names (upload files as multipart/form-data)", isStringOrList(value)
	case *core.JSONField, *core.GeoPointField:
		return "", true
	case *core.TextField, *core.EmailField, *core.URLField, *core.EditorField, *core.DateField, *core.AutodateField, *core.PasswordField:
		_, ok := value.(string)
		return "text", ok
	}
	return "", true
}

// isStringOrList accepts a string or a list of strings.
func isStringOrList(value any) bool {
	switch v := value.(type) {
	case string:
		return true
	case []any:
		for _, item := range v {
			if _, ok := item.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}
