package biotools

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// bindModelHooks keeps biotools_records in step with the submissions'
// bio.tools links. They are model hooks, so dashboard, API and CLI edits
// all trigger them, and they run after the save committed, so the save
// never waits for bio.tools: a new or changed link only queues a sync, and a
// cleared link removes the record (a local delete).
//
// They query through p.app, not e.App: a hook that wraps a save in its own
// transaction (e.App = tx; e.Next()) leaves e.App pointing at that
// transaction, already committed when the after-success hooks run, and
// every query on it fails. After the commit the plain app is always right.
func (p *Plugin) bindModelHooks() {
	p.app.OnRecordAfterCreateSuccess(SubmissionsCollection).BindFunc(func(e *core.RecordEvent) error {
		p.linkSaved(p.app, e.Record, "")
		return e.Next()
	})
	p.app.OnRecordAfterUpdateSuccess(SubmissionsCollection).BindFunc(func(e *core.RecordEvent) error {
		p.linkSaved(p.app, e.Record, e.Record.Original().GetString(submissionLinkField))
		return e.Next()
	})
}

// linkSaved reacts to a saved submission. Besides a link that differs from
// the one before the save (the Django registry missed changed links), a
// link whose record is missing or belongs to another tool is synced too,
// so an earlier lost sync heals with the next save.
func (p *Plugin) linkSaved(app core.App, submission *core.Record, previousLink string) {
	id := IDFromURL(submission.GetString(submissionLinkField))
	if id == "" {
		if _, err := removeRecord(app, submission.Id); err != nil {
			app.Logger().Error("Could not remove the bio.tools record of a submission whose link was cleared",
				"submission", submission.Id, "error", err.Error())
		}
		return
	}
	if !strings.EqualFold(id, IDFromURL(previousLink)) {
		p.Enqueue(submission.Id)
		return
	}
	record, err := findRecord(app, submission.Id)
	if err != nil || record == nil || !strings.EqualFold(record.GetString("biotools_id"), id) {
		p.Enqueue(submission.Id)
	}
}
