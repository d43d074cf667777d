// Package snapshot keeps a value computed from database tables, such as a
// search index, and rebuilds it when those tables change: at once after a
// write through this process (record hooks), and within an interval after
// a write by another process ("registry edam sync" or an import next to a
// running server), which a cheap stamp query reveals.
//
// Readers never wait for a rebuild once a first value exists: one reader
// rebuilds while the others keep the previous value, and a failed rebuild
// keeps serving the previous value.
//
// Example usage:
//
//	index := snapshot.New(app, snapshot.Options[*termIndex]{
//		Name:   "EDAM search index",
//		Tables: []string{"edam_terms"},
//		Stamp:  func() (string, error) { return tableStamp(app) },
//		Build:  func() (*termIndex, error) { return buildIndex(app) },
//	})
//	idx, err := index.Get()
package snapshot

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// DefaultCheckInterval is how often a reader compares the tables' stamp
// with the snapshot's, at most.
const DefaultCheckInterval = 30 * time.Second

// Options describe what a snapshot is built from.
type Options[T any] struct {
	// Name appears in log messages.
	Name string
	// Tables are the collections whose writes make the value stale.
	Tables []string
	// Stamp summarises the tables' state (e.g. row count and latest
	// update); a different stamp means another process changed them.
	Stamp func() (string, error)
	// Build computes the value from the tables.
	Build func() (T, error)
	// CheckInterval bounds how often Stamp runs. Defaults to
	// DefaultCheckInterval.
	CheckInterval time.Duration
}

// Snapshot holds the current value. It is safe for concurrent use.
type Snapshot[T any] struct {
	app  core.App
	opts Options[T]

	// gen counts changes seen by this process; a value built at an older
	// gen is stale.
	gen     atomic.Uint64
	current atomic.Pointer[built[T]]
	buildMu sync.Mutex
	// stampChecked is when (unix ns) the stamp was last compared.
	stampChecked atomic.Int64
}

type built[T any] struct {
	value T
	gen   uint64
	stamp string
}

// New creates a snapshot and marks it stale on every write to its tables.
// Nothing is built until the first Get or Refresh.
func New[T any](app core.App, opts Options[T]) *Snapshot[T] {
	if opts.CheckInterval <= 0 {
		opts.CheckInterval = DefaultCheckInterval
	}
	s := &Snapshot[T]{app: app, opts: opts}
	stale := func(e *core.RecordEvent) error {
		s.Invalidate()
		return e.Next()
	}
	for _, table := range opts.Tables {
		app.OnRecordAfterCreateSuccess(table).BindFunc(stale)
		app.OnRecordAfterUpdateSuccess(table).BindFunc(stale)
		app.OnRecordAfterDeleteSuccess(table).BindFunc(stale)
	}
	return s
}

// Invalidate marks the current value stale.
func (s *Snapshot[T]) Invalidate() { s.gen.Add(1) }

// Recheck makes the next Get compare the tables' stamp, whatever the
// interval.
func (s *Snapshot[T]) Recheck() { s.stampChecked.Store(0) }

// Get returns the current value, rebuilding it first when it is stale and
// no other reader is already rebuilding it.
func (s *Snapshot[T]) Get() (T, error) {
	cur := s.current.Load()
	if cur != nil && cur.gen == s.gen.Load() && !s.changedElsewhere(cur) {
		return cur.value, nil
	}
	if cur != nil {
		if !s.buildMu.TryLock() {
			return cur.value, nil
		}
	} else {
		s.buildMu.Lock()
	}
	defer s.buildMu.Unlock()
	return s.rebuildLocked(cur)
}

// Refresh rebuilds the value now (after a sync, say), so no reader pays
// for it. A failure is logged; the previous value stays.
func (s *Snapshot[T]) Refresh() {
	s.buildMu.Lock()
	defer s.buildMu.Unlock()
	if _, err := s.rebuildLocked(s.current.Load()); err != nil {
		s.app.Logger().Error("Rebuilding failed", "snapshot", s.opts.Name, "error", err.Error())
	}
}

// changedElsewhere reports whether the tables changed behind the value's
// back; at most one reader per interval asks the database.
func (s *Snapshot[T]) changedElsewhere(cur *built[T]) bool {
	now := time.Now().UnixNano()
	last := s.stampChecked.Load()
	if now-last < int64(s.opts.CheckInterval) || !s.stampChecked.CompareAndSwap(last, now) {
		return false
	}
	stamp, err := s.opts.Stamp()
	if err != nil || stamp == cur.stamp {
		return false
	}
	s.Invalidate()
	return true
}

// rebuildLocked builds and stores a fresh value unless another reader just
// did; on failure the previous value (if any) stays in use.
func (s *Snapshot[T]) rebuildLocked(prev *built[T]) (T, error) {
	gen := s.gen.Load() // read before building: later writes make it stale again
	if cur := s.current.Load(); cur != nil && cur.gen == gen {
		return cur.value, nil
	}
	next, err := s.build(gen)
	if err != nil {
		if prev != nil {
			s.app.Logger().Warn("Rebuilding failed; serving the previous value", "snapshot", s.opts.Name, "error", err.Error())
			return prev.value, nil
		}
		var zero T
		return zero, err
	}
	s.current.Store(next)
	s.stampChecked.Store(time.Now().UnixNano())
	return next.value, nil
}

// build takes the stamp first, so a write during the build shows up as a
// changed stamp later instead of going unnoticed.
func (s *Snapshot[T]) build(gen uint64) (*built[T], error) {
	stamp, err := s.opts.Stamp()
	if err != nil {
		return nil, err
	}
	value, err := s.opts.Build()
	if err != nil {
		return nil, err
	}
	return &built[T]{value: value, gen: gen, stamp: stamp}, nil
}
