package biotools

import (
	"fmt"
	"net/http"

	"github.com/denbi/service-registry/internal/jobruns"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// StatusPath serves the sync state to superusers (the dashboard).
const StatusPath = "/api/registry/status/biotools"

// Status describes the stored bio.tools records for operators.
type Status struct {
	// Records counts the stored records; Failing those with a sync error.
	Records int `json:"records"`
	Failing int `json:"failing"`
	// Errors lists the failing records.
	Errors []SyncProblem `json:"errors"`
	// Schedule is the biotools_sync cron expression.
	Schedule string `json:"schedule"`
	// LastRun is the last recorded run of biotools_sync (cron or CLI).
	LastRun *jobruns.Last `json:"last_run"`
}

// SyncProblem is one record whose last sync failed.
type SyncProblem struct {
	BiotoolsID   string `json:"biotools_id"`
	SubmissionID string `json:"submission"`
	Message      string `json:"sync_error"`
	LastSyncedAt string `json:"last_synced_at"`
}

// Status reads the sync state of every record.
func (p *Plugin) Status() (Status, error) {
	st := Status{Schedule: p.config.Schedule, Errors: []SyncProblem{}}
	total, err := p.app.CountRecords(RecordsCollection)
	if err != nil {
		return st, fmt.Errorf("counting bio.tools records: %w", err)
	}
	st.Records = int(total)
	var failing []*core.Record
	err = p.app.RecordQuery(RecordsCollection).
		AndWhere(dbx.NewExp("sync_error != ''")).
		OrderBy("biotools_id ASC").All(&failing)
	if err != nil {
		return st, fmt.Errorf("reading failing bio.tools records: %w", err)
	}
	for _, r := range failing {
		synced := ""
		if t := r.GetDateTime("last_synced_at"); !t.IsZero() {
			synced = t.Time().UTC().Format("2006-01-02 15:04 UTC")
		}
		st.Errors = append(st.Errors, SyncProblem{
			BiotoolsID: r.GetString("biotools_id"), SubmissionID: r.GetString("submission"),
			Message: r.GetString("sync_error"), LastSyncedAt: synced,
		})
	}
	st.Failing = len(st.Errors)
	if last, ok, err := jobruns.Get(p.app, CronJobID); err == nil && ok {
		st.LastRun = &last
	}
	return st, nil
}

// statusCommand builds "registry biotools status".
func (p *Plugin) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:          "status",
		Short:        "Show the bio.tools records, the failing syncs and the last daily run",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := p.app.RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			st, err := p.Status()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "bio.tools records: %d, of which %d failed their last sync\n", st.Records, st.Failing)
			for _, e := range st.Errors {
				last := e.LastSyncedAt
				if last == "" {
					last = "never synced"
				}
				fmt.Fprintf(out, "  ✗ %s (submission %s, last good sync: %s): %s\n", e.BiotoolsID, e.SubmissionID, last, e.Message)
			}
			if st.LastRun == nil {
				fmt.Fprintf(out, "Last %s run: none recorded\n", CronJobID)
			} else {
				fmt.Fprintf(out, "Last %s run: %s\n", CronJobID, st.LastRun.Describe())
			}
			fmt.Fprintf(out, "Schedule (%s): %s\n", CronJobID, st.Schedule)
			return nil
		},
	}
}

// handleStatus serves the status as JSON to superusers.
func (p *Plugin) handleStatus(e *core.RequestEvent) error {
	st, err := p.Status()
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, st)
}

// bindStatusRoute adds StatusPath for superusers only.
func (p *Plugin) bindStatusRoute(se *core.ServeEvent) {
	se.Router.GET(StatusPath, p.handleStatus).Bind(apis.RequireSuperuserAuth())
}
