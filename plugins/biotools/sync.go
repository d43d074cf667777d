package biotools

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/denbi/service-registry/internal/jobruns"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// maxSyncErrorLength is the size of biotools_records.sync_error.
const maxSyncErrorLength = 2000

// IDFromURL returns the bio.tools id of a submission's biotools_url
// ("https://bio.tools/blast/" → "blast"): the last path segment. It returns
// "" for an empty link.
func IDFromURL(link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	path := link
	if u, err := url.Parse(link); err == nil && u.Host != "" {
		path = u.Path
	}
	path = strings.Trim(path, "/")
	if i := strings.LastIndex(path, "/"); i >= 0 {
		path = path[i+1:]
	}
	return path
}

// Result describes one submission's sync.
type Result struct {
	SubmissionID string
	BiotoolsID   string // the id synced (bio.tools' spelling on success)
	Created      bool   // a biotools_records row was created
	Removed      bool   // the link was empty and the row was removed
	Superseded   bool   // the link changed during the request; a newer sync follows
}

// SyncSubmission brings one submission's bio.tools record up to date with
// bio.tools, synchronously: it fetches the tool of the submission's current
// link and stores it, or removes the record when the link is empty. A
// failed fetch is stored in sync_error (creating the record if needed, so
// the failure is visible) and returned; the next sync retries it.
func (p *Plugin) SyncSubmission(ctx context.Context, submissionID string) (Result, error) {
	result := Result{SubmissionID: submissionID}
	submission, err := p.app.FindRecordById(SubmissionsCollection, submissionID)
	if err != nil {
		return result, fmt.Errorf("submission %s not found: %w", submissionID, err)
	}
	id := IDFromURL(submission.GetString(submissionLinkField))
	result.BiotoolsID = id
	if id == "" {
		removed, err := removeRecord(p.app, submissionID)
		result.Removed = removed
		return result, err
	}

	tool, fetchErr := p.client.Tool(ctx, id)
	if fetchErr != nil && ctx.Err() != nil {
		return result, ctx.Err() // shutting down or timed out as a whole: not bio.tools' fault
	}

	err = p.app.RunInTransaction(func(tx core.App) error {
		// The link may have changed (or been cleared) while we waited for
		// bio.tools; then the save hook queued a newer sync and this result
		// must not overwrite anything.
		current, err := tx.FindRecordById(SubmissionsCollection, submissionID)
		if err != nil {
			return err
		}
		if !strings.EqualFold(IDFromURL(current.GetString(submissionLinkField)), id) {
			result.Superseded = true
			return nil
		}
		record, err := findRecord(tx, submissionID)
		if err != nil {
			return err
		}
		if record == nil {
			collection, err := tx.FindCachedCollectionByNameOrId(RecordsCollection)
			if err != nil {
				return err
			}
			record = core.NewRecord(collection)
			record.Set("submission", submissionID)
			result.Created = true
		}
		if fetchErr != nil {
			markFailed(record, id, fetchErr)
		} else {
			p.fill(record, tool, id)
			result.BiotoolsID = record.GetString("biotools_id")
		}
		return tx.Save(record)
	})
	if err != nil {
		return result, fmt.Errorf("saving the bio.tools record of submission %s: %w", submissionID, err)
	}
	return result, fetchErr
}

// fill stores a fetched tool and marks the record synced.
func (p *Plugin) fill(record *core.Record, tool *Tool, requestedID string) {
	id := tool.ID
	if id == "" {
		id = requestedID
	}
	record.Set("biotools_id", id)
	record.Set("name", tool.Name)
	record.Set("description", tool.Description)
	record.Set("homepage", tool.Homepage)
	record.Set("version", tool.Version())
	record.Set("license", tool.License)
	record.Set("maturity", tool.Maturity)
	record.Set("cost", tool.Cost)
	record.Set("tool_type", tool.ToolTypes)
	record.Set("operating_system", tool.OperatingSystems)
	record.Set("edam_topic_uris", tool.TopicURIs())
	record.Set("functions", tool.Functions)
	record.Set("publications", tool.Publications)
	record.Set("documentation", tool.Documentation)
	record.Set("download", tool.Downloads)
	record.Set("links", tool.Links)
	record.Set("raw", types.JSONRaw(tool.Raw))
	record.Set("sync_error", "")
	record.Set("last_synced_at", p.config.Now().UTC())
}

// markFailed records a failed sync. A record of the same tool keeps its
// data (a temporary failure should not blank it); a record of another tool
// (the link changed) is emptied so it never shows the old tool's data under
// the new id.
func markFailed(record *core.Record, id string, err error) {
	if !record.IsNew() && !strings.EqualFold(record.GetString("biotools_id"), id) {
		for _, field := range []string{"name", "description", "homepage", "version", "license", "maturity", "cost"} {
			record.Set(field, "")
		}
		for _, field := range []string{"tool_type", "operating_system", "edam_topic_uris", "functions", "publications", "documentation", "download", "links"} {
			record.Set(field, []any{})
		}
		record.Set("raw", nil)
		record.Set("last_synced_at", nil)
	}
	record.Set("biotools_id", truncate(id, maxNameLength))
	record.Set("sync_error", truncate(err.Error(), maxSyncErrorLength))
}

