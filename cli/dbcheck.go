package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// newDBCommand builds "registry db check": SQLite's integrity check on both
// databases of the data directory, for use after a crash, a full disk or a
// restore. It only reads and works while the server runs.
func newDBCommand(app core.App) *cobra.Command {
	root := &cobra.Command{
		Use:   "db",
		Short: "Database maintenance",
	}
	root.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Check both SQLite databases for corruption (PRAGMA integrity_check)",
		Long: "Runs SQLite's full integrity check on data.db and auxiliary.db and prints the result.\n" +
			"Exits with status 1 when a database is damaged; restore the latest backup then\n" +
			"(see 'registry backup list' and docs/runbook.md).",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			var damaged []string
			for _, db := range []struct {
				name string
				conn dbx.Builder
			}{{"data.db", app.NonconcurrentDB()}, {"auxiliary.db", app.AuxNonconcurrentDB()}} {
				problems, err := integrityProblems(db.conn)
				if err != nil {
					return fmt.Errorf("%s: %w", db.name, err)
				}
				if len(problems) == 0 {
					fmt.Fprintf(out, "%s: ok\n", db.name)
					continue
				}
				damaged = append(damaged, db.name)
				fmt.Fprintf(out, "%s: DAMAGED\n  %s\n", db.name, strings.Join(problems, "\n  "))
			}
			if len(damaged) > 0 {
				return errors.New("damaged: " + strings.Join(damaged, ", ") + "; restore a backup")
			}
			return nil
		},
	})
	return root
}

// integrityProblems runs PRAGMA integrity_check and returns its findings;
// none means the database is sound.
func integrityProblems(db dbx.Builder) ([]string, error) {
	var rows []struct {
		Result string `db:"integrity_check"`
	}
	if err := db.NewQuery("PRAGMA integrity_check").All(&rows); err != nil {
		return nil, err
	}
	var problems []string
	for _, r := range rows {
		if r.Result != "ok" {
			problems = append(problems, r.Result)
		}
	}
	return problems, nil
}
