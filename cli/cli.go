// Package cli adds the registry's operator commands to the PocketBase root
// command: key management, demo data and the health check.
//
// Example usage:
//
//	cli.Register(app, app.RootCmd)
package cli

import (
	"github.com/denbi/service-registry/internal/buildinfo"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// Register adds the commands to root and makes "--version" print the bare
// version.
func Register(app core.App, root *cobra.Command) {
	root.Use = "registry"
	root.Short = "de.NBI Service Registry"
	root.Version = buildinfo.Version
	root.SetVersionTemplate("{{.Version}}\n")

	root.AddCommand(
		newAdminKeyCommand(app),
		newAPIKeyCommand(app),
		newSeedCommand(app),
		newCronsCommand(app),
		newVerifyCommand(),
		newBackupCommand(app),
		newDBCommand(app),
		NewHealthcheckCommand(),
	)
}
