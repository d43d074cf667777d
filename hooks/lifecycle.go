package hooks

import (
	"slices"
	"strings"
	"time"

	"github.com/denbi/service-registry/internal/savecontext"
	"github.com/pocketbase/pocketbase/core"
)

// The lifecycle lives in model hooks, so the dashboard, both APIs, the web
// pages and the CLI behave the same:
//
//   - an edit by the owner (web page or API key) of an approved entry sends it
//     back to "submitted" when a changed field is not in
//     [submission] no_reset_fields; dashboard edits never do;
//   - maturity tags exist only on approved entries and are cleared whenever
//     an entry leaves approved;
//   - every save that changes something writes one change-log row and the
//     summary on the entry, in the transaction of the change;
//   - emails are written to the outbox in the same transaction.

// exemptFields validates [submission] no_reset_fields: system fields and
// unknown names are dropped with a warning naming the entry.
func (r *registry) exemptFields() map[string]bool {
	exempt := map[string]bool{}
	for _, field := range r.cfg.Submission.NoResetFields {
		switch {
		case systemFields[field]:
			r.app.Logger().Warn("submission.no_reset_fields: this field is managed by the registry and cannot be exempt; the entry is ignored", "field", field)
		case !slices.Contains(diffableFields, field):
			r.app.Logger().Warn("submission.no_reset_fields: no submission field has this name (typo?); the entry is ignored", "field", field)
		default:
			exempt[field] = true
		}
	}
	return exempt
}

// isOwnerEdit reports whether an actor is the entry's owner: the web pages
// ("submitter") or an API key ("api:<label>").
func isOwnerEdit(actor string) bool {
	return actor == "submitter" || strings.HasPrefix(actor, "api:")
}

// changeSummary is the last_change_summary of a submission.
type changeSummary struct {
	ChangedBy string   `json:"changed_by"`
	ChangedAt string   `json:"changed_at"`
	Changes   []Change `json:"changes"`
}

func (r *registry) bindLifecycle() {
	r.app.OnRecordCreate("submissions").BindFunc(func(e *core.RecordEvent) error {
		// after-success hooks get this event's app: give the original back once
		// the transaction is over, or they would query a committed transaction
		original := e.App
		defer func() { e.App = original }()
		return original.RunInTransaction(func(tx core.App) error {
			e.App = tx
			if err := e.Next(); err != nil || isQuiet(e) {
				return err
			}
			return r.queue(tx, notification{event: eventCreated, submission: e.Record})
		})
	})
	r.app.OnRecordUpdate("submissions").BindFunc(r.onSubmissionUpdate)
}

// StatusReasonField names the change-log entry that carries the office's
// reason for a status change (see savecontext.WithReason).
const StatusReasonField = "status_reason"

// AdminEntryPath opens one entry on the dashboard's Registry page; the
// submission id follows.
const AdminEntryPath = "/_/#/registry?id="

// onSubmissionUpdate applies the lifecycle rules to a save of an existing
// submission and records what changed.
func (r *registry) onSubmissionUpdate(e *core.RecordEvent) error {
	rec := e.Record
	original := rec.Original()
	actor := r.actorOf(e)

	// compare clean values, so re-sent whitespace or another Unicode form of
	// the same text is not a change
	cleanTextFields(rec)
	if rec.GetString("kpi_monitoring") == "planned" {
		rec.Set("kpi_start_year", "")
	}

	oldStatus := original.GetString("status")
	statusReset := false
	if oldStatus == StatusApproved && rec.GetString("status") == StatusApproved && isOwnerEdit(actor) {
		before, after := snapshots(e.App, original, rec)
		for _, field := range changedFields(diff(before, after)) {
			if !r.exempt[field] {
				rec.Set("status", StatusSubmitted)
				statusReset = true
				break
			}
		}
	}
	if oldStatus == StatusApproved && rec.GetString("status") != StatusApproved {
		// leaving approved takes the maturity tags along; setting tags on an
		// entry that is not approved stays a validation error
		rec.Set("primary_maturity_tag", "")
		rec.Set("secondary_maturity_tags", []string{})
	}

	before, after := snapshots(e.App, original, rec)
	changes := diff(before, after)
	reason := strings.TrimSpace(savecontext.Reason(e.Context))
	if reason != "" && rec.GetString("status") != oldStatus {
		changes = append(changes, Change{Field: StatusReasonField, Label: "Reason", Old: emptyDisplay, New: reason})
	}
	if len(changes) > 0 {
		rec.Set("last_change_summary", changeSummary{
			ChangedBy: actor, ChangedAt: time.Now().UTC().Format(time.RFC3339), Changes: changes,
		})
	}

	outer := e.App
	defer func() { e.App = outer }()
	return outer.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if err := e.Next(); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil // nothing changed: nothing to record, nobody to tell
		}
		if err := r.recordChange(tx, rec.Id, actor, changes); err != nil || isQuiet(e) {
			return err
		}
		newStatus := rec.GetString("status")
		switch {
		case newStatus != oldStatus && !statusReset:
			return r.queue(tx, notification{event: eventStatusChanged, submission: rec, changes: changes, reason: reason})
		case isOwnerEdit(actor):
			return r.queue(tx, notification{event: eventUpdated, submission: rec, changes: changes, statusReset: statusReset})
		}
		return nil // the office's own edits need no email
	})
}

// recordChange appends one row to the change log.
func (r *registry) recordChange(app core.App, submissionID, actor string, changes []Change) error {
	collection, err := app.FindCachedCollectionByNameOrId("submission_changes")
	if err != nil {
		return err
	}
	row := core.NewRecord(collection)
	row.Set("submission", submissionID)
	row.Set("changed_by", actor)
	row.Set("changes", changes)
	return app.Save(row)
}