// findRecord returns a submission's bio.tools record, or nil.
func findRecord(app core.App, submissionID string) (*core.Record, error) {
	record, err := app.FindFirstRecordByData(RecordsCollection, "submission", submissionID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return record, err
}

// removeRecord deletes a submission's bio.tools record, if any.
func removeRecord(app core.App, submissionID string) (bool, error) {
	record, err := findRecord(app, submissionID)
	if err != nil || record == nil {
		return false, err
	}
	if err := app.Delete(record); err != nil {
		return false, fmt.Errorf("removing the bio.tools record of submission %s: %w", submissionID, err)
	}
	return true, nil
}

// Report summarises a sync of all linked submissions.
type Report struct {
	Total    int // submissions with a bio.tools link
	OK       int
	Failed   int
	Removed  int // records of submissions without a link, removed
	Duration time.Duration
}

// String is the summary printed by the CLI and logged by the cron job.
func (r Report) String() string {
	return fmt.Sprintf("Done. OK: %d/%d, errors: %d, records removed: %d, took %s.",
		r.OK, r.Total, r.Failed, r.Removed, r.Duration.Round(time.Millisecond))
}

// SyncAll syncs every submission that has a bio.tools link, Concurrency at
// a time (all requests share the plugin's rate limit), and removes records
// left behind by submissions whose link was cleared. onResult, when set, is
// called after each submission (from several goroutines, one at a time).
// Only one SyncAll runs at a time; a second call waits.
func (p *Plugin) SyncAll(ctx context.Context, onResult func(Result, error)) (Report, error) {
	p.syncingAll.Lock()
	defer p.syncingAll.Unlock()
	started := time.Now()
	var report Report

	removed, err := p.removeOrphans()
	report.Removed = removed
	if err != nil {
		return report, err
	}
	ids, err := linkedSubmissions(p.app, "")
	if err != nil {
		return report, err
	}
	report.Total = len(ids)
	report = p.syncEach(ctx, ids, report, onResult)
	report.Duration = time.Since(started)
	return report, ctx.Err()
}

// syncEach syncs ids with bounded concurrency and counts the outcomes.
func (p *Plugin) syncEach(ctx context.Context, ids []string, report Report, onResult func(Result, error)) Report {
	work := make(chan string)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(p.config.Concurrency, max(len(ids), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				result, err := p.SyncSubmission(ctx, id)
				mu.Lock()
				if err != nil {
					report.Failed++
				} else {
					report.OK++
				}
				if onResult != nil {
					onResult(result, err)
				}
				mu.Unlock()
			}
		}()
	}
	for _, id := range ids {
		if ctx.Err() != nil {
			break
		}
		work <- id
	}
	close(work)
	wg.Wait()
	return report
}

// linkedSubmissions returns the ids of submissions with a bio.tools link,
// optionally only those linking to one tool (case-insensitive).
func linkedSubmissions(app core.App, biotoolsID string) ([]string, error) {
	var rows []struct {
		ID   string `db:"id"`
		Link string `db:"biotools_url"`
	}
	err := app.DB().Select("id", submissionLinkField).From(SubmissionsCollection).
		Where(dbx.NewExp("biotools_url != ''")).OrderBy("id").All(&rows)
	if err != nil {
		return nil, fmt.Errorf("listing submissions with a bio.tools link: %w", err)
	}
	ids := make([]string, 0, len(rows))
	for _, row := range rows {
		if biotoolsID == "" || strings.EqualFold(IDFromURL(row.Link), biotoolsID) {
			ids = append(ids, row.ID)
		}
	}
	return ids, nil
}

// removeOrphans deletes records whose submission no longer has a link
// (normally the save hook already did).
func (p *Plugin) removeOrphans() (int, error) {
	records, err := p.app.FindRecordsByFilter(RecordsCollection,
		"submission.biotools_url = ''", "", 0, 0)
	if err != nil {
		return 0, fmt.Errorf("finding stale bio.tools records: %w", err)
	}
	for _, r := range records {
		if err := p.app.Delete(r); err != nil {
			return 0, fmt.Errorf("removing a stale bio.tools record: %w", err)
		}
	}
	return len(records), nil
}

// runScheduled is the biotools_sync cron job.
func (p *Plugin) runScheduled() {
	if p.ctx.Err() != nil {
		return
	}
	_ = jobruns.Run(p.app, CronJobID, "cron", func() (string, error) {
		report, err := p.SyncAll(p.ctx, func(r Result, err error) {
			if err != nil {
				p.app.Logger().Warn("bio.tools sync failed", "submission", r.SubmissionID, "biotools_id", r.BiotoolsID, "error", err.Error())
			}
		})
		if err != nil {
			p.app.Logger().Error("bio.tools daily sync stopped", "error", err.Error(), "ok", report.OK, "failed", report.Failed)
			return "", err
		}
		p.app.Logger().Info("bio.tools daily sync finished", "total", report.Total, "ok", report.OK,
			"failed", report.Failed, "removed", report.Removed, "duration", report.Duration.String())
		return report.String(), nil
	})
}
