package config

import (
	"io"
	"os"

	"github.com/spf13/pflag"
)

// Flags are the command-line switches that feed the configuration.
type Flags struct {
	// Path is --config.
	Path string
	// Set holds the --set section.key=value overrides.
	Set []string
}

// Bind adds --config and --set to a flag set (the root command's persistent
// flags, so that every subcommand accepts them).
func (f *Flags) Bind(fs *pflag.FlagSet) {
	fs.StringVar(&f.Path, "config", f.Path, "path of the site.toml configuration file (default $"+EnvConfigPath+" or ./"+DefaultPath+")")
	fs.StringArrayVar(&f.Set, "set", f.Set, "override one setting, e.g. --set site.url=https://registry.example.org (repeatable)")
}

// ParseFlags reads --config and --set from the command line before the
// command itself runs, so the configuration exists when hooks are bound.
// Every other argument is left for the command.
func ParseFlags(args []string) Flags {
	var f Flags
	fs := pflag.NewFlagSet("config", pflag.ContinueOnError)
	fs.ParseErrorsAllowlist.UnknownFlags = true
	fs.SetOutput(io.Discard)
	f.Bind(fs)
	_ = fs.Parse(args)
	return f
}

// Sources returns the sources for Load from the parsed flags and the
// process environment.
func (f Flags) Sources() Sources {
	return Sources{Path: f.Path, Environ: os.Environ(), Set: f.Set}
}
