package licenses

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// CollectionName is the collection holding the SPDX license list.
const CollectionName = "licenses"

// Report says what a sync changed (or, in a dry run, would change).
type Report struct {
	Version string // licenseListVersion of the source
	Total   int    // usable licenses in the source
	Added   int    // new rows
	// Updated counts rows whose name, URLs, flags or list version changed,
	// including licenses upstream deprecated or reinstated.
	Updated int
	// Deprecated counts stored licenses that the source no longer lists and
	// that were marked deprecated; they are kept so that submissions which
	// use them keep their selection.
	Deprecated int
	Unchanged  int
	Skipped    []string // source entries left out, with the reason
	DryRun     bool
}

// Changed reports whether the sync wrote (or would write) anything.
func (r Report) Changed() bool { return r.Added+r.Updated+r.Deprecated > 0 }

// String is the one-line summary printed by the CLI and logged by the cron.
func (r Report) String() string {
	var b strings.Builder
	if r.DryRun {
		b.WriteString("Dry run, nothing written. ")
	}
	fmt.Fprintf(&b, "SPDX license list %s: %d licenses; added %d, updated %d, deprecated %d (no longer listed), unchanged %d",
		orUnknown(r.Version), r.Total, r.Added, r.Updated, r.Deprecated, r.Unchanged)
	if len(r.Skipped) > 0 {
		fmt.Fprintf(&b, ", skipped %d source entries", len(r.Skipped))
	}
	b.WriteString(".")
	return b.String()
}

func orUnknown(version string) string {
	if version == "" {
		return "(version unknown)"
	}
	return version
}

// ApplyOptions adjust Apply.
type ApplyOptions struct {
	// DryRun computes the report without writing.
	DryRun bool
	// Progress, when set, is called after each written row with the number
	// written so far and the number to write.
	Progress func(done, total int)
}

// Apply makes the licenses collection match list: rows are matched by
// license_id and updated in place, new ids are added, and stored ids the
// list no longer has are marked deprecated, never deleted. Rows that already
// match are not written, so applying the same list twice writes nothing.
// All writes happen in one transaction: on error the collection is left as
// it was.
func Apply(app core.App, list *List, opts ApplyOptions) (Report, error) {
	report := Report{Version: list.Version, Total: len(list.Licenses), Skipped: list.Skipped, DryRun: opts.DryRun}

	collection, err := app.FindCollectionByNameOrId(CollectionName)
	if err != nil {
		return report, fmt.Errorf("the %s collection is missing (were the migrations applied?): %w", CollectionName, err)
	}
	stored, err := app.FindAllRecords(collection)
	if err != nil {
		return report, fmt.Errorf("reading the stored licenses: %w", err)
	}
	byID := make(map[string]*core.Record, len(stored))
	for _, rec := range stored {
		byID[rec.GetString("license_id")] = rec
	}

	var pending []*core.Record
	listed := make(map[string]bool, len(list.Licenses))
	for _, license := range list.Licenses {
		listed[license.ID] = true
		rec, exists := byID[license.ID]
		if !exists {
			rec = core.NewRecord(collection)
			rec.Set("license_id", license.ID)
		}
		if !assign(rec, license, list.Version) {
			report.Unchanged++
			continue
		}
		if exists {
			report.Updated++
		} else {
			report.Added++
		}
		pending = append(pending, rec)
	}
	for _, rec := range stored {
		if listed[rec.GetString("license_id")] || rec.GetBool("deprecated") {
			continue
		}
		rec.Set("deprecated", true)
		report.Deprecated++
		pending = append(pending, rec)
	}

	if opts.DryRun || len(pending) == 0 {
		return report, nil
	}
	err = app.RunInTransaction(func(txApp core.App) error {
		for i, rec := range pending {
			if err := txApp.Save(rec); err != nil {
				return fmt.Errorf("saving license %q: %w", rec.GetString("license_id"), err)
			}
			if opts.Progress != nil {
				opts.Progress(i+1, len(pending))
			}
		}
		return nil
	})
	if err != nil {
		return report, err
	}
	return report, nil
}

// assign copies license onto rec and reports whether anything changed.
func assign(rec *core.Record, license License, version string) bool {
	isNew := rec.IsNew()
	changed := isNew
	set := func(field string, value any, equal bool) {
		if isNew || !equal {
			rec.Set(field, value)
			changed = true
		}
	}
	set("name", license.Name, rec.GetString("name") == license.Name)
	set("reference_url", license.ReferenceURL, rec.GetString("reference_url") == license.ReferenceURL)
	set("see_also", license.SeeAlso, slices.Equal(storedStrings(rec, "see_also"), license.SeeAlso))
	set("osi_approved", license.OSIApproved, rec.GetBool("osi_approved") == license.OSIApproved)
	set("fsf_libre", license.FSFLibre, rec.GetBool("fsf_libre") == license.FSFLibre)
	set("deprecated", license.Deprecated, rec.GetBool("deprecated") == license.Deprecated)
	if version != "" {
		set("spdx_version", version, rec.GetString("spdx_version") == version)
	}
	return changed
}

// storedStrings reads a JSON list of strings; anything else reads as nil, so
// it compares unequal and gets rewritten.
func storedStrings(rec *core.Record, field string) []string {
	var out []string
	raw, err := json.Marshal(rec.Get(field))
	if err != nil || json.Unmarshal(raw, &out) != nil || out == nil {
		return nil
	}
	return out
}
