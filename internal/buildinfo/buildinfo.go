// Package buildinfo holds facts fixed when the binary is built.
package buildinfo

// Version is the registry's semantic version, set at build time with
// -ldflags "-X github.com/denbi/service-registry/internal/buildinfo.Version=1.2.3".
// Builds without it report 0.0.0-dev.
var Version = "0.0.0-dev"
