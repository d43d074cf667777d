// Package jobruns records the last run of every background job (syncs,
// the mail outbox, pruning) in the job_runs collection, so that operators
// see when a job last ran and how it ended — from the dashboard, from
// "registry crons" in another process, and from the status commands.
//
// Example usage:
//
//	app.Cron().MustAdd("edam_sync", "@monthly", func() {
//		jobruns.Run(app, "edam_sync", "cron", func() (string, error) { return sync() })
//	})
package jobruns

import (
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Collection holds one row per job.
const Collection = "job_runs"

// Last is what is known about a job's most recent run.
type Last struct {
	Job        string    `json:"job"`
	Trigger    string    `json:"trigger"` // "cron", "cli", "start", "dashboard", …
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	OK         bool      `json:"ok"`
	Running    bool      `json:"running"`
	Message    string    `json:"message"`
	Runs       int       `json:"runs"`
	Failures   int       `json:"failures"`
}

// Run executes fn as a run of job and records its start, end and outcome.
// fn returns a one-line summary for people, or an error. A panic is
// recovered and recorded as a failure. Recording problems are logged and
// never stop the job. The error of fn is returned.
func Run(app core.App, job, trigger string, fn func() (string, error)) (err error) {
	started := time.Now().UTC()
	row := load(app, job)
	row.Set("job", job)
	row.Set("trigger", trigger)
	row.Set("started_at", started)
	row.Set("running", true)
	save(app, row)

	var summary string
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the job crashed: %v", p)
		}
		row.Set("running", false)
		row.Set("finished_at", time.Now().UTC())
		row.Set("runs", row.GetInt("runs")+1)
		if err != nil {
			row.Set("ok", false)
			row.Set("failures", row.GetInt("failures")+1)
			row.Set("message", truncate(err.Error()))
		} else {
			row.Set("ok", true)
			row.Set("message", truncate(summary))
		}
		save(app, row)
	}()
	summary, err = fn()
	return err
}

// All returns the last run of every job that ever ran, by job id.
func All(app core.App) (map[string]Last, error) {
	var rows []*core.Record
	if err := app.RecordQuery(Collection).All(&rows); err != nil {
		return nil, err
	}
	out := make(map[string]Last, len(rows))
	for _, r := range rows {
		out[r.GetString("job")] = toLast(r)
	}
	return out, nil
}

// Get returns the last run of one job; ok is false when it never ran.
func Get(app core.App, job string) (Last, bool, error) {
	var rec core.Record
	err := app.RecordQuery(Collection).AndWhere(dbx.HashExp{"job": job}).Limit(1).One(&rec)
	if errors.Is(err, sql.ErrNoRows) {
		return Last{}, false, nil
	}
	if err != nil {
		return Last{}, false, err
	}
	return toLast(&rec), true, nil
}

func toLast(r *core.Record) Last {
	return Last{
		Job: r.GetString("job"), Trigger: r.GetString("trigger"),
		StartedAt: r.GetDateTime("started_at").Time(), FinishedAt: r.GetDateTime("finished_at").Time(),
		OK: r.GetBool("ok"), Running: r.GetBool("running"), Message: r.GetString("message"),
		Runs: r.GetInt("runs"), Failures: r.GetInt("failures"),
	}
}

func load(app core.App, job string) *core.Record {
	rec, err := app.FindFirstRecordByData(Collection, "job", job)
	if err == nil {
		return rec
	}
	collection, err := app.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		app.Logger().Warn("Job runs cannot be recorded", "job", job, "error", err)
		return core.NewRecord(core.NewBaseCollection(Collection))
	}
	return core.NewRecord(collection)
}

func save(app core.App, row *core.Record) {
	if row.Collection().Id == "" {
		return // the collection is missing; already warned
	}
	if err := app.Save(row); err != nil {
		app.Logger().Warn("Recording a job run failed", "job", row.GetString("job"), "error", err)
	}
}

func truncate(s string) string {
	if len(s) > 2000 {
		return s[:2000]
	}
	return s
}

// Entry is one scheduled job with its last run.
type Entry struct {
	Job      string `json:"job"`
	Schedule string `json:"schedule"`
	Last     *Last  `json:"last_run"`
}

// Overview lists the jobs registered with the app's scheduler, sorted by
// id, each with its last recorded run (nil when it never ran).
func Overview(app core.App) ([]Entry, error) {
	last, err := All(app)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, job := range app.Cron().Jobs() {
		e := Entry{Job: job.Id(), Schedule: job.Expression()}
		if l, ok := last[job.Id()]; ok {
			e.Last = &l
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Job < out[j].Job })
	return out, nil
}

// Describe renders a last run in one line for people.
func (l Last) Describe() string {
	when := l.FinishedAt
	if l.Running {
		return "running since " + l.StartedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	result := "ok"
	if !l.OK {
		result = "FAILED"
	}
	s := fmt.Sprintf("%s (%s, %s)", when.UTC().Format("2006-01-02 15:04 UTC"), l.Trigger, result)
	if l.Message != "" {
		s += ": " + l.Message
	}
	return s
}
