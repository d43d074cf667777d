package edam

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedData returns the path of a file under ../shared/data (next to the
// repository), skipping the test when the folder is absent: a plain clone
// of the repository does not have the real EDAM releases.
func SharedData(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	path := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("skipping: %s is not available (the shared reference data lives next to the repository)", path)
	}
	return path
}

// ParseFile parses a release from a file and fails the test on error.
func ParseFile(t testing.TB, path string) *Ontology {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	o, err := Parse(f)
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	return o
}
