package biotools

import (
	"context"
	"fmt"
	"github.com/denbi/service-registry/internal/jobruns"
	"time"

	"github.com/spf13/cobra"
)

// command builds "registry biotools sync [--id BIOTOOLS_ID]".
func (p *Plugin) command() *cobra.Command {
	root := &cobra.Command{
		Use:   "biotools",
		Short: "Keep the copies of bio.tools records in sync",
	}

	var only string
	syncCmd := &cobra.Command{
		Use:   "sync",
		Short: "Refresh the bio.tools records of all linked submissions (or of one tool)",
		Long: "Fetches the bio.tools record of every submission with a bio.tools link and stores it.\n" +
			"With --id only submissions linking to that tool are synced. Failures are stored in the\n" +
			"record's sync_error and retried by the daily biotools_sync job; the command then exits 1.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := p.app.RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			out := cmd.OutOrStdout()
			started := time.Now()

			var ids []string
			var report Report
			if only != "" {
				var err error
				if ids, err = linkedSubmissions(p.app, only); err != nil {
					return err
				}
				if len(ids) == 0 {
					return fmt.Errorf("no submission links to bio.tools tool %q (compare the biotools_url of the submissions)", only)
				}
			}
			fmt.Fprintf(out, "Syncing from %s, at most %g requests per second ...\n", p.config.APIURL, p.config.RequestsPerSecond)
			onResult := func(r Result, err error) {
				switch {
				case err != nil:
					fmt.Fprintf(out, "  ✗ %s (submission %s): %v\n", r.BiotoolsID, r.SubmissionID, err)
				case r.Superseded:
					fmt.Fprintf(out, "  - %s (submission %s): the link changed meanwhile, skipped\n", r.BiotoolsID, r.SubmissionID)
				default:
					fmt.Fprintf(out, "  ✓ %s (submission %s)\n", r.BiotoolsID, r.SubmissionID)
				}
			}
			var err error
			if only != "" {
				report = p.syncEach(ctx, ids, Report{Total: len(ids)}, onResult)
				report.Duration = time.Since(started)
			} else {
				err = jobruns.Run(p.app, CronJobID, "cli", func() (string, error) {
					var syncErr error
					report, syncErr = p.SyncAll(ctx, onResult)
					return report.String(), syncErr
				})
			}
			fmt.Fprintln(out, report.String())
			if err != nil {
				return err
			}
			if report.Failed > 0 {
				return fmt.Errorf("%d of %d syncs failed; the reasons are stored in sync_error and the daily job retries them", report.Failed, report.Total)
			}
			return nil
		},
	}
	syncCmd.Flags().StringVar(&only, "id", "", "only sync submissions linking to this bio.tools id")
	root.AddCommand(syncCmd, p.statusCommand())
	return root
}
