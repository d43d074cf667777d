// Package database sizes PocketBase's SQLite connection pool for the small
// machines the registry runs on.
//
// PocketBase opens up to 120 reading connections, each with a 32 MB page
// cache. Under 50 concurrent clients that paged through the submissions the
// process grew past a gigabyte (every connection filled its own cache with
// the same pages) while two cores could not use more than a handful of
// connections at once. The registry keeps a few connections per core, a
// small cache per connection, and lets every connection read the database
// through one shared memory map (mmap_size), so pages are cached once, by
// the operating system, instead of once per connection: deep pages of the
// submission list became twice as fast.
//
// Example usage:
//
//	pocketbase.NewWithConfig(pocketbase.Config{
//		DBConnect:        database.Connect,
//		DataMaxOpenConns: database.MaxOpenConns(),
//		DataMaxIdleConns: database.MaxIdleConns,
//		AuxMaxOpenConns:  database.AuxMaxOpenConns,
//		AuxMaxIdleConns:  database.AuxMaxIdleConns,
//	})
package database

import (
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	_ "modernc.org/sqlite" // the driver PocketBase uses
)

// CacheKiB is the page cache of one connection (mostly for writes: reads go
// through the memory map).
const CacheKiB = 4 * 1024

// MmapBytes is how much of a database file connections read through the
// shared memory map.
const MmapBytes = 256 << 20

// MaxIdleConns is how many reading connections stay open (with their cache)
// between bursts.
const MaxIdleConns = 4

// AuxMaxOpenConns bounds the pool of auxiliary.db (request logs), which
// PocketBase sizes at 20.
const AuxMaxOpenConns = 4

// AuxMaxIdleConns is how many auxiliary.db connections stay open.
const AuxMaxIdleConns = 2

// pragmas are PocketBase's connection settings with the smaller cache. The
// busy timeout comes first, so a connection waits for a lock before it
// switches to WAL mode.
var pragmas = []string{
	"busy_timeout(10000)",
	"journal_mode(WAL)",
	"journal_size_limit(200000000)",
	"synchronous(NORMAL)",
	"foreign_keys(ON)",
	"temp_store(MEMORY)",
	"cache_size(-" + strconv.Itoa(CacheKiB) + ")",
}

// mmapPragma reads data.db through the shared memory map. auxiliary.db (the
// request log) is mostly written, and mapping it would only make its pages
// count towards the process's memory.
var mmapPragma = "mmap_size(" + strconv.Itoa(MmapBytes) + ")"

// Connect opens an SQLite database the way PocketBase does, with the
// registry's cache size and, for data.db, the memory map.
func Connect(dbPath string) (*dbx.DB, error) {
	list := pragmas
	if filepath.Base(dbPath) != "auxiliary.db" {
		list = append(slices.Clone(pragmas), mmapPragma)
	}
	return dbx.Open("sqlite", dbPath+"?_pragma="+strings.Join(list, "&_pragma=")+"&_defensive=1")
}

// MaxOpenConns is the size of the reading pool: four connections per CPU,
// between 8 and 32. Requests beyond it wait for a free connection, which
// costs less than SQLite readers competing for the same cores.
func MaxOpenConns() int {
	return min(max(4*runtime.NumCPU(), 8), 32)
}
