package edam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Report says what a sync did or, in a dry run, would do. Every stored or
// upstream term is counted in exactly one of Added, Updated, Obsoleted and
// Unchanged.
type Report struct {
	// Source is where the release came from (URL or path).
	Source string `json:"source"`
	// Version is the release number stored on the terms.
	Version string `json:"version"`
	// Terms is the number of EDAM terms in the source, obsolete ones included.
	Terms int `json:"terms"`
	// Current counts the source's non-obsolete terms per branch.
	Current map[string]int `json:"current"`
	// Added terms were not stored before.
	Added int `json:"added"`
	// Updated terms changed in some field but did not become obsolete.
	Updated int `json:"updated"`
	// Obsoleted terms were current and are obsolete now, because the source
	// deprecates them or no longer lists them.
	Obsoleted int `json:"obsoleted"`
	// Missing is the part of Obsoleted the source no longer lists.
	Missing int `json:"missing"`
	// Unchanged terms needed no write.
	Unchanged int `json:"unchanged"`
	// DryRun is set when nothing was written.
	DryRun bool `json:"dry_run"`
	// Duration is how long the sync took (Apply: planning and writing; a
	// sync from a source also reading and parsing).
	Duration time.Duration `json:"-"`
}

// Writes is the number of records the sync writes (or would write).
func (r *Report) Writes() int { return r.Added + r.Updated + r.Obsoleted }

// CurrentSummary lists the current terms per branch, e.g.
// "topic 260, operation 537, data 416, identifier 533, format 612".
func (r *Report) CurrentSummary() string {
	parts := make([]string, 0, len(r.Current))
	for _, b := range []string{BranchTopic, BranchOperation, BranchData, BranchIdentifier, BranchFormat} {
		if n, ok := r.Current[b]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", b, n))
		}
	}
	return strings.Join(parts, ", ")
}

// String is the one-line summary printed by the CLI and logged by the cron.
func (r *Report) String() string {
	verb := "added %d, updated %d, obsoleted %d (%d no longer listed), unchanged %d"
	if r.DryRun {
		verb = "would add %d, update %d, obsolete %d (%d no longer listed), leave %d unchanged"
	}
	return fmt.Sprintf(verb, r.Added, r.Updated, r.Obsoleted, r.Missing, r.Unchanged)
}

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// DryRun computes the report without writing.
	DryRun bool
	// Progress, when set, is called after every 500 writes.
	Progress func(done, total int)
}

// termState is the part of a record a sync compares and writes.
type termState struct {
	uri, accession, branch, label, definition, parent, version string
	synonyms                                                   []string
	obsolete                                                   bool
	sortOrder                                                  int
}

func stateOf(rec *core.Record) termState {
	var syn []string
	if raw := rec.GetString("synonyms"); raw != "" && raw != "null" {
		_ = json.Unmarshal([]byte(raw), &syn)
	}
	return termState{
		uri: rec.GetString("uri"), accession: rec.GetString("accession"), branch: rec.GetString("branch"),
		label: rec.GetString("label"), definition: rec.GetString("definition"), parent: rec.GetString("parent"),
		version: rec.GetString("edam_version"), synonyms: syn, obsolete: rec.GetBool("obsolete"),
		sortOrder: rec.GetInt("sort_order"),
	}
}

func (s *termState) equal(o *termState) bool {
	return s.uri == o.uri && s.accession == o.accession && s.branch == o.branch && s.label == o.label &&
		s.definition == o.definition && s.parent == o.parent && s.version == o.version &&
		s.obsolete == o.obsolete && s.sortOrder == o.sortOrder &&
		slices.Equal(s.synonyms, o.synonyms) // nil and empty are equal here
}

// load copies the state onto a record, parent excluded.
func (s *termState) load(rec *core.Record) {
	syn := s.synonyms
	if syn == nil {
		syn = []string{}
	}
	rec.Set("uri", s.uri)
	rec.Set("accession", s.accession)
	rec.Set("branch", s.branch)
	rec.Set("label", s.label)
	rec.Set("definition", s.definition)
	rec.Set("synonyms", syn)
	rec.Set("obsolete", s.obsolete)
	rec.Set("sort_order", s.sortOrder)
	rec.Set("edam_version", s.version)
}

// change is one record to write.
type change struct {
	rec    *core.Record
	want   termState
	isNew  bool
	kind   *int // the report counter it belongs to
	parent *change
}

