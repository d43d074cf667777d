package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/archive"
	"github.com/pocketbase/pocketbase/tools/osutils"
	"github.com/spf13/cobra"
)

// restoreKeep are the entries of the data directory a restore leaves alone.
var restoreKeep = []string{core.LocalBackupsDirName, core.LocalTempDirName, core.LocalAutocertCacheDirName, "lost+found"}

// newBackupCommand builds "registry backup create|list|restore".
func newBackupCommand(app core.App) *cobra.Command {
	root := &cobra.Command{
		Use:   "backup",
		Short: "Create, list and restore backups of the data directory",
	}

	create := &cobra.Command{
		Use:   "create [NAME.zip]",
		Short: "Back up the data directory (databases and uploads) into pb_data/backups",
		Long: "Writes a zip of the data directory (data.db, auxiliary.db, storage/) into pb_data/backups,\n" +
			"or to S3 when backups to S3 are configured in the dashboard. Safe while the server runs.\n" +
			"The name defaults to manual_<date>_<time>.zip and is printed as the last line.",
		Args:         cobra.MaximumNArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			name := "manual_" + time.Now().UTC().Format("20060102_150405") + ".zip"
			if len(args) == 1 {
				name = args[0]
			}
			if !strings.HasSuffix(name, ".zip") || strings.ContainsAny(name, `/\`) {
				return fmt.Errorf("the backup name must be a file name ending in .zip, got %q", name)
			}
			if err := app.CreateBackup(context.Background(), name); err != nil {
				return fmt.Errorf("creating the backup: %w", err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "Backup written:")
			fmt.Fprintln(cmd.OutOrStdout(), name)
			return nil
		},
	}

	list := &cobra.Command{
		Use:          "list",
		Short:        "List the backups, newest first",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fsys, err := app.NewBackupsFilesystem()
			if err != nil {
				return err
			}
			defer fsys.Close()
			files, err := fsys.List("")
			if err != nil {
				return err
			}
			sort.Slice(files, func(i, j int) bool { return files[i].ModTime.After(files[j].ModTime) })
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tSIZE\tCREATED")
			for _, f := range files {
				fmt.Fprintf(w, "%s\t%d KiB\t%s\n", f.Key, f.Size/1024, f.ModTime.UTC().Format("2006-01-02 15:04 UTC"))
			}
			return w.Flush()
		},
	}

	var yes bool
	restore := &cobra.Command{
		Use:   "restore NAME.zip",
		Short: "Replace the data directory with a local backup (stop the server first)",
		Long: "Replaces the databases and uploads in the data directory with the content of a backup from\n" +
			"pb_data/backups. Stop the server first. The replaced content is kept in\n" +
			"pb_data/backups/before-restore-<time>/ until you delete it.\n" +
			"(A running server can restore from the dashboard instead: Settings → Backups.)",
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes {
				return errors.New("restoring replaces all current data: repeat with --yes once the server is stopped")
			}
			kept, err := restoreBackup(app.DataDir(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Restored %s. The previous data is in %s.\n", args[0], kept)
			return nil
		},
	}
	restore.Flags().BoolVar(&yes, "yes", false, "confirm that the current data may be replaced")

	root.AddCommand(create, list, restore)
	return root
}

// restoreBackup extracts a local backup over dataDir and returns where the
// previous content was moved.
func restoreBackup(dataDir, name string) (string, error) {
	if strings.ContainsAny(name, `/\`) || !strings.HasSuffix(name, ".zip") {
		return "", fmt.Errorf("expected the file name of a backup in %s, got %q", filepath.Join(dataDir, core.LocalBackupsDirName), name)
	}
	zipPath := filepath.Join(dataDir, core.LocalBackupsDirName, name)
	if _, err := os.Stat(zipPath); err != nil {
		return "", fmt.Errorf("no backup %s (see 'registry backup list')", zipPath)
	}
	stamp := time.Now().UTC().Format("20060102_150405")
	extracted := filepath.Join(dataDir, core.LocalTempDirName, "restore_"+stamp)
	defer os.RemoveAll(extracted)
	if err := archive.Extract(zipPath, extracted); err != nil {
		return "", fmt.Errorf("reading the backup: %w", err)
	}
	if _, err := os.Stat(filepath.Join(extracted, "data.db")); err != nil {
		return "", fmt.Errorf("the backup has no data.db: it is not a registry backup")
	}
	kept := filepath.Join(dataDir, core.LocalBackupsDirName, "before-restore-"+stamp)
	if err := osutils.MoveDirContent(dataDir, kept, restoreKeep...); err != nil {
		return "", fmt.Errorf("moving the current data aside: %w", err)
	}
	if err := osutils.MoveDirContent(extracted, dataDir, restoreKeep...); err != nil {
		// put the previous data back
		_ = osutils.MoveDirContent(kept, dataDir)
		return "", fmt.Errorf("moving the backup in place (the previous data was put back): %w", err)
	}
	return kept, nil
}
