package djangoimport

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/denbi/service-registry/internal/savecontext"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Actor is who the import's saves are attributed to: it is the changed_by
// of change-log rows the registry writes when an import changes a service.
// Being a "system:" actor also exempts imported services from the rules
// only the forms enforced (submitter name lengths, consent box).
const Actor = "system:import"

// ErrAborted is returned by Import with Options.Strict when rows were
// skipped; nothing was written.
var ErrAborted = errors.New("rows were skipped and strict mode is on, so nothing was written")

// errRollback ends the transaction of a dry run.
var errRollback = errors.New("dry run: rolling back")

// Options tune Import.
type Options struct {
	// DryRun runs the whole import, validation included, and then undoes
	// it, so the report says exactly what a real run would do.
	DryRun bool

	// Strict undoes the whole import when any row of a registry model is
	// skipped. Rows of models that are not registry data do not count.
	Strict bool

	// MediaDir is a copy of the Django MEDIA_ROOT; logos are read from
	// MediaDir/<path in the dump> (e.g. logos/<uuid>.png). Defaults to ""
	// (logos are neither imported nor removed).
	MediaDir string

	// Progress receives one line per model as the import goes. Defaults to
	// nil (no progress output).
	Progress io.Writer
}

// Import brings the rows of a Django registry dump into app, in one
// transaction: all or nothing. Rows keep their ids (UUIDs, category
// numbers), timestamps and key hashes, so existing URLs and keys keep
// working. Rows already imported are updated when the dump differs and
// left alone otherwise, so running the same dump twice writes nothing the
// second time. Every row goes through the registry's validation; rows that
// fail are skipped and listed in the report with the reason.
//
// The report is returned with a nil error after a real run or a dry run,
// with ErrAborted when Options.Strict undid the import, and is nil for any
// other error (the database was left unchanged).
func Import(ctx context.Context, app core.App, dump *Dump, opts Options) (*Report, error) {
	start := time.Now()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx = savecontext.Quietly(savecontext.WithActor(ctx, Actor))
	rep := &Report{DryRun: opts.DryRun, Ignored: map[string]int{}}

	var media *os.Root
	if opts.MediaDir != "" {
		root, err := os.OpenRoot(opts.MediaDir)
		if err != nil {
			return nil, fmt.Errorf("opening the media folder: %w", err)
		}
		defer root.Close()
		media = root
	}

	err := app.RunInTransaction(func(tx core.App) error {
		im := &importer{
			app: tx, ctx: ctx, opts: opts, dump: dump, rep: rep, media: media,
			ids: map[string]map[string]string{}, skipped: map[string]map[string]bool{},
		}
		defer im.close()
		if err := im.run(); err != nil {
			return err
		}
		if opts.Strict && len(rep.Skipped) > 0 {
			rep.Aborted = true
			return ErrAborted
		}
		if opts.DryRun {
			return errRollback
		}
		return nil
	})
	rep.Duration = time.Since(start)
	switch {
	case err == nil, errors.Is(err, errRollback):
		app.Logger().Info("Django import finished", "dryRun", opts.DryRun, "summary", rep.String(),
			"warnings", len(rep.Warnings), "took", rep.Duration.String())
		return rep, nil
	case errors.Is(err, ErrAborted):
		return rep, ErrAborted
	default:
		return nil, fmt.Errorf("the import failed and was undone: %w", err)
	}
}

// step imports the rows of one Django model.
type step struct {
	model      string // Django label
	collection string
	run        func(im *importer) error
	// companion is a model whose rows this step imports as part of its own
	// (bio.tools functions live inside their record).
	companion string
}

// Django model labels the importer understands.
const (
	modelCategory     = "registry.servicecategory"
	modelCentre       = "registry.servicecenter"
	modelPI           = "registry.principalinvestigator"
	modelEDAM         = "edam.edamterm"
	modelLicense      = "licenses.spdxlicense"
	modelSubmission   = "submissions.servicesubmission"
	modelKey          = "submissions.submissionapikey"
	modelAdminKey     = "api.adminapikey"
	modelChange       = "submissions.submissionchangelog"
	modelDeletion     = "submissions.submissiondeletionaudit"
	modelBiotools     = "biotools.biotoolsrecord"
	modelBiotoolsFunc = "biotools.biotoolsfunction"
	modelUser         = "auth.user"
)

