package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/denbi/service-registry/internal/verify"
	"github.com/spf13/cobra"
)

// newVerifyCommand builds "registry verify --url URL [--admin-key KEY]
// [--write] [--json]": the staging checklist over HTTP.
func newVerifyCommand() *cobra.Command {
	var opts verify.Options
	var asJSON bool
	var keyFile string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check a running deployment over HTTP (health, pages, APIs, security headers)",
		Long: "Runs the staging checklist against a running registry, over HTTP only: health, pages,\n" +
			"captcha, API docs and schema, EDAM, security headers and refusals, and with --admin-key the\n" +
			"admin lists. Nothing is created unless --write is given: then a test service is registered,\n" +
			"read back, changed and deprecated (the office is notified and can delete it).\n" +
			"Prints one line per check and exits 1 if any check fails.",
		Example:      "  registry verify --url https://staging.example.org --admin-key \"$ADMIN_KEY\" --write",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.URL == "" {
				return errors.New("--url is required, e.g. --url https://staging.example.org")
			}
			if keyFile != "" {
				raw, err := os.ReadFile(keyFile)
				if err != nil {
					return fmt.Errorf("--admin-key-file: %w", err)
				}
				opts.AdminKey = strings.TrimSpace(string(raw))
			}
			report := verify.Run(cmd.Context(), opts)
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(report); err != nil {
					return err
				}
			} else {
				for _, c := range report.Checks {
					fmt.Fprintln(out, c)
				}
				fmt.Fprintln(out, report.Summary())
			}
			if !report.OK() {
				return fmt.Errorf("%d of %d checks failed", report.Failed, len(report.Checks))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.URL, "url", "", "base URL of the deployment (required)")
	cmd.Flags().StringVar(&opts.AdminKey, "admin-key", "", "admin key for the admin checks")
	cmd.Flags().StringVar(&keyFile, "admin-key-file", "", "read the admin key from this file (keeps it out of shell history)")
	cmd.Flags().BoolVar(&opts.Write, "write", false, "also register, change and deprecate a test service (needs --admin-key)")
	cmd.Flags().StringVar(&opts.APIVersion, "api-version", "", "expected info.version of /api/schema/ (default: any version number)")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 10*time.Second, "time limit of each request")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON (for CI)")
	return cmd
}
