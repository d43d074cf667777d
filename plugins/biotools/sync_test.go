package biotools_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/plugins/biotools"
	"github.com/pocketbase/pocketbase/core"
)

func TestIDFromURL(t *testing.T) {
	for link, want := range map[string]string{
		"https://bio.tools/blast":          "blast",
		"https://bio.tools/blast/":         "blast",
		" https://bio.tools/blast// ":      "blast",
		"https://bio.tools/tool/SignalP":   "SignalP",
		"https://bio.tools/comet?foo=bar":  "comet",
		"https://bio.tools/bwa#functions":  "bwa",
		"":                                 "",
		"https://bio.tools/":               "",
		"bowtie2":                          "bowtie2",
		"https://bio.tools/a%20b":          "a b",
		"https://bio.tools/../../etc/pass": "pass",
	} {
		if got := biotools.IDFromURL(link); got != want {
			t.Errorf("IDFromURL(%q) = %q, want %q", link, got, want)
		}
	}
}

func TestSavingALinkSyncsInTheBackground(t *testing.T) {
	e := newEnv(t)
	submission := e.submission(t, "https://bio.tools/DemoTool/")
	e.plugin.Wait()

	r := e.record(t, submission.Id)
	if r == nil {
		t.Fatal("no bio.tools record after the sync")
	}
	if r.GetString("biotools_id") != "DemoTool" || r.GetString("name") != "DemoTool" || r.GetString("license") != "mit" ||
		r.GetString("version") != "2.0, 1.9, 1.8, 1.7, 1.6" || r.GetString("sync_error") != "" || r.GetDateTime("last_synced_at").IsZero() ||
		r.GetString("maturity") != "Emerging" || r.GetString("cost") != "Free of charge" {
		t.Fatalf("record: %v", r)
	}
	var functions []biotools.Function
	if err := r.UnmarshalJSONField("functions", &functions); err != nil || len(functions) != 2 || functions[1].Position != 1 ||
		functions[0].Inputs[0].Formats[0].URI != "http://edamontology.org/format_1929" {
		t.Fatalf("functions %+v (%v)", functions, err)
	}
	var uris []string
	r.UnmarshalJSONField("edam_topic_uris", &uris)
	if len(uris) != 3 {
		t.Fatalf("topics must be stored once each: %v", uris)
	}
	var raw map[string]any
	if err := r.UnmarshalJSONField("raw", &raw); err != nil || raw["biotoolsCURIE"] != "biotools:DemoTool" {
		t.Fatalf("raw must hold the whole upstream record: %v", raw)
	}

	// saving again without touching the link does not ask bio.tools again
	before := e.fake.requests.Load()
	fresh, _ := e.app.FindRecordById("submissions", submission.Id)
	fresh.Set("comments", "unrelated change")
	if err := e.app.Save(fresh); err != nil {
		t.Fatal(err)
	}
	e.plugin.Wait()
	if e.fake.requests.Load() != before {
		t.Fatal("an unchanged link must not trigger a sync")
	}
}

func TestChangingTheLinkResyncsAndClearingItRemovesTheRecord(t *testing.T) {
	e := newEnv(t)
	realTool(t, "bwa")
	submission := e.submission(t, "https://bio.tools/blast")
	e.plugin.Wait()
	first := e.record(t, submission.Id)
	if first == nil || first.GetString("biotools_id") != "blast" || first.GetString("name") != "BLAST" {
		t.Fatalf("first sync: %v", first)
	}

	e.setLink(t, submission, "https://bio.tools/bwa")
	e.plugin.Wait()
	second := e.record(t, submission.Id)
	if second == nil || second.GetString("biotools_id") != "bwa" || second.GetString("name") != "BWA" || second.GetString("license") != "MIT" {
		t.Fatalf("a changed link must sync the new tool: %v", second)
	}
	if second.Id != first.Id {
		t.Error("the record is updated in place (one per submission)")
	}

	e.setLink(t, submission, "")
	// removed synchronously by the save hook: no Wait needed
	if r := e.record(t, submission.Id); r != nil {
		t.Fatalf("clearing the link must remove the record, still have %v", r)
	}
	e.plugin.Wait()
	if r := e.record(t, submission.Id); r != nil {
		t.Fatal("the record came back")
	}
}

