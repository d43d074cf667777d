package snapshot_test

import (
	"errors"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/denbi/service-registry/internal/snapshot"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/pocketbase/core"
)

// counted builds the number of categories and counts its builds.
type counted struct {
	app    core.App
	builds atomic.Int64
	fail   atomic.Bool
}

func (c *counted) stamp() (string, error) {
	n, err := c.app.CountRecords("categories")
	return strconv.FormatInt(n, 10), err
}

func (c *counted) build() (int64, error) {
	c.builds.Add(1)
	if c.fail.Load() {
		return 0, errors.New("the table is unreadable")
	}
	return c.app.CountRecords("categories")
}

func newSnapshot(t *testing.T) (*snapshot.Snapshot[int64], *counted, core.App) {
	app := testapp.NewBare(t)
	c := &counted{app: app}
	s := snapshot.New(app, snapshot.Options[int64]{Name: "test", Tables: []string{"categories"}, Stamp: c.stamp, Build: c.build})
	return s, c, app
}

func get(t *testing.T, s *snapshot.Snapshot[int64]) int64 {
	t.Helper()
	v, err := s.Get()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSnapshotFollowsWritesOfThisProcess(t *testing.T) {
	s, c, app := newSnapshot(t)
	if get(t, s) != 0 || get(t, s) != 0 || c.builds.Load() != 1 {
		t.Fatalf("builds: %d", c.builds.Load())
	}
	testapp.Create(t, app, "categories", map[string]any{"id": "1", "name": "Database", "active": true})
	if get(t, s) != 1 || c.builds.Load() != 2 {
		t.Fatalf("after a write: builds %d", c.builds.Load())
	}
}

func TestSnapshotNoticesOtherWritersByItsStamp(t *testing.T) {
	s, c, app := newSnapshot(t)
	get(t, s)
	// another process writes: no hook fires here
	if _, err := app.DB().NewQuery("INSERT INTO categories (id, name, active) VALUES (99, 'Elsewhere', TRUE)").Execute(); err != nil {
		t.Fatal(err)
	}
	if get(t, s) != 0 {
		t.Fatal("the stamp is compared at most once per interval")
	}
	s.Recheck()
	if get(t, s) != 1 || c.builds.Load() != 2 {
		t.Fatalf("after the check: builds %d", c.builds.Load())
	}
}

func TestSnapshotKeepsThePreviousValueWhenARebuildFails(t *testing.T) {
	s, c, app := newSnapshot(t)
	get(t, s)
	c.fail.Store(true)
	testapp.Create(t, app, "categories", map[string]any{"id": "1", "name": "Database", "active": true})
	if get(t, s) != 0 {
		t.Fatal("a failed rebuild must keep the previous value")
	}
	c.fail.Store(false)
	if get(t, s) != 1 {
		t.Fatal("the next read must try again")
	}

	// without any previous value the error reaches the caller
	fresh, c2, _ := newSnapshot(t)
	c2.fail.Store(true)
	if _, err := fresh.Get(); err == nil {
		t.Fatal("want the build error")
	}
}
