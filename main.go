// Command registry is the de.NBI Service Registry: one binary with an
// embedded SQLite database, built on PocketBase.
//
//	registry serve [--http=127.0.0.1:8090] [--dir=pb_data] [--config=site.toml]
//
// Run "registry --help" for every command.
package main

import (
	"fmt"
	"os"

	"github.com/denbi/service-registry/cli"
	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/internal/database"
	"github.com/denbi/service-registry/internal/setup"
	_ "github.com/denbi/service-registry/pb_migrations"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
)

func main() {
	// The health check needs neither configuration nor database.
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		cmd := cli.NewHealthcheckCommand()
		cmd.SetArgs(os.Args[2:])
		if err := cmd.Execute(); err != nil {
			os.Exit(1)
		}
		return
	}

	flags := config.ParseFlags(os.Args[1:])
	cfg, err := config.Load(flags.Sources())
	if err != nil {
		fmt.Fprintf(os.Stderr, "Configuration error:\n%v\n", err)
		os.Exit(2)
	}

	app := pocketbase.NewWithConfig(pocketbase.Config{
		DefaultDataDir:   "pb_data",
		DBConnect:        database.Connect,
		DataMaxOpenConns: database.MaxOpenConns(),
		DataMaxIdleConns: database.MaxIdleConns,
		AuxMaxOpenConns:  database.AuxMaxOpenConns,
		AuxMaxIdleConns:  database.AuxMaxIdleConns,
	})
	flags.Bind(app.RootCmd.PersistentFlags())

	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{
		TemplateLang: migratecmd.TemplateLangGo,
		Dir:          "pb_migrations",
	})
	if err := setup.Register(app, app.RootCmd, &cfg.Config); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(2)
	}

	if err := app.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