// Apply brings the stored terms in line with a parsed release, in place and
// in one transaction: new terms are inserted with ids derived from their
// accessions, changed terms are updated, and stored terms the release no
// longer lists are marked obsolete, never deleted, so existing annotations
// keep resolving. Terms that need no change are not written, so applying
// the same release twice writes nothing. Parent links are resolved against
// the stored terms and the release together; a term whose release lists no
// EDAM parent keeps the parent it had.
//
// Errors leave the table as it was.
func Apply(ctx context.Context, app core.App, o *Ontology, opts ApplyOptions) (*Report, error) {
	start := time.Now()
	if ctx == nil {
		ctx = context.Background()
	}
	if o == nil || len(o.Terms) == 0 {
		return nil, errors.New("the EDAM source lists no EDAM terms; refusing to mark every stored term obsolete")
	}
	if opts.DryRun {
		rep, _, err := plan(app, o)
		if err != nil {
			return nil, err
		}
		rep.DryRun = true
		rep.Duration = time.Since(start)
		return rep, nil
	}

	var rep *Report
	err := app.RunInTransaction(func(txApp core.App) error {
		// planning inside the transaction sees exactly the rows it writes
		var changes []*change
		var err error
		rep, changes, err = plan(txApp, o)
		if err != nil {
			return err
		}
		return write(ctx, txApp, changes, opts.Progress)
	})
	if err != nil {
		return nil, err
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// plan compares a release with the stored terms and returns the report
// and the records to write, parents before their children.
func plan(app core.App, o *Ontology) (*Report, []*change, error) {
	coll, err := app.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, nil, fmt.Errorf("the %s collection is missing (were the migrations applied?): %w", Collection, err)
	}
	var stored []*core.Record
	if err := app.RecordQuery(coll).All(&stored); err != nil {
		return nil, nil, fmt.Errorf("reading the stored EDAM terms: %w", err)
	}
	byAccession := make(map[string]*core.Record, len(stored))
	byURI := make(map[string]*core.Record, len(stored))
	for _, rec := range stored {
		byAccession[rec.GetString("accession")] = rec
		byURI[rec.GetString("uri")] = rec
	}

	rep := &Report{Version: o.Version, Terms: len(o.Terms), Current: map[string]int{}}

	// Every upstream term's record: the stored one (matched by accession,
	// then URI) or a new one with the derived id.
	target := make(map[string]*core.Record, len(o.Terms)) // by URI
	seen := make(map[*core.Record]bool, len(o.Terms))
	for i := range o.Terms {
		t := &o.Terms[i]
		rec := byAccession[t.Accession]
		if rec == nil {
			rec = byURI[t.URI]
		}
		if rec == nil || seen[rec] {
			rec = core.NewRecord(coll)
			rec.Id = t.ID()
			rec.Set(core.FieldNameId, rec.Id)
		}
		seen[rec] = true
		target[t.URI] = rec
	}

	var changes []*change
	byRecord := map[*core.Record]*change{}
	for i := range o.Terms {
		t := &o.Terms[i]
		rec := target[t.URI]
		if !t.Obsolete {
			rep.Current[t.Branch]++
		}
		have := termState{}
		if !rec.IsNew() {
			have = stateOf(rec)
		}
		want := termState{
			uri: t.URI, accession: t.Accession, branch: t.Branch, label: t.Label, definition: t.Definition,
			synonyms: t.Synonyms, obsolete: t.Obsolete, sortOrder: t.SortOrder, version: o.Version,
			parent: have.parent,
		}
		if want.version == "" {
			want.version = have.version
		}
		// An obsolete identifier loses its live parents upstream; without
		// a former parent the data_ prefix is all that is left, so keep
		// the branch it had rather than moving it.
		if t.Obsolete && want.branch == BranchData && have.branch == BranchIdentifier {
			want.branch = BranchIdentifier
		}
		if p := target[t.Parent()]; p != nil && p != rec {
			want.parent = p.Id
		}
		var kind *int
		switch {
		case rec.IsNew():
			kind = &rep.Added
		case have.equal(&want):
			rep.Unchanged++
			continue
		case want.obsolete && !have.obsolete:
			kind = &rep.Obsoleted
		default:
			kind = &rep.Updated
		}
		c := &change{rec: rec, want: want, isNew: rec.IsNew(), kind: kind}
		changes = append(changes, c)
		byRecord[rec] = c
	}
	for _, rec := range stored {
		if seen[rec] {
			continue
		}
		have := stateOf(rec)
		if have.obsolete {
			rep.Unchanged++
			continue
		}
		want := have
		want.obsolete = true
		rep.Missing++
		changes = append(changes, &change{rec: rec, want: want, kind: &rep.Obsoleted})
	}
	for _, c := range changes {
		*c.kind++
	}

	recByID := make(map[string]*core.Record, len(target))
	for _, rec := range target {
		recByID[rec.Id] = rec
	}
	for _, c := range changes {
		if p := recByID[c.want.parent]; p != nil {
			c.parent = byRecord[p]
		}
	}
	return rep, parentsFirst(changes), nil
}

// write saves the planned changes. A new term's parent must exist when the
// term is validated; planning put parents first, and whatever is left (a
// cycle) gets its parent in a second pass.
func write(ctx context.Context, txApp core.App, changes []*change, progress func(done, total int)) error {
	written := make(map[*core.Record]bool, len(changes))
	var deferred []*change
	for i, c := range changes {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.want.load(c.rec)
		if c.parent == nil || !c.parent.isNew || written[c.parent.rec] {
			c.rec.Set("parent", c.want.parent)
		} else {
			deferred = append(deferred, c)
		}
		if err := txApp.SaveWithContext(ctx, c.rec); err != nil {
			return fmt.Errorf("saving EDAM term %s (nothing was changed): %w", c.want.accession, err)
		}
		written[c.rec] = true
		if progress != nil && (i+1)%500 == 0 && i+1 < len(changes) {
			progress(i+1, len(changes))
		}
	}
	for _, c := range deferred {
		c.rec.Set("parent", c.want.parent)
		if err := txApp.SaveWithContext(ctx, c.rec); err != nil {
			return fmt.Errorf("linking EDAM term %s to its parent (nothing was changed): %w", c.want.accession, err)
		}
	}
	return nil
}

// parentsFirst orders changes so that each comes after the change of its
// parent, keeping the original order otherwise.
func parentsFirst(changes []*change) []*change {
	out := make([]*change, 0, len(changes))
	state := make(map[*change]uint8, len(changes)) // 1 visiting, 2 done
	var visit func(c *change)
	visit = func(c *change) {
		if state[c] != 0 {
			return // done, or a cycle: the second pass links it
		}
		state[c] = 1
		if c.parent != nil {
			visit(c.parent)
		}
		state[c] = 2
		out = append(out, c)
	}
	for _, c := range changes {
		visit(c)
	}
	return out
}
