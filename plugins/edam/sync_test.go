package edam

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// snapshot maps each stored term's accession to its full row, including
// "updated", so tests can tell whether anything was written.
func snapshot(t testing.TB, app core.App) map[string]string {
	t.Helper()
	records, err := app.FindAllRecords(Collection)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(records))
	for _, r := range records {
		raw, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		out[r.GetString("accession")] = string(raw) + r.GetString("updated")
	}
	return out
}

// record returns the stored term with accession acc.
func record(t testing.TB, app core.App, acc string) *core.Record {
	t.Helper()
	r, err := app.FindFirstRecordByData(Collection, "accession", acc)
	if err != nil {
		t.Fatalf("term %s: %v", acc, err)
	}
	return r
}

// fixture parses testdata/minimal.owl.
func fixture(t testing.TB) *Ontology {
	return ParseFile(t, "testdata/minimal.owl")
}

// writes counts record writes made since the last ResetEventCalls.
func writes(app *tests.TestApp) int {
	return app.EventCalls["OnRecordCreate"] + app.EventCalls["OnRecordUpdate"] + app.EventCalls["OnRecordDelete"]
}

func TestApplyIntoEmptyTable(t *testing.T) {
	app := testapp.NewBare(t)
	rep, err := Apply(context.Background(), app, fixture(t), ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 13 || rep.Updated != 0 || rep.Obsoleted != 0 || rep.Unchanged != 0 || rep.Version != "1.99" {
		t.Fatalf("report %+v", rep)
	}
	if rep.Current[BranchTopic] != 3 || rep.Current[BranchIdentifier] != 2 || rep.Current[BranchData] != 1 {
		t.Errorf("current per branch %v", rep.Current)
	}

	p := record(t, app, "topic_0121")
	if p.Id != "100121" || p.GetString("parent") != "103391" || p.GetString("branch") != "topic" ||
		p.GetInt("sort_order") != 121 || p.GetBool("obsolete") || p.GetString("edam_version") != "1.99" ||
		p.GetString("uri") != "http://edamontology.org/topic_0121" || p.GetString("label") != "Proteomics" {
		t.Errorf("topic_0121 stored as %v", p.FieldsData())
	}
	var syn []string
	if err := p.UnmarshalJSONField("synonyms", &syn); err != nil || len(syn) != 5 || syn[0] != "Protein expression profiling" {
		t.Errorf("synonyms %q (%v)", syn, err)
	}
	if op := record(t, app, "operation_0292"); op.Id != "200292" || op.GetString("parent") != "200004" {
		t.Errorf("operation_0292: id %s parent %q", op.Id, op.GetString("parent"))
	}
	if id := record(t, app, "data_2091"); id.Id != "302091" || id.GetString("branch") != "identifier" || id.GetString("parent") != "300842" {
		t.Errorf("an identifier keeps its data_ id: %v", id.FieldsData())
	}
	if m := record(t, app, "topic_0079"); !m.GetBool("obsolete") || m.GetString("parent") != "" {
		t.Errorf("topic_0079: %v", m.FieldsData())
	}
}

func TestApplyTwiceWritesNothing(t *testing.T) {
	app := testapp.NewBare(t)
	if _, err := Apply(context.Background(), app, fixture(t), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, app)
	app.ResetEventCalls()

	rep, err := Apply(context.Background(), app, fixture(t), ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Writes() != 0 || rep.Unchanged != 13 {
		t.Fatalf("re-applying the same release: %+v", rep)
	}
	if n := writes(app); n != 0 {
		t.Errorf("%d record writes, want none", n)
	}
	if after := snapshot(t, app); !mapsEqual(before, after) {
		t.Error("stored rows changed")
	}
}

func TestApplyMarksRemovedTermsObsolete(t *testing.T) {
	app := testapp.NewBare(t)
	if _, err := Apply(context.Background(), app, fixture(t), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}

	next := fixture(t)
	next.Version = "2.0"
	next.Terms = slices.DeleteFunc(next.Terms, func(t Term) bool { return t.Accession == "topic_0121" })
	for i := range next.Terms {
		switch next.Terms[i].Accession {
		case "operation_0292":
			next.Terms[i].Obsolete = true // deprecated upstream
			next.Terms[i].Parents = nil
		case "data_2091":
			next.Terms[i].Obsolete = true
			next.Terms[i].Parents = nil // an obsolete identifier without oldParent
			next.Terms[i].Branch = BranchData
		}
	}
	rep, err := Apply(context.Background(), app, next, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// 12 terms are listed and all get the new version: 2 of them become
	// obsolete and 10 are updated (topic_0079, obsolete already, too); the
	// unlisted topic_0121 is the third obsoleted one
	if rep.Obsoleted != 3 || rep.Missing != 1 || rep.Updated != 10 || rep.Added != 0 || rep.Unchanged != 0 {
		t.Fatalf("report %+v", rep)
	}

	gone := record(t, app, "topic_0121")
	if !gone.GetBool("obsolete") || gone.GetString("parent") != "103391" || gone.GetString("label") != "Proteomics" {
		t.Errorf("a removed term stays, marked obsolete, with its data: %v", gone.FieldsData())
	}
	if rec, err := ResolveTerm(app, "http://edamontology.org/topic_0121"); err != nil || rec.Id != "100121" {
		t.Errorf("existing annotations must keep resolving: %v", err)
	}
	if op := record(t, app, "operation_0292"); !op.GetBool("obsolete") || op.GetString("parent") != "200004" {
		t.Errorf("deprecated upstream: %v", op.FieldsData())
	}
	if id := record(t, app, "data_2091"); id.GetString("branch") != BranchIdentifier {
		t.Errorf("an obsolete identifier must stay in its branch, got %q", id.GetString("branch"))
	}

	// the next sync of the same release changes nothing
	rep, err = Apply(context.Background(), app, next, ApplyOptions{})
	if err != nil || rep.Writes() != 0 || rep.Unchanged != 13 {
		t.Fatalf("second sync: %+v, %v", rep, err)
	}
}

func TestApplyDryRunWritesNothing(t *testing.T) {
	app := testapp.NewBare(t)
	rep, err := Apply(context.Background(), app, fixture(t), ApplyOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.DryRun || rep.Added != 13 {
		t.Fatalf("dry run into an empty table: %+v", rep)
	}
	if n, _ := app.CountRecords(Collection); n != 0 {
		t.Fatalf("a dry run stored %d terms", n)
	}

	if _, err := Apply(context.Background(), app, fixture(t), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, app)
	changed := fixture(t)
	changed.Terms[0].Label = "Topics"
	changed.Terms = changed.Terms[:len(changed.Terms)-1]
	app.ResetEventCalls()
	rep, err = Apply(context.Background(), app, changed, ApplyOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Updated != 1 || rep.Obsoleted != 1 || rep.Missing != 1 || rep.Unchanged != 11 {
		t.Errorf("dry run report %+v", rep)
	}
	if writes(app) != 0 || !mapsEqual(before, snapshot(t, app)) {
		t.Error("a dry run wrote to the table")
	}
}

func TestApplyLinksParentsInAnyOrder(t *testing.T) {
	app := testapp.NewBare(t)
	term := func(acc, parent string) Term {
		_, n, _ := splitAccession(acc)
		t := Term{URI: "http://edamontology.org/" + acc, Accession: acc, Branch: BranchTopic, Label: acc, SortOrder: n, Synonyms: []string{}}
		if parent != "" {
			t.Parents = []string{"http://edamontology.org/" + parent}
		}
		return t
	}
	o := &Ontology{Version: "1.0", Terms: []Term{
		term("topic_0003", "topic_0002"), // child before parent
		term("topic_0002", "topic_0001"),
		term("topic_0001", ""),
		term("topic_0010", "topic_0011"), // a cycle
		term("topic_0011", "topic_0010"),
		term("topic_0020", "topic_0999"), // parent unknown
	}}
	if _, err := Apply(context.Background(), app, o, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for acc, parent := range map[string]string{
		"topic_0003": "100002", "topic_0002": "100001", "topic_0001": "",
		"topic_0010": "100011", "topic_0011": "100010", "topic_0020": "",
	} {
		if got := record(t, app, acc).GetString("parent"); got != parent {
			t.Errorf("%s parent %q, want %q", acc, got, parent)
		}
	}
}

func TestApplyRefusesAnEmptyRelease(t *testing.T) {
	app := testapp.NewBare(t)
	if _, err := Apply(context.Background(), app, fixture(t), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, app)
	if _, err := Apply(context.Background(), app, &Ontology{}, ApplyOptions{}); err == nil {
		t.Fatal("an empty release would mark every term obsolete; it must be refused")
	}
	if !mapsEqual(before, snapshot(t, app)) {
		t.Error("table changed")
	}
}

func TestSyncErrorsLeaveTheTableUntouched(t *testing.T) {
	app := testapp.NewBare(t)
	p := newPlugin(app, Config{SourceURL: "testdata/minimal.owl"})
	if _, err := p.sync(context.Background(), syncOptions{}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, app)

	dir := t.TempDir()
	truncated := filepath.Join(dir, "EDAM_2.0.owl")
	full, _ := os.ReadFile("testdata/minimal.owl")
	if err := os.WriteFile(truncated, full[:len(full)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct{ source, want string }{
		"malformed XML": {truncated, "parsing the EDAM release from " + truncated},
		"missing file":  {filepath.Join(dir, "nope.owl"), "no such file"},
		"bad scheme":    {"ftp://example.org/EDAM.owl", "neither an http(s) URL nor a file path"},
	}
	for name, c := range cases {
		app.ResetEventCalls()
		_, err := p.sync(context.Background(), syncOptions{source: c.source})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", name, err, c.want)
		}
		if writes(app) != 0 || !mapsEqual(before, snapshot(t, app)) {
			t.Errorf("%s: the table changed", name)
		}
	}
}

func TestSyncRealRelease(t *testing.T) {
	owl := SharedData(t, "edam/EDAM_1.25.owl")
	app := testapp.NewBare(t)
	p := newPlugin(app, Config{SourceURL: owl})

	rep, err := p.sync(context.Background(), syncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 3471 || rep.Version != "1.25" {
		t.Fatalf("report %+v", rep)
	}
	var rows []struct {
		Branch string `db:"branch"`
		N      int    `db:"n"`
	}
	if err := app.DB().NewQuery("SELECT branch, COUNT(*) AS n FROM edam_terms WHERE obsolete = FALSE GROUP BY branch").All(&rows); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range rows {
		got[r.Branch] = r.N
	}
	want := map[string]int{BranchTopic: 260, BranchOperation: 537, BranchData: 416, BranchIdentifier: 533, BranchFormat: 612}
	if !mapsEqual(got, want) {
		t.Errorf("stored current terms per branch %v, want %v", got, want)
	}
	if r := record(t, app, "topic_0121"); r.Id != "100121" || r.GetString("parent") != "103391" || r.GetString("definition") == "" {
		t.Errorf("topic_0121: %v", r.FieldsData())
	}

	app.ResetEventCalls()
	rep, err = p.sync(context.Background(), syncOptions{})
	if err != nil || rep.Writes() != 0 || writes(app) != 0 {
		t.Fatalf("re-sync wrote: %+v (%d writes), %v", rep, writes(app), err)
	}

	// switching to the CSV export of the same release touches only the
	// few terms the CSV cannot represent exactly
	csvPath := SharedData(t, "edam/EDAM_1.25.csv")
	rep, err = p.sync(context.Background(), syncOptions{source: csvPath, dryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Version != "1.25" || rep.Added != 0 || rep.Obsoleted != 0 || rep.Updated > 7 {
		t.Errorf("OWL → CSV: %+v", rep)
	}
}

// clientFunc adapts a function to HTTPClient.
type clientFunc func(*http.Request) (*http.Response, error)

func (f clientFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

func TestSyncDownloads(t *testing.T) {
	owl, err := os.ReadFile("testdata/minimal.owl")
	if err != nil {
		t.Fatal(err)
	}
	var got *http.Request
	status, body := http.StatusOK, string(owl)
	client := clientFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		return &http.Response{StatusCode: status, Status: http.StatusText(status), Body: io.NopCloser(strings.NewReader(body))}, nil
	})
	app := testapp.NewBare(t)
	p := newPlugin(app, Config{SourceURL: "https://edam.example/EDAM_stable.owl", SiteURL: "https://registry.example", HTTPClient: client})

	rep, err := p.sync(context.Background(), syncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 13 || got.URL.String() != "https://edam.example/EDAM_stable.owl" {
		t.Errorf("report %+v from %v", rep, got.URL)
	}
	if ua := got.Header.Get("User-Agent"); ua != "denbi-service-registry (+https://registry.example)" {
		t.Errorf("User-Agent %q", ua)
	}

	status, body = http.StatusNotFound, "<html>not here</html>"
	if _, err := p.sync(context.Background(), syncOptions{}); err == nil || !strings.Contains(err.Error(), "answered Not Found") {
		t.Errorf("a 404 must fail the sync with the status, got %v", err)
	}

	status, body = http.StatusOK, string(owl)
	p.config.MaxDownloadBytes = 1024
	if _, err := p.sync(context.Background(), syncOptions{}); !errors.Is(err, errTooLarge) {
		t.Errorf("an oversized release must be refused, got %v", err)
	}
}

func TestResolveTerm(t *testing.T) {
	app := testapp.NewBare(t)
	if _, err := Apply(context.Background(), app, fixture(t), ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"100121", "topic_0121", "http://edamontology.org/topic_0121", "https://edamontology.org/topic_0121", " topic_0121 "} {
		rec, err := ResolveTerm(app, ref)
		if err != nil || rec.Id != "100121" {
			t.Errorf("ResolveTerm(%q) = %v, %v", ref, rec, err)
		}
	}
	if rec, err := ResolveTerm(app, "topic_0079"); err != nil || !rec.GetBool("obsolete") {
		t.Errorf("obsolete terms resolve: %v", err)
	}
	for _, ref := range []string{"", "121", "topic_4242", "http://example.org/topic_0121", "Proteomics", "1 OR 1=1"} {
		if _, err := ResolveTerm(app, ref); !errors.Is(err, ErrTermNotFound) {
			t.Errorf("ResolveTerm(%q): %v, want ErrTermNotFound", ref, err)
		}
	}

	j := TermJSON(record(t, app, "data_2091"))
	if j["id"] != int64(302091) || j["branch"] != "identifier" || j["url"] != "https://edamontology.org/data_2091" || j["label"] != "Accession" {
		t.Errorf("TermJSON %v", j)
	}
}

func mapsEqual[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestCountingReaderLimit(t *testing.T) {
	for _, c := range []struct {
		size, limit int64
		tooLarge    bool
	}{{10, 10, false}, {9, 10, false}, {11, 10, true}, {0, 10, false}} {
		r := &countingReader{r: strings.NewReader(strings.Repeat("x", int(c.size))), limit: c.limit}
		n, err := io.Copy(io.Discard, r)
		if errors.Is(err, errTooLarge) != c.tooLarge || (!c.tooLarge && (err != nil || n != c.size)) {
			t.Errorf("size %d, limit %d: read %d, %v", c.size, c.limit, n, err)
		}
	}
}
