package edam

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/denbi/service-registry/internal/testapp"
)

func TestRegisterSchedule(t *testing.T) {
	app := testapp.NewBare(t)
	if err := Register(app, nil, Config{Schedule: "every full moon"}); err == nil || !strings.Contains(err.Error(), "every full moon") {
		t.Errorf("an invalid schedule must fail Register, got %v", err)
	}

	app = testapp.NewBare(t)
	if err := Register(app, nil, Config{}); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, job := range app.Cron().Jobs() {
		if job.Id() == CronJobID {
			found = job.Expression() == "@monthly" || job.Expression() == "0 0 1 * *"
		}
	}
	if !found {
		t.Error("the edam_sync job must be registered with the default @monthly schedule")
	}

	app = testapp.NewBare(t)
	if err := Register(app, nil, Config{Schedule: ScheduleOff}); err != nil {
		t.Fatal(err)
	}
	for _, job := range app.Cron().Jobs() {
		if job.Id() == CronJobID {
			t.Error("schedule \"off\" must not register the job")
		}
	}
}

func TestFirstServeSyncsAnEmptyTable(t *testing.T) {
	app := testapp.NewBare(t)
	p, err := register(app, nil, Config{SourceURL: "testdata/minimal.owl", Schedule: ScheduleOff})
	if err != nil {
		t.Fatal(err)
	}
	testapp.Server(t, app) // runs OnServe, which starts the sync
	p.background.Wait()
	if n, _ := app.CountRecords(Collection); n != 13 {
		t.Fatalf("%d terms after the first start, want 13", n)
	}
	idx, err := p.currentIndex()
	if err != nil || len(idx.terms) != 11 {
		t.Fatalf("the index must be ready after the sync: %v", err)
	}

	// a later start with terms stored does not sync again
	p2 := newPlugin(app, Config{SourceURL: "testdata/does-not-exist.owl"})
	p2.startSyncIfEmpty()
	p2.background.Wait()
}

func TestFirstServeSyncFailureIsLogged(t *testing.T) {
	app := testapp.NewBare(t)
	p, err := register(app, nil, Config{SourceURL: "testdata/does-not-exist.owl", Schedule: ScheduleOff})
	if err != nil {
		t.Fatal(err)
	}
	srv := testapp.Server(t, app)
	p.background.Wait()
	res := testapp.Do(t, srv, "GET", "/api/v1/edam/", nil)
	if res.Status != 200 || string(res.Body) != "[]" {
		t.Fatalf("the server must keep serving: %d %s", res.Status, res.Body)
	}
	if n, _ := app.CountRecords(Collection); n != 0 {
		t.Fatalf("%d terms", n)
	}
}

func TestSkipSyncOnEmpty(t *testing.T) {
	app := testapp.NewBare(t)
	p, err := register(app, nil, Config{SourceURL: "testdata/minimal.owl", Schedule: ScheduleOff, SkipSyncOnEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	testapp.Server(t, app)
	p.background.Wait()
	if n, _ := app.CountRecords(Collection); n != 0 {
		t.Fatalf("SkipSyncOnEmpty synced %d terms", n)
	}
}

func TestIndexNoticesWritesByOtherProcesses(t *testing.T) {
	app := testapp.NewBare(t)
	p := newPlugin(app, Config{})
	if _, err := Apply(context.Background(), app, fixture(t), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	idx, err := p.currentIndex()
	if err != nil || len(idx.terms) != 11 {
		t.Fatalf("index: %v", err)
	}

	// what "registry edam sync" in another process looks like from here:
	// rows change, no hook fires
	_, err = app.DB().NewQuery("UPDATE edam_terms SET obsolete = TRUE, updated = '2999-01-01 00:00:00.000Z' WHERE id = '100121'").Execute()
	if err != nil {
		t.Fatal(err)
	}
	if idx, _ := p.currentIndex(); len(idx.terms) != 11 {
		t.Fatal("the table is compared at most every stampCheckInterval")
	}
	p.index.Recheck() // as if the interval had passed
	if idx, _ := p.currentIndex(); len(idx.terms) != 10 {
		t.Fatalf("%d terms: the index must be rebuilt after an outside write", len(idx.terms))
	}
}

func TestMatchTier(t *testing.T) {
	term := &indexedTerm{label: "protein structure analysis", synonyms: []string{"structural proteomics", "3d protein"},
		definition: "the analysis of a macromolecular structure."}
	for q, want := range map[string]int{
		"protein structure analysis": tierLabelExact,
		"prot":                       tierLabelPrefix,
		"struct":                     tierLabelWord,
		"tein":                       tierLabelInside,
		"proteomics":                 tierSynonymWord,
		"d prot":                     tierSynonymInside,
		"macromol":                   tierDefinitionWord,
		"romolecular":                tierDefinitionInside,
		"dna":                        -1,
	} {
		if got := matchTier(term, q); got != want {
			t.Errorf("matchTier(%q) = %d, want %d", q, got, want)
		}
	}
	for _, c := range []struct {
		s, q string
		want int
	}{
		{"ab ab", "ab", 0}, {"xab", "ab", 1}, {"xab ab", "ab", 0}, {"x-ab", "ab", 0}, {"é-ab", "ab", 0}, {"éab", "ab", 1}, {"", "a", -1}, {"a", "ab", -1},
	} {
		if got := wordMatch(c.s, c.q); got != c.want {
			t.Errorf("wordMatch(%q, %q) = %d, want %d", c.s, c.q, got, c.want)
		}
	}
}

func TestSearchCacheIsBounded(t *testing.T) {
	rows := make([]indexRow, 500)
	for i := range rows {
		rows[i] = indexRow{ID: strconv.Itoa(100000 + i), Accession: fmt.Sprintf("topic_%04d", i), Branch: "topic",
			Label: "Term " + strings.Repeat("x", 150), SortOrder: i, Synonyms: `["Some synonym"]`}
	}
	idx, err := newTermIndex(rows)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if body := idx.search("topic", "term", i+1); strings.Count(string(body), `"id":`) != i+1 {
			t.Fatalf("limit %d: %s", i+1, body)
		}
	}
	for i := range maxCacheEntries + 10 {
		idx.search("topic", "x", i+1)
	}
	if len(idx.cache) > maxCacheEntries || idx.cacheBytes > maxCacheBytes {
		t.Fatalf("cache holds %d answers, %d bytes", len(idx.cache), idx.cacheBytes)
	}
	first := idx.search("topic", "synonym", 2)
	if strings.Count(string(first), `"id":`) != 2 || &idx.search("topic", "synonym", 2)[0] != &first[0] {
		t.Errorf("repeated queries are answered from the cache: %s", first)
	}
}

func TestIndexUnderConcurrentWrites(t *testing.T) {
	app := testapp.NewBare(t)
	p := newPlugin(app, Config{})
	if _, err := Apply(context.Background(), app, fixture(t), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	rec := record(t, app, "topic_0121")

	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 8 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				idx, err := p.currentIndex()
				if err != nil {
					t.Error(err)
					return
				}
				if body := idx.search("topic", "o", 0); !strings.HasPrefix(string(body), "[{") {
					t.Errorf("answer %s", body)
					return
				}
			}
		}()
	}
	for i := range 20 {
		rec.Set("label", fmt.Sprintf("Proteomics %d", i))
		if err := app.Save(rec); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	readers.Wait()

	idx, err := p.currentIndex()
	if err != nil {
		t.Fatal(err)
	}
	if body := string(idx.search("topic", "proteomics 19", 0)); !strings.Contains(body, `"label":"Proteomics 19"`) {
		t.Errorf("after the last write the index must show it: %s", body)
	}
}
