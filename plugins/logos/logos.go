// Package logos makes uploaded service logos safe to store and show to
// everyone: every PNG, JPEG or SVG put into the logo file field is checked
// by its content, re-encoded or re-serialised without metadata, scripts or
// external references, and stored as logo.png, logo.jpg or logo.svg. API
// responses get an absolute logo_url.
//
// Example usage:
//
//	logos.MustRegister(app, logos.Config{
//		MaxBytes: cfg.Uploads.LogoMaxBytes,
//		SiteURL:  cfg.Site.URL,
//	})
//
// The cleaning itself is the pure function Process, usable without an app.
package logos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Config defines the config options of the logos plugin.
type Config struct {
	// Collection holds the logo field. Defaults to "submissions".
	Collection string

	// Field is the single-file field with the logo. Defaults to "logo".
	// API responses get its absolute URL as Field + "_url" ("logo_url").
	Field string

	// MaxBytes is the largest accepted upload (and cleaned file).
	// Defaults to DefaultMaxBytes (10 MiB). The field's own MaxSize in the
	// schema also bounds the request body PocketBase accepts, so raising
	// this above it has no effect until the field is changed too.
	MaxBytes int64

	// MaxPixels bounds width × height of a raster logo, checked before
	// decoding. Defaults to DefaultMaxPixels (40 megapixels).
	MaxPixels int

	// SiteURL is the public base URL that logo_url starts with.
	// Defaults to the application URL in PocketBase's settings.
	SiteURL string
}

// plugin carries the configuration to the hooks.
type plugin struct {
	app    core.App
	config Config
	// decoding slots: a raster logo may take several hundred MB while it
	// is decoded, so only a few are decoded at the same time
	slots chan struct{}
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App, config Config) {
	if err := Register(app, config); err != nil {
		panic(err)
	}
}

// Register binds the logo hooks to app.
//
// Uploads are cleaned at the model level, so every way of saving a record
// goes through it: the dashboard, the collection API, /api/v1, imports and
// Go code calling app.Save or app.SaveNoValidate. PocketBase keeps new
// files as *filesystem.File values in the record until the create or update
// is executed, and only then writes them to storage (FileField.Intercept in
// core/field_file.go, on InterceptorActionCreateExecute/UpdateExecute). The
// OnRecordCreate and OnRecordUpdate hooks run before that and before the
// record is validated, so the cleaned file replaces the upload in place and
// PocketBase's own size and type checks see the cleaned file. The hooks run
// for SaveNoValidate too, which OnRecordValidate alone would miss; that one
// is bound as well (before PocketBase's field validation, priority 99) for
// code that validates a record before saving it. A file is cleaned once:
// cleaned files carry their own reader type and are recognised by it.
func Register(app core.App, config Config) error {
	if config.Collection == "" {
		config.Collection = "submissions"
	}
	if config.Field == "" {
		config.Field = "logo"
	}
	if config.MaxBytes == 0 {
		config.MaxBytes = DefaultMaxBytes
	}
	if config.MaxPixels == 0 {
		config.MaxPixels = DefaultMaxPixels
	}
	if config.MaxBytes < 0 || config.MaxPixels < 0 {
		return fmt.Errorf("logos: MaxBytes (%d) and MaxPixels (%d) must not be negative", config.MaxBytes, config.MaxPixels)
	}
	p := &plugin{app: app, config: config, slots: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}

	app.OnRecordCreate(config.Collection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "logosCleanOnCreate",
		Func: p.cleanUploads,
	})
	app.OnRecordUpdate(config.Collection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "logosCleanOnUpdate",
		Func: p.cleanUploads,
	})
	app.OnRecordValidate(config.Collection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:       "logosCleanOnValidate",
		Func:     p.cleanUploads,
		Priority: 50,
	})
	app.OnRecordEnrich(config.Collection).Bind(&hook.Handler[*core.RecordEnrichEvent]{
		Id:   "logosURL",
		Func: p.addLogoURL,
	})
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Id:   "logosCheckField",
		Func: p.checkField,
	})
	return nil
}

