package hooks

import (
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// errAuditReadOnly refuses changes to audit records.
var errAuditReadOnly = errors.New("audit records cannot be changed or deleted")

// snapshotEntry is one change-log row kept in a deletion audit.
type snapshotEntry struct {
	ChangedBy string   `json:"changed_by"`
	ChangedAt string   `json:"changed_at"`
	Changes   []Change `json:"changes"`
}

// bindDeletionAudit writes a submission_deletions row, with the whole change
// log, in the same transaction that deletes a submission; and keeps the
// audit trail append-only: change-log rows are never edited, deletion audits
// never edited or removed.
func (r *registry) bindDeletionAudit() {
	r.app.OnRecordDelete("submissions").BindFunc(func(e *core.RecordEvent) error {
		original := e.App
		defer func() { e.App = original }()
		return original.RunInTransaction(func(tx core.App) error {
			if err := r.writeDeletionAudit(tx, e.Record, r.actorOf(e)); err != nil {
				return err
			}
			e.App = tx
			return e.Next()
		})
	})
	refuse := func(e *core.RecordEvent) error { return errAuditReadOnly }
	r.app.OnRecordUpdate("submission_changes").BindFunc(refuse)
	r.app.OnRecordUpdate("submission_deletions").BindFunc(refuse)
	r.app.OnRecordDelete("submission_deletions").BindFunc(refuse)
}

func (r *registry) writeDeletionAudit(app core.App, s *core.Record, actor string) error {
	var log []*core.Record
	err := app.RecordQuery("submission_changes").
		AndWhere(dbx.HashExp{"submission": s.Id}).
		OrderBy("created ASC").All(&log)
	if err != nil {
		return err
	}
	snapshot := make([]snapshotEntry, 0, len(log))
	for _, row := range log {
		var changes []Change
		_ = row.UnmarshalJSONField("changes", &changes)
		snapshot = append(snapshot, snapshotEntry{
			ChangedBy: row.GetString("changed_by"),
			ChangedAt: row.GetDateTime("created").Time().UTC().Format("2006-01-02T15:04:05Z"),
			Changes:   changes,
		})
	}
	collection, err := app.FindCachedCollectionByNameOrId("submission_deletions")
	if err != nil {
		return err
	}
	audit := core.NewRecord(collection)
	audit.Load(map[string]any{
		"submission_id":         s.Id,
		"service_name":          s.GetString("service_name"),
		"status":                s.GetString("status"),
		"submitter_first_name":  s.GetString("submitter_first_name"),
		"submitter_last_name":   s.GetString("submitter_last_name"),
		"submitter_affiliation": s.GetString("submitter_affiliation"),
		"public_contact_email":  s.GetString("public_contact_email"),
		"deleted_by":            actor,
		"changelog_count":       len(snapshot),
		"changelog_snapshot":    snapshot,
	})
	if err := app.Save(audit); err != nil {
		return err
	}
	app.Logger().Info("Submission deleted; audit record kept", "submission", s.Id, "by", actor, "changes", len(snapshot))
	return nil
}
