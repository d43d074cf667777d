package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
)

func TestIntegrityProblemsFindsDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "damaged.db")
	db, err := dbx.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewQuery("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); CREATE INDEX notes_body ON notes(body)").Execute(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 400; i++ {
		if _, err := db.Insert("notes", dbx.Params{"body": strings.Repeat("x", 40) + string(rune('a'+i%26))}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := integrityProblems(db)
	if err != nil || len(problems) != 0 {
		t.Fatalf("a fresh database must be sound: %v %v", problems, err)
	}
	db.Close()

	// overwrite the b-tree headers of pages 2 to 4 (table and index pages),
	// keeping the file header intact
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 5*4096 {
		t.Fatalf("the database is too small to damage: %d bytes", len(raw))
	}
	for page := 1; page <= 3; page++ {
		copy(raw[page*4096:], bytes.Repeat([]byte{0xA5}, 16))
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = dbx.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	problems, err = integrityProblems(db)
	if err == nil && len(problems) == 0 {
		t.Fatal("the damaged database passed the integrity check")
	}
	t.Logf("found %d problems (error: %v)", len(problems), err)
}