// steps is the import order: every row comes after the rows it refers to.
var steps = []step{
	{model: modelCategory, collection: "categories", run: (*importer).categories},
	{model: modelCentre, collection: "service_centers", run: (*importer).centres},
	{model: modelPI, collection: "pis", run: (*importer).pis},
	{model: modelEDAM, collection: "edam_terms", run: (*importer).edamTerms},
	{model: modelLicense, collection: "licenses", run: (*importer).licenses},
	{model: modelSubmission, collection: "submissions", run: (*importer).submissions},
	{model: modelKey, collection: "submission_keys", run: (*importer).submissionKeys},
	{model: modelAdminKey, collection: "admin_keys", run: (*importer).adminKeys},
	{model: modelChange, collection: "submission_changes", run: (*importer).changeLog},
	{model: modelDeletion, collection: "submission_deletions", run: (*importer).deletionAudits},
	{model: modelBiotools, collection: "biotools_records", run: (*importer).biotoolsRecords, companion: modelBiotoolsFunc},
	{model: modelBiotoolsFunc, collection: "biotools_records (functions)"},
}

// importer is one run of Import, inside its transaction.
type importer struct {
	app   core.App // the transaction
	ctx   context.Context
	opts  Options
	dump  *Dump
	rep   *Report
	media *os.Root
	fsys  *filesystem.System // opened on first use, for stored logos

	// ids maps a model label and (lowercased) dump primary key to the id
	// of the record the row was imported as or matched to.
	ids map[string]map[string]string
	// skipped remembers rows not imported, so rows that refer to them can
	// say why they are skipped too.
	skipped map[string]map[string]bool
	// users maps auth.user primary keys to user names, when the dump has them.
	users map[string]string
}

func (im *importer) close() {
	if im.fsys != nil {
		_ = im.fsys.Close()
	}
}

func (im *importer) run() error {
	known := map[string]bool{}
	for _, s := range steps {
		known[s.model] = true
		im.rep.Models = append(im.rep.Models, &ModelReport{
			Model: s.model, Collection: s.collection, Rows: len(im.dump.Rows(s.model)),
		})
	}
	for _, label := range im.dump.Models() {
		if !known[label] {
			im.rep.Ignored[label] = len(im.dump.Rows(label))
		}
	}
	im.users = map[string]string{}
	for _, row := range im.dump.Rows(modelUser) {
		if pk, err := row.pkString(); err == nil {
			if name := newFields(row).str("username"); name != "" {
				im.users[pk] = name
			}
		}
	}
	for _, s := range steps {
		if s.run == nil {
			continue
		}
		if err := s.run(im); err != nil {
			return err
		}
		im.progress(s.model)
		if s.companion != "" {
			im.progress(s.companion)
		}
	}
	return nil
}

func (im *importer) progress(model string) {
	if im.opts.Progress != nil {
		fmt.Fprintln(im.opts.Progress, im.rep.Model(model).Line())
	}
}

// outcome is what happened to one row.
type outcome int

const (
	outcomeSkipped outcome = iota
	outcomeCreated
	outcomeUpdated
	outcomeUnchanged
)

func (im *importer) count(model string, o outcome) {
	m := im.rep.Model(model)
	switch o {
	case outcomeCreated:
		m.Created++
	case outcomeUpdated:
		m.Updated++
	case outcomeUnchanged:
		m.Unchanged++
	case outcomeSkipped:
		m.Skipped++
	}
}

// skip reports a row that is not imported.
func (im *importer) skip(model, pk, reason string) {
	im.count(model, outcomeSkipped)
	im.rep.Skipped = append(im.rep.Skipped, Note{Model: model, PK: pk, Reason: reason})
	if im.skipped[model] == nil {
		im.skipped[model] = map[string]bool{}
	}
	im.skipped[model][strings.ToLower(pk)] = true
}

// warn reports a row imported with something left out.
func (im *importer) warn(model, pk, reason string) {
	im.rep.Warnings = append(im.rep.Warnings, Note{Model: model, PK: pk, Reason: reason})
}

// remember records the id a dump row was imported as.
func (im *importer) remember(model, pk, id string) {
	if im.ids[model] == nil {
		im.ids[model] = map[string]string{}
	}
	im.ids[model][strings.ToLower(pk)] = id
}

// rows yields the rows of a model with their primary keys, skipping (and
// reporting) rows without a usable or with a repeated primary key.
func (im *importer) rows(model string, each func(pk string, f *fields) error) error {
	seen := map[string]bool{}
	for i, row := range im.dump.Rows(model) {
		if err := im.ctx.Err(); err != nil {
			return err
		}
		pk, err := row.pkString()
		if err != nil {
			im.skip(model, fmt.Sprintf("(row %d)", i+1), err.Error())
			continue
		}
		if seen[strings.ToLower(pk)] {
			im.skip(model, pk, "the dump has this primary key twice; only the first row is imported")
			continue
		}
		seen[strings.ToLower(pk)] = true
		if err := each(pk, newFields(row)); err != nil {
			return err
		}
	}
	return nil
}

