package licenses

import (
	"context"
	"fmt"
	"github.com/denbi/service-registry/internal/jobruns"

	"github.com/spf13/cobra"
)

// command builds "registry licenses sync [--source URL|PATH] [--dry-run]".
func (p *plugin) command() *cobra.Command {
	root := &cobra.Command{
		Use:   "licenses",
		Short: "Manage the SPDX license list submitters choose from",
	}

	var source string
	var dryRun bool
	syncCmd := &cobra.Command{
		Use:   "sync",
		Short: "Update the license list from SPDX licenses.json",
		Long: "Downloads (or reads) the SPDX licenses.json, adds new licenses, updates changed ones in place\n" +
			"and marks licenses the list no longer has as deprecated. Nothing is deleted, so services keep\n" +
			"the licenses they selected. With --dry-run it only reports what it would change.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := p.app.RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			src := source
			if src == "" {
				src = p.config.SourceURL
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			ctx, cancel := context.WithTimeout(ctx, syncTimeout)
			defer cancel()

			out := cmd.OutOrStdout()
			say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
			lastShown := 0
			opts := ApplyOptions{DryRun: dryRun, Progress: func(done, total int) {
				// a line per 100 rows (and the last) keeps logs short
				if done == total || done-lastShown >= 100 {
					say("  saved %d/%d", done, total)
					lastShown = done
				}
			}}
			var report Report
			run := func() (string, error) {
				var err error
				report, err = p.sync(ctx, src, opts, say)
				if err != nil {
					return "", err
				}
				return report.String(), nil
			}
			var err error
			if dryRun {
				_, err = run()
			} else {
				err = jobruns.Run(p.app, CronJobID, "cli", run)
			}
			if err != nil {
				return err
			}
			say("%s", report.String())
			return nil
		},
	}
	syncCmd.Flags().StringVar(&source, "source", "", "licenses.json URL or file path (default: licenses.source_url)")
	syncCmd.Flags().BoolVar(&dryRun, "dry-run", false, "report what would change without writing")
	root.AddCommand(syncCmd)
	return root
}
