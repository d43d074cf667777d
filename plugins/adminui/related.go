package adminui

import (
	"fmt"
	"github.com/denbi/service-registry/internal/refnames"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// related holds the reference records and bio.tools records of a set of
// submissions, loaded with one query per collection (no query per row).
type related struct {
	byCollection map[string]map[string]*core.Record
	biotools     map[string]*core.Record // by submission id
}

// loadRelated loads what subs refer to.
func loadRelated(app core.App, subs []*core.Record) (*related, error) {
	rel := &related{byCollection: map[string]map[string]*core.Record{}, biotools: map[string]*core.Record{}}
	ids := map[string][]string{}
	var subIDs []any
	for _, s := range subs {
		subIDs = append(subIDs, s.Id)
		for field, collection := range refnames.Relations {
			ids[collection] = append(ids[collection], s.GetStringSlice(field)...)
		}
	}
	for collection, list := range ids {
		if len(list) == 0 {
			continue
		}
		found, err := app.FindRecordsByIds(collection, list)
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", collection, err)
		}
		m := make(map[string]*core.Record, len(found))
		for _, r := range found {
			m[r.Id] = r
		}
		rel.byCollection[collection] = m
	}
	if len(subIDs) > 0 {
		var records []*core.Record
		err := app.RecordQuery("biotools_records").AndWhere(dbx.In("submission", subIDs...)).All(&records)
		if err != nil {
			return nil, fmt.Errorf("loading bio.tools records: %w", err)
		}
		for _, r := range records {
			rel.biotools[r.GetString("submission")] = r
		}
	}
	return rel, nil
}

// records returns the records a relation field of s points at, in the
// field's order; ids without a record are left out.
func (rel *related) records(s *core.Record, field string) []*core.Record {
	m := rel.byCollection[refnames.Relations[field]]
	var out []*core.Record
	for _, id := range s.GetStringSlice(field) {
		if r, ok := m[id]; ok {
			out = append(out, r)
		}
	}
	return out
}

// names returns the display names of a relation field's records.
func (rel *related) names(s *core.Record, field string, name func(*core.Record) string) []string {
	out := []string{}
	for _, r := range rel.records(s, field) {
		out = append(out, name(r))
	}
	return out
}

// biotoolsOf returns the bio.tools record of a submission, or nil.
func (rel *related) biotoolsOf(s *core.Record) *core.Record {
	return rel.biotools[s.Id]
}

// keyCounts returns, by submission id, the active and total number of
// submission keys, with one query.
func keyCounts(app core.App, subs []*core.Record) (map[string][2]int, error) {
	out := map[string][2]int{}
	if len(subs) == 0 {
		return out, nil
	}
	var ids []any
	for _, s := range subs {
		ids = append(ids, s.Id)
	}
	var rows []struct {
		Submission string `db:"submission"`
		Active     int    `db:"active_count"`
		Total      int    `db:"total_count"`
	}
	err := app.DB().Select("submission", "SUM(CASE WHEN active THEN 1 ELSE 0 END) AS active_count", "COUNT(*) AS total_count").
		From("submission_keys").
		Where(dbx.In("submission", ids...)).
		GroupBy("submission").
		All(&rows)
	if err != nil {
		return nil, fmt.Errorf("counting keys: %w", err)
	}
	for _, r := range rows {
		out[r.Submission] = [2]int{r.Active, r.Total}
	}
	return out, nil
}

// biotoolsState describes a submission's bio.tools link for the queue:
// "none" (no link), "ok" (synced), "error" (last sync failed) or "pending"
// (linked, not synced yet).
func biotoolsState(s *core.Record, record *core.Record) string {
	switch {
	case record != nil && record.GetString("sync_error") != "":
		return "error"
	case record != nil && !record.GetDateTime("last_synced_at").IsZero():
		return "ok"
	case record != nil || s.GetString("biotools_url") != "":
		return "pending"
	}
	return "none"
}
