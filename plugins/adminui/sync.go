package adminui

import (
	"net/http"
	"slices"

	"github.com/denbi/service-registry/internal/jobruns"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/cron"
	"github.com/pocketbase/pocketbase/tools/routine"
)

// Job ids the Registry page can start (the contract ids of DESIGN.md §7).
const (
	JobEDAM     = "edam_sync"
	JobLicenses = "licenses_sync"
	JobBiotools = "biotools_sync"
	JobOutbox   = "mail_outbox_send"
)

// runnableJobs are the jobs "Sync now" may start.
var runnableJobs = []string{JobEDAM, JobLicenses, JobBiotools, JobOutbox}

// maxSyncErrors bounds the failing bio.tools records listed.
const maxSyncErrors = 20

// jobState is a job's schedule and last run; Registered is false when the
// job is not scheduled in this process (plugin off or schedule "off").
type jobState struct {
	Job        string        `json:"job"`
	Registered bool          `json:"registered"`
	Schedule   string        `json:"schedule"`
	LastRun    *jobruns.Last `json:"last_run"`
}

// syncStatus is the answer of GET /api/registry/admin/sync.
type syncStatus struct {
	EDAM struct {
		jobState
		Terms      int    `json:"terms"`
		Topics     int    `json:"topics"`
		Operations int    `json:"operations"`
		Obsolete   int    `json:"obsolete"`
		Version    string `json:"version"`
	} `json:"edam"`
	Licenses struct {
		jobState
		Licenses   int    `json:"licenses"`
		Deprecated int    `json:"deprecated"`
		Version    string `json:"version"`
	} `json:"licenses"`
	Biotools struct {
		jobState
		Records  int              `json:"records"`
		Failing  int              `json:"failing"`
		Pending  int              `json:"pending"`
		Problems []biotoolsFailed `json:"problems"`
	} `json:"biotools"`
	Outbox struct {
		jobState
		Pending int `json:"pending"`
		Failed  int `json:"failed"`
	} `json:"outbox"`
	CanRun bool `json:"can_run"`
}

// biotoolsFailed is a bio.tools record whose last sync failed.
type biotoolsFailed struct {
	BiotoolsID   string `json:"biotools_id"`
	SubmissionID string `json:"submission"`
	ServiceName  string `json:"service_name"`
	Error        string `json:"sync_error"`
	LastSyncedAt string `json:"last_synced_at"`
}

// handleSyncStatus serves GET /api/registry/admin/sync: counts read
// straight from the collections and the last runs from job_runs, so it
// works whichever sync plugins are wired.
func (p *plugin) handleSyncStatus(e *core.RequestEvent) error {
	app := e.App
	var st syncStatus
	st.CanRun = Can(callerOf(e).Role, PermSync)
	last, err := jobruns.All(app)
	if err != nil {
		return err
	}
	jobs := app.Cron().Jobs()
	state := func(id string) jobState {
		js := jobState{Job: id}
		if i := slices.IndexFunc(jobs, func(j *cron.Job) bool { return j.Id() == id }); i >= 0 {
			js.Registered, js.Schedule = true, jobs[i].Expression()
		}
		if l, ok := last[id]; ok {
			js.LastRun = &l
		}
		return js
	}
	count := func(table string, where dbx.Expression) int {
		var n int
		q := app.DB().Select("COUNT(*)").From(table)
		if where != nil {
			q.Where(where)
		}
		_ = q.Row(&n)
		return n
	}
	latest := func(table, column string) string {
		var v string
		_ = app.DB().Select(column).From(table).Where(dbx.NewExp(column + " != ''")).
			OrderBy("updated DESC").Limit(1).Row(&v)
		return v
	}

	st.EDAM.jobState = state(JobEDAM)
	st.EDAM.Terms = count("edam_terms", nil)
	st.EDAM.Topics = count("edam_terms", dbx.HashExp{"branch": "topic", "obsolete": false})
	st.EDAM.Operations = count("edam_terms", dbx.HashExp{"branch": "operation", "obsolete": false})
	st.EDAM.Obsolete = count("edam_terms", dbx.HashExp{"obsolete": true})
	st.EDAM.Version = latest("edam_terms", "edam_version")

	st.Licenses.jobState = state(JobLicenses)
	st.Licenses.Licenses = count("licenses", nil)
	st.Licenses.Deprecated = count("licenses", dbx.HashExp{"deprecated": true})
	st.Licenses.Version = latest("licenses", "spdx_version")

	st.Biotools.jobState = state(JobBiotools)
	st.Biotools.Records = count("biotools_records", nil)
	st.Biotools.Failing = count("biotools_records", dbx.NewExp("sync_error != ''"))
	st.Biotools.Pending = count("biotools_records", dbx.NewExp("sync_error = '' AND (last_synced_at = '' OR last_synced_at IS NULL)")) +
		count("submissions", dbx.NewExp("biotools_url != '' AND id NOT IN (SELECT submission FROM biotools_records)"))
	st.Biotools.Problems = []biotoolsFailed{}
	var failing []*core.Record
	err = app.RecordQuery("biotools_records").AndWhere(dbx.NewExp("sync_error != ''")).
		OrderBy("biotools_id ASC").Limit(maxSyncErrors).All(&failing)
	if err != nil {
		return err
	}
	for _, r := range failing {
		f := biotoolsFailed{BiotoolsID: r.GetString("biotools_id"), SubmissionID: r.GetString("submission"),
			Error: r.GetString("sync_error"), LastSyncedAt: isoTime(r.GetDateTime("last_synced_at"))}
		if s, err := app.FindRecordById("submissions", f.SubmissionID); err == nil {
			f.ServiceName = s.GetString("service_name")
		}
		st.Biotools.Problems = append(st.Biotools.Problems, f)
	}

	st.Outbox.jobState = state(JobOutbox)
	st.Outbox.Pending = count("mail_outbox", dbx.HashExp{"status": "pending"})
	st.Outbox.Failed = count("mail_outbox", dbx.HashExp{"status": "failed"})
	return e.JSON(http.StatusOK, st)
}

// syncStarted answers POST /api/registry/admin/sync/{job}.
type syncStarted struct {
	Job     string `json:"job"`
	Started bool   `json:"started"`
	Message string `json:"message"`
}

// handleSyncNow starts a scheduled job in the background, as the
// dashboard's Crons page does, limited to the registry's sync and outbox
// jobs and refusing a second run while one is recorded as running.
func (p *plugin) handleSyncNow(e *core.RequestEvent) error {
	id := e.Request.PathValue("job")
	if !slices.Contains(runnableJobs, id) {
		return e.NotFoundError("Unknown job: use edam_sync, licenses_sync, biotools_sync or mail_outbox_send.", nil)
	}
	var job *cron.Job
	for _, j := range e.App.Cron().Jobs() {
		if j.Id() == id {
			job = j
		}
	}
	if job == nil {
		return e.NotFoundError("The job "+id+" is not scheduled on this installation (its plugin is off or its schedule is \"off\"); run it with the command line instead.", nil)
	}
	if last, ok, err := jobruns.Get(e.App, id); err == nil && ok && last.Running {
		return e.Error(http.StatusConflict, "The job "+id+" is already running (started "+last.StartedAt.UTC().Format("2006-01-02 15:04 UTC")+").", nil)
	}
	routine.FireAndForget(job.Run)
	e.App.Logger().Info("Job started from the Registry page", "job", id, "by", callerOf(e).actor())
	return e.JSON(http.StatusAccepted, syncStarted{Job: id, Started: true,
		Message: "The job " + id + " was started. Refresh in a few minutes to see its result."})
}
