// Package pb_public embeds the registry's static site: pages, styles,
// scripts and vendored front-end libraries (each with its license). Nothing
// is loaded from a CDN, so the pages work offline.
package pb_public

import (
	"embed"
	"io/fs"
)

//go:embed all:site
var files embed.FS

// FS returns the site's files, rooted so that "index.html" is the home page.
func FS() fs.FS {
	site, err := fs.Sub(files, "site")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return site
}