func TestFailuresAreRecordedAndRetriedByTheDailySync(t *testing.T) {
	e := newEnv(t)
	e.fake.on("demotool", status(http.StatusServiceUnavailable))
	submission := e.submission(t, "https://bio.tools/demotool")
	e.plugin.Wait()
	r := e.record(t, submission.Id)
	if r == nil || !strings.Contains(r.GetString("sync_error"), "HTTP 503") || !r.GetDateTime("last_synced_at").IsZero() ||
		r.GetString("biotools_id") != "demotool" {
		t.Fatalf("a failed first sync must leave a visible record with the error: %v", r)
	}

	e.fake.on("demotool", nil)
	report, err := e.plugin.SyncAll(context.Background(), nil)
	if err != nil || report.Total != 1 || report.OK != 1 || report.Failed != 0 {
		t.Fatalf("daily sync: %+v %v", report, err)
	}
	r = e.record(t, submission.Id)
	if r.GetString("sync_error") != "" || r.GetDateTime("last_synced_at").IsZero() || r.GetString("name") != "DemoTool" {
		t.Fatalf("success must clear sync_error and set last_synced_at: %v", r)
	}

	// a later temporary failure keeps the data
	e.fake.on("demotool", status(http.StatusBadGateway))
	if _, err := e.plugin.SyncSubmission(context.Background(), submission.Id); err == nil {
		t.Fatal("want the failure returned")
	}
	r = e.record(t, submission.Id)
	if r.GetString("name") != "DemoTool" || !strings.Contains(r.GetString("sync_error"), "HTTP 502") || r.GetDateTime("last_synced_at").IsZero() {
		t.Fatalf("a failed refresh must keep the last good data: %v", r)
	}

	// a changed link whose tool does not exist empties the old data
	e.setLink(t, submission, "https://bio.tools/no-such-tool")
	e.plugin.Wait()
	r = e.record(t, submission.Id)
	if r.GetString("biotools_id") != "no-such-tool" || r.GetString("name") != "" || !r.GetDateTime("last_synced_at").IsZero() ||
		!strings.Contains(r.GetString("sync_error"), `"no-such-tool" does not exist (HTTP 404)`) {
		t.Fatalf("the old tool's data must not stay under the new id: %v", r)
	}
}

