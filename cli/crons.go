package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/denbi/service-registry/internal/jobruns"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// newCronsCommand builds "registry crons": the scheduled jobs with their
// schedule and last run, read from the data directory (works while the
// server runs).
func newCronsCommand(app core.App) *cobra.Command {
	return &cobra.Command{
		Use:          "crons",
		Short:        "List the scheduled jobs with their schedule and last run",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			entries, err := jobruns.Overview(app)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "JOB\tSCHEDULE\tLAST RUN")
			for _, e := range entries {
				last := "never (since this data directory exists)"
				if e.Last != nil {
					last = e.Last.Describe()
				}
				fmt.Fprintf(w, "%s\t%s\t%s\n", e.Job, e.Schedule, last)
			}
			return w.Flush()
		},
	}
}
