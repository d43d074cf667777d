// Package djangoimport moves a de.NBI registry off the Django platform: it
// reads the JSON of "manage.py dumpdata submissions registry edam licenses
// biotools api" and imports categories, service centres, PIs, EDAM terms,
// licenses, submissions with all their relations and logos, submission and
// admin API keys, the change log, deletion audits and bio.tools records,
// keeping the ids that appear in URLs and the hashes of the keys, so that
// submitters' keys and consumers' /api/v1/... URLs keep working. The
// import is one transaction, idempotent, and validated like every other
// save; it adds the command "registry import django DUMP.json".
//
// Example usage:
//
//	djangoimport.MustRegister(app, app.RootCmd)
//
// Go code can call Import directly:
//
//	dump, err := djangoimport.ReadDump(file)
//	report, err := djangoimport.Import(ctx, app, dump, djangoimport.Options{DryRun: true})
package djangoimport

import (
	"errors"
	"fmt"
	"os"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// plugin carries the app to the command.
type plugin struct {
	app core.App
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App, rootCmd *cobra.Command) {
	if err := Register(app, rootCmd); err != nil {
		panic(err)
	}
}

// Register adds "import django" to rootCmd, creating the "import" command
// when no other importer did yet.
func Register(app core.App, rootCmd *cobra.Command) error {
	if rootCmd == nil {
		return errors.New("djangoimport: a root command is required")
	}
	p := &plugin{app: app}
	parent := findCommand(rootCmd, "import")
	if parent == nil {
		parent = &cobra.Command{
			Use:   "import",
			Short: "Import data from other registries",
		}
		rootCmd.AddCommand(parent)
	}
	if findCommand(parent, "django") != nil {
		return errors.New(`djangoimport: "import django" is registered already`)
	}
	parent.AddCommand(p.command())
	return nil
}

func findCommand(parent *cobra.Command, name string) *cobra.Command {
	for _, c := range parent.Commands() {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// command builds "registry import django DUMP.json [--dry-run] [--strict] [--media DIR]".
func (p *plugin) command() *cobra.Command {
	var opts Options
	cmd := &cobra.Command{
		Use:   "django DUMP.json",
		Short: "Import the data of the Django registry from a dumpdata JSON file",
		Long: "Reads the output of\n" +
			"  python manage.py dumpdata submissions registry edam licenses biotools api --indent 2\n" +
			"and imports it in one transaction: reference data, EDAM terms and licenses (matched to the\n" +
			"synced lists), submissions with their relations, API keys (their hashes, so the keys keep\n" +
			"working), change log, deletion audits and bio.tools records. Ids are kept, so /api/v1 URLs\n" +
			"stay the same. Running it again updates what changed and writes nothing otherwise.\n" +
			"Rows that fail validation are skipped and listed; --strict imports nothing if any is.\n" +
			"Stop the server first, or run it against a copy of the data directory.",
		Example: "  registry import django dump.json --dry-run\n" +
			"  registry import django dump.json --media /srv/django/media --strict",
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			// flags keep their values between runs in one process (tests)
			defer func() { opts = Options{} }()
			if err := p.app.RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			if opts.MediaDir != "" {
				if st, err := os.Stat(opts.MediaDir); err != nil || !st.IsDir() {
					return fmt.Errorf("--media %s is not a folder; point it at a copy of the Django MEDIA_ROOT (the folder that holds logos/)", opts.MediaDir)
				}
			}
			out := cmd.OutOrStdout()
			file, err := os.Open(args[0])
			if err != nil {
				return fmt.Errorf("opening the dump: %w", err)
			}
			defer file.Close()
			fmt.Fprintf(out, "Reading %s ...\n", args[0])
			dump, err := ReadDump(file)
			if err != nil {
				return fmt.Errorf("reading %s: %w (expected the output of manage.py dumpdata in JSON)", args[0], err)
			}
			fmt.Fprintf(out, "%d rows of %d models.\n", dump.Len(), len(dump.Models()))
			opts.Progress = out
			report, err := Import(cmd.Context(), p.app, dump, opts)
			if report != nil {
				fmt.Fprintln(out)
				_, _ = report.WriteTo(out)
			}
			if err != nil {
				return err
			}
			if !opts.DryRun && report.Model(modelBiotools).Rows > 0 {
				fmt.Fprintln(out, "The bio.tools records are the dump's copies; \"registry biotools sync\" (or the daily biotools_sync job) refreshes them from bio.tools.")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "validate and report everything, then undo it: nothing is written")
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "import nothing if any row would be skipped")
	cmd.Flags().StringVar(&opts.MediaDir, "media", "", "copy of the Django MEDIA_ROOT to read logos from (logos/<uuid>.png); without it logos are left as they are")
	return cmd
}