func TestDailySyncRemovesRecordsOfClearedLinks(t *testing.T) {
	e := newEnv(t)
	submission := e.submission(t, "https://bio.tools/demotool")
	e.plugin.Wait()
	// clear the link behind the hooks' back, as an import or a direct SQL edit might
	if _, err := e.app.DB().NewQuery("UPDATE submissions SET biotools_url = '' WHERE id = {:id}").
		Bind(map[string]any{"id": submission.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	report, err := e.plugin.SyncAll(context.Background(), nil)
	if err != nil || report.Removed != 1 || report.Total != 0 {
		t.Fatalf("%+v %v", report, err)
	}
	if e.record(t, submission.Id) != nil {
		t.Fatal("the stale record must be gone")
	}
}

func TestALinkChangedDuringASyncIsNotOverwritten(t *testing.T) {
	e := newEnv(t)
	entered, proceed := make(chan struct{}), make(chan struct{})
	e.fake.on("demotool", func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-proceed
		w.Write(readTestdata(t, "demotool.json"))
	})
	submission := e.submission(t, "https://bio.tools/demotool")
	<-entered
	e.setLink(t, submission, "") // cleared while bio.tools is answering
	close(proceed)
	e.plugin.Wait()
	if r := e.record(t, submission.Id); r != nil {
		t.Fatalf("a late answer for the old link must not bring the record back: %v", r)
	}
}

// TestSaveDoesNotWaitForBiotools measures submission saves while bio.tools
// hangs; the numbers are logged (go test -v), not asserted.
func TestSaveDoesNotWaitForBiotools(t *testing.T) {
	e := newEnv(t, func(c *biotools.Config) { c.Timeout = 3 * time.Second })
	e.fake.on("demotool", e.fake.hang)
	var slowest, total time.Duration
	const saves = 20
	for i := range saves {
		record := e.submission(t, "")
		started := time.Now()
		e.setLink(t, record, "https://bio.tools/demotool")
		took := time.Since(started)
		total += took
		slowest = max(slowest, took)
		if i == 0 && e.record(t, record.Id) != nil {
			t.Fatal("the record cannot exist yet: bio.tools has not answered")
		}
	}
	t.Logf("submission save with a new bio.tools link while bio.tools hangs: mean %s, slowest %s over %d saves",
		total/saves, slowest, saves)
}

func TestCronJobIsRegistered(t *testing.T) {
	e := newEnv(t, func(c *biotools.Config) { c.Schedule = "30 3 * * *" })
	found := false
	for _, j := range e.app.Cron().Jobs() {
		found = found || (j.Id() == biotools.CronJobID && j.Expression() == "30 3 * * *")
	}
	if !found {
		t.Fatal("biotools_sync missing")
	}
	if _, err := biotools.Register(e.app, nil, biotools.Config{Schedule: "whenever"}); err == nil || !strings.Contains(err.Error(), "biotools.schedule") {
		t.Fatalf("an invalid schedule must name the setting: %v", err)
	}
}

func TestCLISync(t *testing.T) {
	e := newEnv(t)
	ok := e.submission(t, "https://bio.tools/demotool")
	broken := e.submission(t, "https://bio.tools/missing-tool")
	e.submission(t, "") // not linked: ignored
	e.plugin.Wait()
	e.fake.requests.Store(0)

	out, err := run(t, e.root, "biotools", "sync")
	if err == nil || !strings.Contains(err.Error(), "1 of 2 syncs failed") {
		t.Fatalf("a failure must make the command fail: %v\n%s", err, out)
	}
	for _, want := range []string{
		"Syncing from " + e.fake.URL + "/api",
		"✓ DemoTool (submission " + ok.Id + ")",
		"✗ missing-tool (submission " + broken.Id + "): bio.tools tool \"missing-tool\" does not exist (HTTP 404)",
		"Done. OK: 1/2, errors: 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if e.fake.requests.Load() != 2 {
		t.Errorf("want one request per linked submission, got %d", e.fake.requests.Load())
	}

	out, err = run(t, e.root, "biotools", "sync", "--id", "DEMOTOOL")
	if err != nil || !strings.Contains(out, "OK: 1/1") || strings.Contains(out, "missing-tool") {
		t.Fatalf("--id must sync only that tool: %v\n%s", err, out)
	}
	if _, err = run(t, e.root, "biotools", "sync", "--id", "nothing-links-here"); err == nil || !strings.Contains(err.Error(), `"nothing-links-here"`) {
		t.Fatalf("an id no submission links to must be an error: %v", err)
	}
}

func TestRecordJSONShapes(t *testing.T) {
	e := newEnv(t)
	term := func(id, uri, accession, branch, label string) {
		c, _ := e.app.FindCollectionByNameOrId("edam_terms")
		r := core.NewRecord(c)
		r.Load(map[string]any{"id": id, "uri": uri, "accession": accession, "branch": branch, "label": label, "sort_order": 1})
		if err := e.app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	term("121", "http://edamontology.org/topic_0121", "topic_0121", "topic", "Proteomics")
	term("91", "http://edamontology.org/topic_0091", "topic_0091", "topic", "Bioinformatics")

	submission := e.submission(t, "https://bio.tools/demotool")
	e.plugin.Wait()
	r := e.record(t, submission.Id)

	full := biotools.RecordJSON(e.app, r)
	wantKeys := "biotools_id biotools_url cost description documentation download edam_topic_uris edam_topics_resolved functions homepage id last_synced_at license links maturity name operating_system publications sync_error tool_type version"
	if got := keys(full); got != wantKeys {
		t.Fatalf("full record keys:\n got %s\nwant %s", got, wantKeys)
	}
	if full["biotools_url"] != "https://bio.tools/DemoTool" || full["id"] != r.Id {
		t.Errorf("full: %v", full)
	}
	resolved := full["edam_topics_resolved"].([]map[string]any)
	if len(resolved) != 3 || resolved[0]["label"] != "Proteomics" || resolved[0]["url"] != "https://edamontology.org/topic_0121" ||
		resolved[0]["branch"] != "topic" || resolved[2]["label"] != nil || resolved[2]["branch"] != nil ||
		resolved[2]["accession"] != "topic_9999" || resolved[2]["url"] != "http://edamontology.org/topic_9999" {
		t.Errorf("edam_topics_resolved: %v", resolved)
	}
	if synced, _ := full["last_synced_at"].(string); !strings.HasSuffix(synced, "Z") || len(synced) != len("2006-01-02T15:04:05.000000Z") {
		t.Errorf("last_synced_at %q", full["last_synced_at"])
	}
	functions := full["functions"].([]any)
	op := functions[0].(map[string]any)["operations"].([]any)[0].(map[string]any)
	if op["uri"] != "http://edamontology.org/operation_0292" {
		t.Errorf("functions[0].operations[0]: %v", op)
	}

	summary := biotools.SummaryJSON(r)
	wantSummary := "biotools_id biotools_url cost description edam_topic_count edam_topic_uris function_count homepage id last_synced_at license maturity name operating_system sync_error tool_type version"
	if got := keys(summary); got != wantSummary {
		t.Fatalf("summary keys:\n got %s\nwant %s", got, wantSummary)
	}
	if summary["edam_topic_count"] != 3 || summary["function_count"] != 2 {
		t.Errorf("summary counts: %v", summary)
	}
}

func keys(m map[string]any) string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}
