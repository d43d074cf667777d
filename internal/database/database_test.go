package database_test

import (
	"path/filepath"
	"testing"

	"github.com/denbi/service-registry/internal/database"
)

func TestConnectAppliesThePragmas(t *testing.T) {
	db, err := database.Connect(filepath.Join(t.TempDir(), "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for pragma, want := range map[string]string{
		"journal_mode": "wal", "synchronous": "1", "foreign_keys": "1", "temp_store": "2",
		"busy_timeout": "10000", "cache_size": "-4096", "mmap_size": "268435456",
	} {
		var got string
		if err := db.NewQuery("PRAGMA " + pragma).Row(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	aux, err := database.Connect(filepath.Join(t.TempDir(), "auxiliary.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer aux.Close()
	var mmap string
	if err := aux.NewQuery("PRAGMA mmap_size").Row(&mmap); err != nil || mmap != "0" {
		t.Errorf("auxiliary.db mmap_size = %s (%v), want 0", mmap, err)
	}
	if n := database.MaxOpenConns(); n < 8 || n > 32 {
		t.Errorf("MaxOpenConns() = %d", n)
	}
}
