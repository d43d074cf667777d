package hooks

import "github.com/pocketbase/pocketbase/core"

// biotoolsJSON is the bio.tools record nested in a submission: the full
// record on detail views, a summary in lists.
func (r *registry) biotoolsJSON(rec *core.Record, detail bool) any {
	return map[string]any{
		"id":             rec.Id,
		"biotools_id":    rec.GetString("biotools_id"),
		"biotools_url":   "https://bio.tools/" + rec.GetString("biotools_id"),
		"name":           rec.GetString("name"),
		"last_synced_at": v1Timestamp(rec.GetDateTime("last_synced_at").Time()),
		"sync_error":     rec.GetString("sync_error"),
	}
}
