package djangoimport

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pocketbase/pocketbase/tools/types"
)

// biotoolsFunction is one biotools.biotoolsfunction row, in the shape of
// an element of biotools_records.functions.
type biotoolsFunction struct {
	pk         string
	Position   int64           `json:"position"`
	Operations json.RawMessage `json:"operations"`
	Inputs     json.RawMessage `json:"inputs"`
	Outputs    json.RawMessage `json:"outputs"`
	Cmd        string          `json:"cmd"`
	Note       string          `json:"note"`
}

// biotoolsRecords imports biotools.biotoolsrecord under its UUID, with its
// biotools.biotoolsfunction rows as the record's "functions" list (ordered
// by position). The registry keeps a record only for services that link
// to bio.tools, so records of services without a link are skipped.
//
// Records are a copy of bio.tools that the registry refreshes itself (the
// daily sync; a running registry also syncs a linked service after it was
// created or its link changed): a stored record changed after the dump's
// updated_at is newer than the dump and is kept as it is.
func (im *importer) biotoolsRecords() error {
	functions, err := im.biotoolsFunctions()
	if err != nil {
		return err
	}
	used := map[string]bool{}
	err = im.rows(modelBiotools, func(pk string, f *fields) error {
		key := strings.ToLower(pk)
		used[key] = true
		fns := functions[key]
		skipFunctions := func(reason string) {
			for _, fn := range fns {
				im.skip(modelBiotoolsFunc, fn.pk, reason)
			}
		}
		id, ok := uuidID(pk)
		if !ok {
			im.skip(modelBiotools, pk, "the primary key is not a UUID")
			skipFunctions("its bio.tools record was skipped")
			return nil
		}
		submission := im.resolveOne(f, "submission", modelSubmission, f.key("submission"))
		if fns == nil {
			fns = []*biotoolsFunction{}
		}
		sort.SliceStable(fns, func(i, j int) bool { return fns[i].Position < fns[j].Position })
		list, err := json.Marshal(fns)
		if err != nil {
			return err
		}
		created, _ := f.timestamp("created_at")
		updated, _ := f.timestamp("updated_at")
		lastSynced, hasSynced := f.timestamp("last_synced_at")
		raw := f.json("raw_json")
		if raw == nil {
			raw = types.JSONRaw("{}")
		}
		set := map[string]any{
			"submission":       submission,
			"biotools_id":      f.str("biotools_id"),
			"name":             f.str("name"),
			"description":      f.str("description"),
			"homepage":         f.str("homepage"),
			"version":          f.str("version"),
			"license":          f.str("license"),
			"maturity":         f.str("maturity"),
			"cost":             f.str("cost"),
			"tool_type":        f.jsonList("tool_type"),
			"operating_system": f.jsonList("operating_system"),
			"edam_topic_uris":  f.jsonList("edam_topic_uris"),
			"functions":        types.JSONRaw(list),
			"publications":     f.jsonList("publications"),
			"documentation":    f.jsonList("documentation"),
			"download":         f.jsonList("download"),
			"links":            f.jsonList("links"),
			"raw":              raw,
			"last_synced_at":   optionalTime(lastSynced, hasSynced),
			"sync_error":       f.str("sync_error"),
		}
		if submission == "" && f.problem() == "" {
			f.fail("submission", "missing")
		}
		if p := f.problem(); p != "" {
			im.skip(modelBiotools, pk, p)
			skipFunctions("its bio.tools record was skipped")
			return nil
		}
		if problem := im.biotoolsLinkProblem(submission); problem != "" {
			im.skip(modelBiotools, pk, problem)
			skipFunctions("its bio.tools record was skipped")
			return nil
		}
		if other, err := im.app.FindFirstRecordByData("biotools_records", "submission", submission); err == nil && other.Id != id {
			im.warn(modelBiotools, pk, fmt.Sprintf("the registry already keeps bio.tools record %s for this service (synced from bio.tools); kept instead", other.Id))
			im.count(modelBiotools, outcomeUnchanged)
			for range fns {
				im.count(modelBiotoolsFunc, outcomeUnchanged)
			}
			return nil
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, o := im.apply(&target{
			model: modelBiotools, pk: pk, collection: "biotools_records", id: id, set: set,
			created: created, updated: updated, keepNewer: true,
		})
		for _, fn := range fns {
			if o == outcomeSkipped {
				im.skip(modelBiotoolsFunc, fn.pk, "its bio.tools record was skipped")
			} else {
				im.count(modelBiotoolsFunc, o)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	var orphans []*biotoolsFunction
	for record, fns := range functions {
		if !used[record] {
			orphans = append(orphans, fns...)
		}
	}
	sort.Slice(orphans, func(i, j int) bool { return orphans[i].pk < orphans[j].pk })
	for _, fn := range orphans {
		im.skip(modelBiotoolsFunc, fn.pk, "its bio.tools record is not in the dump")
	}
	return nil
}

// biotoolsLinkProblem explains why a service cannot keep a bio.tools
// record, or returns "".
func (im *importer) biotoolsLinkProblem(submissionID string) string {
	sub, err := im.app.FindRecordById("submissions", submissionID)
	if err != nil {
		return "its submission is not in the registry"
	}
	if strings.TrimSpace(sub.GetString("biotools_url")) == "" {
		return "its submission no longer links to bio.tools; the registry keeps records only for linked services"
	}
	return ""
}

// biotoolsFunctions reads the function rows, grouped by the (lowercased)
// primary key of their record. Unreadable rows are skipped.
func (im *importer) biotoolsFunctions() (map[string][]*biotoolsFunction, error) {
	out := map[string][]*biotoolsFunction{}
	err := im.rows(modelBiotoolsFunc, func(pk string, f *fields) error {
		position, ok := f.integer("position")
		if !ok && f.problem() == "" {
			f.fail("position", "missing")
		}
		fn := &biotoolsFunction{
			pk:         pk,
			Position:   position,
			Operations: json.RawMessage(f.jsonList("operations")),
			Inputs:     json.RawMessage(f.jsonList("inputs")),
			Outputs:    json.RawMessage(f.jsonList("outputs")),
			Cmd:        f.str("cmd"),
			Note:       f.str("note"),
		}
		record := strings.ToLower(f.key("record"))
		if record == "" && f.problem() == "" {
			f.fail("record", "missing")
		}
		if p := f.problem(); p != "" {
			im.skip(modelBiotoolsFunc, pk, p)
			return nil
		}
		out[record] = append(out[record], fn)
		return nil
	})
	return out, err
}
