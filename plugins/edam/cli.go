package edam

import (
	"fmt"
	"io"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/spf13/cobra"
)

// command builds "registry edam sync|status".
func (p *plugin) command() *cobra.Command {
	root := &cobra.Command{
		Use:   "edam",
		Short: "Keep the local copy of the EDAM ontology up to date",
	}
	root.AddCommand(p.syncCommand(), p.statusCommand())
	return root
}

// syncCommand builds "registry edam sync [--source URL|PATH] [--dry-run]".
func (p *plugin) syncCommand() *cobra.Command {
	var source string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Download an EDAM release and update the stored terms in place",
		Long: "Reads an EDAM release (OWL, or the BioPortal CSV/TSV export) from a URL or a file and\n" +
			"updates the stored terms in one transaction: new terms are added, changed ones updated,\n" +
			"and terms the release no longer lists are marked obsolete, never deleted.\n" +
			"A release that changes nothing writes nothing. The server keeps running meanwhile.",
		Example: "  registry edam sync\n" +
			"  registry edam sync --source ./EDAM_1.25.owl --dry-run",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// flags keep their values between runs in one process (tests)
			defer func() { source, dryRun = "", false }()
			if err := p.app.RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			out := cmd.OutOrStdout()
			ctx := cmd.Context()
			if ctx == nil {
				ctx = p.ctx
			}
			rep, err := p.sync(ctx, syncOptions{source: source, dryRun: dryRun, progress: printer(out)})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Current terms per branch: %s.\n", rep.CurrentSummary())
			if dryRun {
				fmt.Fprintf(out, "Dry run, nothing was written: the sync %s.\n", rep)
				return nil
			}
			fmt.Fprintf(out, "EDAM %s synced in %s: %s.\n", rep.Version, rep.Duration.Round(1e6), rep)
			return nil
		},
	}
	cmd.Flags().StringVar(&source, "source", "", "release URL or file path (default: the configured edam.source_url, "+DefaultSourceURL+")")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "report what would change without writing")
	return cmd
}

// statusCommand builds "registry edam status".
func (p *plugin) statusCommand() *cobra.Command {
	return &cobra.Command{
		Use:          "status",
		Short:        "Show the stored EDAM release, term counts and sync settings",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := p.app.RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			var rows []struct {
				Branch   string `db:"branch"`
				Obsolete bool   `db:"obsolete"`
				N        int    `db:"n"`
				Latest   string `db:"latest"`
			}
			err := p.app.DB().
				Select("branch", "obsolete", "COUNT(*) AS n", "MAX(updated) AS latest").
				From(Collection).
				GroupBy("branch", "obsolete").
				OrderBy("branch").
				All(&rows)
			if err != nil {
				return fmt.Errorf("reading the stored EDAM terms: %w", err)
			}
			out := cmd.OutOrStdout()
			if len(rows) == 0 {
				fmt.Fprintln(out, "No EDAM terms are stored yet. Run \"registry edam sync\" (serve also syncs on its first start).")
			} else {
				current, obsolete, latest := []string{}, 0, ""
				for _, r := range rows {
					if r.Obsolete {
						obsolete += r.N
					} else {
						current = append(current, fmt.Sprintf("%s %d", r.Branch, r.N))
					}
					latest = max(latest, r.Latest)
				}
				// the release of the most recently written term is the one synced last
				var version struct {
					V string `db:"edam_version"`
				}
				_ = p.app.DB().Select("edam_version").From(Collection).
					Where(dbx.NewExp("edam_version != ''")).
					OrderBy("updated DESC").Limit(1).One(&version)
				fmt.Fprintf(out, "EDAM release: %s (last change %s)\n", orUnknown(version.V), latest)
				fmt.Fprintf(out, "Current terms: %s\n", strings.Join(current, ", "))
				fmt.Fprintf(out, "Obsolete terms: %d\n", obsolete)
			}
			schedule := p.config.Schedule
			if schedule == ScheduleOff {
				schedule = "off (sync by hand)"
			}
			fmt.Fprintf(out, "Source: %s\nSchedule (%s): %s\n", p.config.SourceURL, CronJobID, schedule)
			return nil
		},
	}
}

// printer writes progress lines to out.
func printer(out io.Writer) func(format string, args ...any) {
	return func(format string, args ...any) {
		fmt.Fprintf(out, format+"\n", args...)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