// modelNames name the models in reasons.
var modelNames = map[string]string{
	modelCategory:   "service category",
	modelCentre:     "service centre",
	modelPI:         "PI",
	modelEDAM:       "EDAM term",
	modelLicense:    "license",
	modelSubmission: "submission",
	modelBiotools:   "bio.tools record",
}

// modelCollections are where the referenced models live.
var modelCollections = map[string]string{
	modelCategory:   "categories",
	modelCentre:     "service_centers",
	modelPI:         "pis",
	modelSubmission: "submissions",
	modelBiotools:   "biotools_records",
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// uuidID turns a Django UUID primary key into a record id (lowercase).
func uuidID(pk string) (string, bool) {
	id := strings.ToLower(strings.TrimSpace(pk))
	return id, uuidPattern.MatchString(id)
}

var positivePattern = regexp.MustCompile(`^[1-9][0-9]{0,17}$`)

// resolve returns the id of the record a foreign key points to: the record
// the referenced row was imported as, or, when the dump does not have the
// row (a partial dump), an existing record with the id the key maps to.
// problem explains a failure.
func (im *importer) resolve(model, pk string) (id, problem string) {
	key := strings.ToLower(pk)
	if id, ok := im.ids[model][key]; ok {
		return id, ""
	}
	what := modelNames[model]
	if im.skipped[model][key] {
		return "", fmt.Sprintf("refers to %s %s, which was skipped", what, pk)
	}
	var ok bool
	switch model {
	case modelCategory:
		id, ok = pk, positivePattern.MatchString(pk)
	case modelCentre, modelPI, modelSubmission, modelBiotools:
		id, ok = uuidID(pk)
	}
	if ok {
		if _, err := im.app.FindRecordById(modelCollections[model], id); err == nil {
			return id, ""
		}
	}
	return "", fmt.Sprintf("refers to %s %s, which is neither in the dump nor in the registry", what, pk)
}

// resolveAll resolves a many-to-many field; problems are added to f.
func (im *importer) resolveAll(f *fields, field, model string, pks []string) []string {
	ids := make([]string, 0, len(pks))
	for _, pk := range pks {
		id, problem := im.resolve(model, pk)
		if problem != "" {
			f.fail(field, "%s", problem)
			continue
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// resolveOne resolves a foreign key; "" stays "", problems are added to f.
func (im *importer) resolveOne(f *fields, field, model, pk string) string {
	if pk == "" {
		return ""
	}
	id, problem := im.resolve(model, pk)
	if problem != "" {
		f.fail(field, "%s", problem)
	}
	return id
}

// target describes the record one row becomes.
type target struct {
	model, pk  string
	collection string
	id         string
	// set are the field values from the dump, applied with Record.Set.
	set map[string]any
	// created and updated are the dump's timestamps; zero when the model
	// has none. updatedOnCreate: the dump has no update time, so a new
	// record's "updated" starts at created and is not compared later.
	created, updated time.Time
	updatedOnCreate  bool
	// appendOnly records (change log, audits) are never changed once
	// stored: a stored record that differs from the dump is reported.
	appendOnly bool
	// keepNewer: a stored record changed after the dump's "updated" is
	// the registry's own newer copy and is kept as it is.
	keepNewer bool
	// prepare adjusts the record after the dump's values were set and
	// before it is validated.
	prepare func(rec *core.Record)
	// changedBeyond reports changes the comparison of set cannot see.
	changedBeyond func(rec *core.Record) bool
	// fix may remove the cause of validation errors (a refused logo); it
	// returns true when validation should run again.
	fix func(rec *core.Record, errs validation.Errors) bool
	// beforeSave runs right before the record is written.
	beforeSave func(rec *core.Record)
}

// upsert creates or updates the record of a row, counts the outcome and
// returns the record (nil when the row was skipped). A record that would
// not change is not written at all: no "updated" bump, no change-log row.
func (im *importer) upsert(t *target) (*core.Record, outcome) {
	fail := func(reason string) (*core.Record, outcome) {
		im.skip(t.model, t.pk, reason)
		return nil, outcomeSkipped
	}
	coll, err := im.app.FindCachedCollectionByNameOrId(t.collection)
	if err != nil {
		return fail(fmt.Sprintf("the %s collection is missing: %v", t.collection, err))
	}
	rec, err := im.app.FindRecordById(coll, t.id)
	switch {
	case err == nil:
	case errors.Is(err, sql.ErrNoRows):
		rec = core.NewRecord(coll)
		rec.Set(core.FieldNameId, t.id)
	default:
		return fail(fmt.Sprintf("reading the stored record %s: %v", t.id, err))
	}
	isNew := rec.IsNew()

	if !isNew && t.keepNewer && !t.updated.IsZero() && rec.GetDateTime("updated").Time().After(t.updated) {
		im.count(t.model, outcomeUnchanged)
		return rec, outcomeUnchanged
	}

	for name, value := range t.set {
		rec.Set(name, value)
	}
	if !t.created.IsZero() {
		rec.SetRaw("created", dateTime(t.created))
	}
	switch {
	case !t.updated.IsZero():
		rec.SetRaw("updated", dateTime(t.updated))
	case t.updatedOnCreate && isNew && !t.created.IsZero():
		rec.SetRaw("updated", dateTime(t.created))
	}
	if t.prepare != nil {
		t.prepare(rec)
	}

	// Validation cleans text the way a save does, so the comparison below
	// sees the values that would be stored.
	verr := im.app.ValidateWithContext(im.ctx, rec)
	var ve validation.Errors
	if verr != nil && t.fix != nil && errors.As(verr, &ve) && t.fix(rec, ve) {
		verr = im.app.ValidateWithContext(im.ctx, rec)
	}

	if !isNew && im.same(rec, t) && (t.changedBeyond == nil || !t.changedBeyond(rec)) {
		im.count(t.model, outcomeUnchanged)
		return rec, outcomeUnchanged
	}
	if !isNew && t.appendOnly {
		return fail(fmt.Sprintf("already imported as %s with other values; %s records are never changed", rec.Id, t.collection))
	}
	if verr != nil {
		return fail(reason(verr))
	}
	if t.beforeSave != nil {
		t.beforeSave(rec)
	}
	if err := im.app.SaveWithContext(im.ctx, rec); err != nil {
		return fail(reason(err))
	}
	o := outcomeUpdated
	if isNew {
		o = outcomeCreated
	}
	im.count(t.model, o)
	return rec, o
}

// apply upserts a row and remembers its id.
func (im *importer) apply(t *target) (*core.Record, outcome) {
	rec, o := im.upsert(t)
	if o != outcomeSkipped {
		im.remember(t.model, t.pk, rec.Id)
	}
	return rec, o
}

// same reports whether a stored record keeps every value of the target.
func (im *importer) same(rec *core.Record, t *target) bool {
	orig := rec.Original()
	fields := rec.Collection().Fields
	for name := range t.set {
		if !sameField(fields.GetByName(name), orig, rec, name) {
			return false
		}
	}
	if !t.created.IsZero() && !sameField(fields.GetByName("created"), orig, rec, "created") {
		return false
	}
	if !t.updated.IsZero() && !sameField(fields.GetByName("updated"), orig, rec, "updated") {
		return false
	}
	return true
}

// sameField compares one field of two records by meaning: JSON by value,
// dates to the millisecond PocketBase stores, relations as sets.
func sameField(field core.Field, a, b *core.Record, name string) bool {
	switch field.(type) {
	case *core.JSONField:
		return sameJSON(a.GetRaw(name), b.GetRaw(name))
	case *core.DateField, *core.AutodateField:
		return a.GetDateTime(name).String() == b.GetDateTime(name).String()
	case *core.RelationField, *core.SelectField, *core.FileField:
		x, y := a.GetStringSlice(name), b.GetStringSlice(name)
		sort.Strings(x)
		sort.Strings(y)
		return slices.Equal(x, y)
	case *core.NumberField:
		return a.GetFloat(name) == b.GetFloat(name)
	case *core.BoolField:
		return a.GetBool(name) == b.GetBool(name)
	}
	return a.GetString(name) == b.GetString(name)
}

// sameJSON compares two JSON values by meaning (key order and spacing
// aside); null and a missing value are the same.
func sameJSON(a, b any) bool {
	return reflect.DeepEqual(decodeJSON(a), decodeJSON(b))
}

func decodeJSON(v any) any {
	var raw []byte
	switch x := v.(type) {
	case nil:
		return nil
	case types.JSONRaw:
		raw = x
	case []byte:
		raw = x
	case string:
		raw = []byte(x)
	default:
		var err error
		if raw, err = json.Marshal(x); err != nil {
			return fmt.Sprint(x)
		}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return string(raw)
	}
	return out
}

// reason turns a save or validation error into a line of the report:
// "field: message; field: message".
func reason(err error) string {
	var ve validation.Errors
	if errors.As(err, &ve) {
		names := make([]string, 0, len(ve))
		for name := range ve {
			names = append(names, name)
		}
		sort.Strings(names)
		parts := make([]string, 0, len(names))
		for _, name := range names {
			if ve[name] != nil {
				parts = append(parts, name+": "+ve[name].Error())
			}
		}
		return strings.Join(parts, "; ")
	}
	return err.Error()
}

// dateTime converts a time for SetRaw.
func dateTime(t time.Time) types.DateTime {
	d, _ := types.ParseDateTime(t.UTC())
	return d
}

// optionalTime is a date field value: the time, or "" for none.
func optionalTime(t time.Time, ok bool) any {
	if !ok {
		return ""
	}
	return dateTime(t)
}