// cleanUploads replaces every new file of the logo field by its cleaned
// copy, or stops the save with a validation error on the field.
func (p *plugin) cleanUploads(e *core.RecordEvent) error {
	for _, file := range e.Record.GetUnsavedFiles(p.config.Field) {
		if _, done := file.Reader.(*cleanedReader); done {
			continue
		}
		cleaned, err := p.clean(e.Context, file)
		if err != nil {
			var refused *Error
			if errors.As(err, &refused) {
				attrs := []any{"collection", p.config.Collection, "record", e.Record.Id, "code", refused.Code}
				if refused.Err != nil {
					attrs = append(attrs, "cause", refused.Err.Error())
				}
				e.App.Logger().Info("Logo refused", attrs...)
				return validation.Errors{p.config.Field: validation.NewError(refused.Code, refused.Message)}
			}
			return fmt.Errorf("cleaning logo: %w", err)
		}
		// The record holds pointers to its files: overwriting the value
		// swaps the upload for the cleaned file wherever it is referenced.
		*file = *cleaned
	}
	return e.Next()
}

// clean reads one upload and returns its cleaned replacement.
func (p *plugin) clean(ctx context.Context, file *filesystem.File) (*filesystem.File, error) {
	if file.Size > p.config.MaxBytes {
		return nil, errTooLarge(p.config.MaxBytes)
	}
	data, err := readAtMost(file, p.config.MaxBytes)
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	processed, err := Process(data, p.config.MaxBytes, p.config.MaxPixels)
	if err != nil {
		return nil, err
	}
	// The uploader's file name is dropped; PocketBase appends a random
	// suffix to this one (logo_a1b2c3d4e5.png).
	cleaned, err := filesystem.NewFileFromBytes(processed.Data, "logo."+processed.Ext)
	if err != nil {
		return nil, err
	}
	cleaned.Reader = &cleanedReader{BytesReader: filesystem.BytesReader{Bytes: processed.Data}}
	return cleaned, nil
}

// readAtMost reads a file, refusing it as soon as it exceeds limit bytes
// (the declared Size of a multipart upload is not trusted alone).
func readAtMost(file *filesystem.File, limit int64) ([]byte, error) {
	r, err := file.Reader.Open()
	if err != nil {
		return nil, fmt.Errorf("opening upload: %w", err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading upload: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, errTooLarge(limit)
	}
	return data, nil
}

// cleanedReader marks a file this plugin produced, so that a record saved
// again (or validated, then saved) is not cleaned twice; a JPEG would lose
// quality every time.
type cleanedReader struct {
	filesystem.BytesReader
}

// addLogoURL adds logo_url, absolute or null, to API responses. Custom data
// must be switched on for the record to export it.
func (p *plugin) addLogoURL(e *core.RecordEnrichEvent) error {
	base := p.config.SiteURL
	if base == "" {
		base = e.App.Settings().Meta.AppURL
	}
	e.Record.WithCustomData(true)
	if u := LogoURL(base, e.Record, p.config.Field); u != "" {
		e.Record.Set(p.config.Field+"_url", u)
	} else {
		e.Record.Set(p.config.Field+"_url", nil)
	}
	return e.Next()
}

// LogoURL returns the public URL of the file in a record's file field,
// below siteURL (for example "https://registry.example.org"), or "" when
// the field holds no stored file. For the /api/v1 representation and pages.
func LogoURL(siteURL string, record *core.Record, field string) string {
	name := record.GetString(field)
	if name == "" || record.Id == "" {
		return ""
	}
	return strings.TrimRight(siteURL, "/") + "/api/files/" + url.PathEscape(record.Collection().Id) +
		"/" + url.PathEscape(record.Id) + "/" + url.PathEscape(name)
}

// checkField makes sure, once migrations have run, that the configured
// field exists and is a file field; a MaxSize below MaxBytes is worth a
// warning because uploads between the two fail with PocketBase's message.
func (p *plugin) checkField(e *core.ServeEvent) error {
	collection, err := e.App.FindCachedCollectionByNameOrId(p.config.Collection)
	if err != nil {
		return fmt.Errorf("logos: collection %q: %w", p.config.Collection, err)
	}
	field, ok := collection.Fields.GetByName(p.config.Field).(*core.FileField)
	if !ok {
		return fmt.Errorf("logos: %s.%s is not a file field", p.config.Collection, p.config.Field)
	}
	if field.MaxSize > 0 && field.MaxSize < p.config.MaxBytes {
		e.App.Logger().Warn("Logo size limit is above the file field's MaxSize; the smaller one applies",
			"collection", p.config.Collection, "field", p.config.Field,
			"maxBytes", p.config.MaxBytes, "fieldMaxSize", field.MaxSize)
	}
	return e.Next()
}
