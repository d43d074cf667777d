package hooks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
)

// maxV1Body bounds /api/v1 request bodies (a logo upload plus the form).
const maxV1Body = 16 << 20

// v1Body is a decoded /api/v1 request body: JSON, or a form where lists are
// repeated fields and booleans are "true"/"false".
type v1Body struct {
	values map[string]any
	files  map[string][]*filesystem.File
}

// readV1Body decodes the request body, answering 400 with a clear message
// when it cannot be read.
func readV1Body(e *core.RequestEvent) (*v1Body, error) {
	body := &v1Body{values: map[string]any{}, files: map[string][]*filesystem.File{}}
	mediaType, _, _ := mime.ParseMediaType(e.Request.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data", "application/x-www-form-urlencoded":
		if err := e.Request.ParseMultipartForm(maxV1Body); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return nil, apis.NewBadRequestError("The form data could not be read: "+err.Error(), nil)
		}
		for name, values := range e.Request.PostForm {
			if len(values) == 1 {
				body.values[name] = values[0]
			} else {
				body.values[name] = values
			}
		}
		if e.Request.MultipartForm != nil {
			for name := range e.Request.MultipartForm.File {
				files, err := e.FindUploadedFiles(name)
				if err != nil {
					return nil, apis.NewBadRequestError("The uploaded file could not be read.", nil)
				}
				body.files[name] = files
			}
		}
	case "application/json", "":
		raw, err := io.ReadAll(io.LimitReader(e.Request.Body, maxV1Body+1))
		if err != nil {
			return nil, apis.NewBadRequestError("The request body could not be read.", nil)
		}
		if len(raw) > maxV1Body {
			return nil, apis.NewApiError(http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body is larger than %d MB.", maxV1Body>>20), nil)
		}
		// leave the body readable for PocketBase's request info (access rules)
		e.Request.Body = io.NopCloser(bytes.NewReader(raw))
		if len(bytes.TrimSpace(raw)) == 0 {
			return body, nil
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&body.values); err != nil {
			return nil, apis.NewBadRequestError("The request body is not a valid JSON object: "+jsonProblem(err), nil)
		}
		if body.values == nil { // the body was null
			return nil, apis.NewBadRequestError("The request body is not a valid JSON object: expected an object {...} at the top level.", nil)
		}
	default:
		return nil, apis.NewApiError(http.StatusUnsupportedMediaType,
			"Send JSON (Content-Type: application/json) or a form (multipart/form-data).", nil)
	}
	return body, nil
}

// jsonProblem describes a JSON decoding error without echoing input.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Sprintf("syntax error at byte %d.", syntax.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return "expected an object {...} at the top level."
	}
	return "it ends too early or has trailing data."
}

func (b *v1Body) has(name string) bool {
	_, ok := b.values[name]
	if !ok {
		_, ok = b.files[name]
	}
	return ok
}

// inputKind says how a wire value is converted.
type inputKind int

const (
	inText inputKind = iota
	inBool
	inInt
	inDate
	inIDList
	inID
	inTermList
	inLicenseList
	inFile
)

// v1Field maps one /api/v1 wire field to a record field.
type v1Field struct {
	wire, field string
	kind        inputKind
	branch      string // EDAM branch for inTermList
}

// typeError is a field error for a value of the wrong type.
func typeError(expected string) validation.Error {
	return validation.NewError("validation_invalid_type", "Wrong type: send "+expected+".")
}

// applyV1Fields converts the body's values for the given fields and sets them
// on the record. Fields absent from the body are left alone (PATCH); errors are
// keyed by wire name.
func applyV1Fields(app core.App, body *v1Body, fields []v1Field, record *core.Record) validation.Errors {
	errs := validation.Errors{}
	for _, f := range fields {
		if !body.has(f.wire) {
			continue
		}
		raw := body.values[f.wire]
		switch f.kind {
		case inText:
			s, ok := asString(raw)
			if !ok {
				errs[f.wire] = typeError("text")
				continue
			}
			record.Set(f.field, s)
		case inBool:
			v, ok := asBool(raw)
			if !ok {
				errs[f.wire] = typeError("true or false")
				continue
			}
			record.Set(f.field, v)
		case inInt:
			v, ok := asInt(raw)
			if !ok {
				errs[f.wire] = typeError("a whole number")
				continue
			}
			record.Set(f.field, v)
		case inDate:
			s, ok := asString(raw)
			d, err := time.Parse("2006-01-02", s)
			if !ok || err != nil {
				errs[f.wire] = typeError("a date as YYYY-MM-DD")
				continue
			}
			record.Set(f.field, d)
		case inID:
			s, ok := asString(raw)
			if !ok {
				errs[f.wire] = typeError("an id")
				continue
			}
			record.Set(f.field, s)
		case inIDList:
			ids, ok := asList(raw)
			if !ok {
				errs[f.wire] = typeError("a list of ids")
				continue
			}
			record.Set(f.field, ids)
		case inTermList:
			refs, ok := asList(raw)
			if !ok {
				errs[f.wire] = typeError("a list of EDAM term ids, accessions or URIs")
				continue
			}
			ids, err := resolveTerms(app, refs, f.branch)
			if err != nil {
				errs[f.wire] = fieldError(err)
				continue
			}
			record.Set(f.field, ids)
		case inLicenseList:
			refs, ok := asList(raw)
			if !ok {
				errs[f.wire] = typeError("a list of SPDX license ids")
				continue
			}
			ids, err := resolveLicenses(app, refs)
			if err != nil {
				errs[f.wire] = fieldError(err)
				continue
			}
			record.Set(f.field, ids)
		case inFile:
			files := body.files[f.wire]
			if len(files) == 0 {
				if s, ok := asString(raw); ok && s == "" || raw == nil {
					record.Set(f.field, nil) // explicit null or "" removes the file
					continue
				}
				errs[f.wire] = typeError("a file upload (multipart/form-data)")
				continue
			}
			record.Set(f.field, files[0])
		}
	}
	return errs
}

func asString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case nil:
		return "", true
	}
	return "", false
}

func asBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "1", "on":
			return true, true
		case "false", "0", "":
			return false, true
		}
	}
	return false, false
}

func asInt(v any) (int, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := strconv.Atoi(x.String())
		return n, err == nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	}
	return 0, false
}

// asList accepts a JSON array of strings or numbers, or repeated form values
// (a single form value is a one-item list).
func asList(v any) ([]string, bool) {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, item := range x {
			switch y := item.(type) {
			case string:
				out = append(out, y)
			case json.Number:
				out = append(out, y.String())
			default:
				return nil, false
			}
		}
		return out, true
	case []string:
		return x, true
	case string:
		if x == "" {
			return []string{}, true
		}
		return []string{x}, true
	case nil:
		return []string{}, true
	}
	return nil, false
}
