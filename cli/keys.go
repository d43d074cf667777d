package cli

import (
	"fmt"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// newAdminKeyCommand builds "registry adminkey create --label L --scope read|full".
func newAdminKeyCommand(app core.App) *cobra.Command {
	root := &cobra.Command{
		Use:   "adminkey",
		Short: "Manage admin API keys (Authorization: AdminKey <key>)",
	}

	var label, scope string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an admin key; the plaintext key is the last line of the output",
		Long: "Creates an admin API key for machine-to-machine access to /api/v1 and the collection API.\n" +
			"The key is printed once, as the last line, and stored only as a hash: copy it now.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			record, plaintext, err := apikeys.IssueAdminKey(app, label, scope, "cli")
			if err != nil {
				return fmt.Errorf("creating the admin key: %w", err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Created admin key %q (id %s, scope %s).\n", label, record.Id, scope)
			fmt.Fprintln(out, "Send it as 'Authorization: AdminKey <key>'. It is shown only now:")
			fmt.Fprintln(out, plaintext)
			return nil
		},
	}
	create.Flags().StringVar(&label, "label", "", "what the key is for, e.g. \"reporting dashboard\" (required)")
	create.Flags().StringVar(&scope, "scope", apikeys.ScopeRead, "read (GET only) or full (every method)")
	_ = create.MarkFlagRequired("label")
	root.AddCommand(create)
	return root
}

// newAPIKeyCommand builds "registry apikey issue SUBMISSION_ID [--label L] [--scope read|write]".
func newAPIKeyCommand(app core.App) *cobra.Command {
	root := &cobra.Command{
		Use:   "apikey",
		Short: "Manage submission API keys (Authorization: ApiKey <key>)",
	}

	var label, scope string
	issue := &cobra.Command{
		Use:   "issue SUBMISSION_ID",
		Short: "Issue a new key for a submission; the plaintext key is the last line of the output",
		Long: "Issues an additional API key for one submission, e.g. when its owner lost theirs.\n" +
			"Existing keys stay valid. The key is printed once, as the last line: copy it now.",
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return fmt.Errorf("applying migrations: %w", err)
			}
			record, plaintext, err := apikeys.IssueSubmissionKey(app, args[0], label, scope, "cli")
			if err != nil {
				return fmt.Errorf("issuing the key: %w", err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Issued key %q (id %s, scope %s) for submission %s.\n", label, record.Id, scope, args[0])
			fmt.Fprintln(out, "Send it as 'Authorization: ApiKey <key>'. It is shown only now:")
			fmt.Fprintln(out, plaintext)
			return nil
		},
	}
	issue.Flags().StringVar(&label, "label", "Issued by an operator", "what the key is for")
	issue.Flags().StringVar(&scope, "scope", apikeys.ScopeWrite, "read (view only) or write (view and update)")
	root.AddCommand(issue)
	return root
}
