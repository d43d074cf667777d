package edam

import (
	"fmt"
	"github.com/denbi/service-registry/internal/jobruns"
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
			var rep *Report
			run := func() (string, error) {
				var err error
				rep, err = p.sync(ctx, syncOptions{source: source, dryRun: dryRun, progress: printer(out)})
				if err != nil {
					return "", err
				}
				return "EDAM " + rep.Version + ": " + rep.String(), nil
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
			st, err := p.status()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if st.Total == 0 {
				fmt.Fprintln(out, "No EDAM terms are stored yet. Run \"registry edam sync\" (serve also syncs on its first start).")
			} else {
				current := []string{}
				for _, b := range []string{BranchData, BranchFormat, BranchIdentifier, BranchOperation, BranchTopic} {
					if n := st.Current[b]; n > 0 {
						current = append(current, fmt.Sprintf("%s %d", b, n))
					}
				}
				fmt.Fprintf(out, "EDAM release: %s (last change %s)\n", orUnknown(st.Version), st.LastChange)
				fmt.Fprintf(out, "Current terms: %s\n", strings.Join(current, ", "))
				fmt.Fprintf(out, "Obsolete terms: %d\n", st.Obsolete)
			}
			if st.LastSync == nil {
				fmt.Fprintln(out, "Last sync: none recorded")
			} else {
				fmt.Fprintf(out, "Last sync: %s\n", st.LastSync.Describe())
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

// Status describes the stored ontology for operators.
type Status struct {
	// Version is the release of the most recently written term.
	Version string `json:"version"`
	// LastChange is when a term was last written.
	LastChange string `json:"last_change"`
	// Current counts the non-obsolete terms per branch.
	Current map[string]int `json:"current"`
	// Obsolete counts the obsolete terms.
	Obsolete int `json:"obsolete"`
	// Total counts every stored term.
	Total int `json:"total"`
	// Source and Schedule are the configured sync settings.
	Source   string `json:"source"`
	Schedule string `json:"schedule"`
	// LastSync is the last recorded run of the edam_sync job (cron or CLI).
	LastSync *jobruns.Last `json:"last_sync"`
}

// status reads the counts from the terms table and the last sync.
func (p *plugin) status() (Status, error) {
	st := Status{Current: map[string]int{}, Source: p.config.SourceURL, Schedule: p.config.Schedule}
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
		All(&rows)
	if err != nil {
		return st, fmt.Errorf("reading the stored EDAM terms: %w", err)
	}
	for _, r := range rows {
		st.Total += r.N
		if r.Obsolete {
			st.Obsolete += r.N
		} else {
			st.Current[r.Branch] += r.N
		}
		st.LastChange = max(st.LastChange, r.Latest)
	}
	// the release of the most recently written term is the one synced last
	var version struct {
		V string `db:"edam_version"`
	}
	_ = p.app.DB().Select("edam_version").From(Collection).
		Where(dbx.NewExp("edam_version != ''")).
		OrderBy("updated DESC").Limit(1).One(&version)
	st.Version = version.V
	if last, ok, err := jobruns.Get(p.app, CronJobID); err == nil && ok {
		st.LastSync = &last
	}
	return st, nil
}
