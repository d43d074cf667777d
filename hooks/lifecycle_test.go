package hooks_test

import (
	"context"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/denbi/service-registry/internal/savecontext"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"
	"github.com/pocketbase/pocketbase/tools/types"
)

// approved makes an approved, tagged submission and returns its id and owner key.
func (w *v1World) approved(t *testing.T, overrides map[string]any) (string, string) {
	t.Helper()
	id, key := w.created(t, overrides)
	rec, _ := w.app.FindRecordById("submissions", id)
	rec.Set("status", "approved")
	rec.Set("primary_maturity_tag", "mature")
	rec.Set("secondary_maturity_tags", []string{"unstable"})
	if err := w.app.Save(rec); err != nil {
		t.Fatal(err)
	}
	return id, key
}

func (w *v1World) patch(t *testing.T, id, key string, body map[string]any) *testapp.Response {
	t.Helper()
	res := testapp.Do(t, w.srv, http.MethodPatch, "/api/v1/submissions/"+id+"/", body, "Authorization: ApiKey "+key)
	if res.Status != http.StatusOK {
		t.Fatalf("PATCH %v: %d %s", body, res.Status, res.Body)
	}
	return res
}

func (w *v1World) changeRows(t *testing.T, id string) []*core.Record {
	t.Helper()
	rows, err := w.app.FindRecordsByFilter("submission_changes", "submission = {:id}", "created", 0, 0, map[string]any{"id": id})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func (w *v1World) outbox(t *testing.T) []*core.Record {
	t.Helper()
	rows, err := w.app.FindRecordsByFilter("mail_outbox", "", "created", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func exempt(fields ...string) func(*config.Config) {
	return func(c *config.Config) { c.Submission.NoResetFields = fields }
}

func TestStatusResetMatrix(t *testing.T) {
	cases := []struct {
		name       string
		exempt     []string
		patch      map[string]any
		wantStatus string
	}{
		{"empty exempt list, any change resets", nil, map[string]any{"comments": "x"}, "submitted"},
		{"exempt-only change keeps approval", []string{"github_url", "comments"}, map[string]any{"comments": "x"}, "approved"},
		{"non-exempt change resets", []string{"github_url"}, map[string]any{"comments": "x"}, "submitted"},
		{"mixed change resets", []string{"github_url"}, map[string]any{"github_url": "https://github.com/x/y", "comments": "x"}, "submitted"},
		{"exempt github link keeps approval", []string{"github_url"}, map[string]any{"github_url": "https://github.com/x/y"}, "approved"},
		{"exempt bio.tools link keeps approval", []string{"biotools_url"}, map[string]any{"biotools_url": "https://bio.tools/blast"}, "approved"},
		{"exempt FAIRsharing link keeps approval", []string{"fairsharing_url"}, map[string]any{"fairsharing_url": "https://fairsharing.org/1"}, "approved"},
		{"same value is no change", nil, map[string]any{"service_name": "Proteome Explorer"}, "approved"},
		{"whitespace artefact is no change", []string{"logo"}, map[string]any{"service_description": strings.Repeat("A web service that maps peptides to proteins. ", 3) + "  "}, "approved"},
		{"relation change counts", []string{"comments"}, map[string]any{"responsible_pi_ids": []any{"PI2"}}, "submitted"},
		{"exempt relation change keeps approval", []string{"edam_topics"}, map[string]any{"edam_topic_ids": []any{}}, "approved"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newV1World(t, exempt(c.exempt...))
			id, key := w.approved(t, nil)
			if pis, ok := c.patch["responsible_pi_ids"]; ok && pis.([]any)[0] == "PI2" {
				c.patch["responsible_pi_ids"] = []any{w.ref.PIs[1]}
			}
			body := w.patch(t, id, key, c.patch).Map(t)
			if body["status"] != c.wantStatus {
				t.Fatalf("status %v, want %s", body["status"], c.wantStatus)
			}
			rec, _ := w.app.FindRecordById("submissions", id)
			if c.wantStatus == "approved" {
				if rec.GetString("primary_maturity_tag") != "mature" {
					t.Error("tags must survive an exempt change")
				}
			} else if rec.GetString("primary_maturity_tag") != "" || rec.GetString("secondary_maturity_tags") != "[]" {
				t.Errorf("a reset must clear the tags: %q %q", rec.GetString("primary_maturity_tag"), rec.GetString("secondary_maturity_tags"))
			}
		})
	}
}

func TestChangeLogAndEmailsForAnAPIEdit(t *testing.T) {
	w := newV1World(t, exempt("comments"))
	id, _ := w.approved(t, nil)
	_, key, err := apikeys.IssueSubmissionKey(w.app, id, "CI pipeline key", "write", "test")
	if err != nil {
		t.Fatal(err)
	}
	before := len(w.outbox(t))

	w.patch(t, id, key, map[string]any{"comments": "Release 2.0"})
	rec, _ := w.app.FindRecordById("submissions", id)
	var summary struct {
		ChangedBy string `json:"changed_by"`
		ChangedAt string `json:"changed_at"`
		Changes   []struct {
			Field string `json:"field"`
			Label string `json:"label"`
			Old   string `json:"old"`
			New   string `json:"new"`
		} `json:"changes"`
	}
	if err := rec.UnmarshalJSONField("last_change_summary", &summary); err != nil {
		t.Fatal(err)
	}
	if summary.ChangedBy != "api:CI pipeline key" || summary.ChangedAt == "" || len(summary.Changes) != 1 {
		t.Fatalf("summary: %+v", summary)
	}
	if c := summary.Changes[0]; c.Field != "comments" || c.Label != "Comments" || c.Old != "—" || c.New != "Release 2.0" {
		t.Fatalf("change entry: %+v", c)
	}
	rows := w.changeRows(t, id)
	if len(rows) != 2 || rows[1].GetString("changed_by") != "api:CI pipeline key" {
		t.Fatalf("change log (approval + edit) = %d rows", len(rows))
	}

	mails := w.outbox(t)[before:]
	if len(mails) != 2 {
		t.Fatalf("an owner edit queues office + owner emails, got %d", len(mails))
	}
	var toOwner *core.Record
	for _, m := range mails {
		if strings.Contains(m.GetString("to"), "grace.internal@example.org") {
			toOwner = m
		}
		if strings.Contains(m.GetString("cc"), "grace.internal@example.org") {
			t.Error("the submitter is never copied on office mail")
		}
	}
	if toOwner == nil || !strings.Contains(toOwner.GetString("text_body"), "Release 2.0") || strings.Contains(toOwner.GetString("text_body"), "lifecycle") {
		t.Fatalf("owner email: %v", toOwner)
	}

	// the same value again: nothing recorded, nobody told, summary kept
	w.patch(t, id, key, map[string]any{"comments": "Release 2.0"})
	if len(w.changeRows(t, id)) != 2 || len(w.outbox(t)) != before+2 {
		t.Fatal("a save that changes nothing must write nothing and send nothing")
	}
	rec, _ = w.app.FindRecordById("submissions", id)
	if !strings.Contains(rec.GetString("last_change_summary"), "Release 2.0") {
		t.Fatal("a no-change save must not wipe the last change summary")
	}
}

func TestOwnerEditThatResetsSaysSo(t *testing.T) {
	w := newV1World(t, exempt("comments"))
	id, key := w.approved(t, nil)
	before := len(w.outbox(t))
	w.patch(t, id, key, map[string]any{"service_name": "Proteome Explorer 2"})
	mails := w.outbox(t)[before:]
	if len(mails) != 2 {
		t.Fatalf("want 2 emails, got %d", len(mails))
	}
	for _, m := range mails {
		if !strings.Contains(m.GetString("text_body"), "Submitted") {
			t.Errorf("%s: must mention the new status", m.GetString("subject"))
		}
		if strings.Contains(m.GetString("to"), "grace.internal") && !strings.Contains(m.GetString("text_body"), "lifecycle") {
			t.Error("the owner must be told that the entry went back to review")
		}
	}
	rows := w.changeRows(t, id)
	last := rows[len(rows)-1].GetString("changes")
	for _, want := range []string{`"field":"service_name"`, `"field":"status"`, `"new":"Submitted"`, `"field":"primary_maturity_tag"`, `"old":"Mature"`} {
		if !strings.Contains(last, want) {
			t.Errorf("change row lacks %s: %s", want, last)
		}
	}
}

func TestDashboardStatusChange(t *testing.T) {
	w := newV1World(t)
	id, _ := w.created(t, nil)
	token := testapp.Superuser(t, w.app, "office@example.org")
	before := len(w.outbox(t))

	res := testapp.Do(t, w.srv, http.MethodPatch, "/api/collections/submissions/records/"+id,
		map[string]any{"status": "approved"}, "Authorization: "+token)
	if res.Status != 200 || res.Map(t)["status"] != "approved" {
		t.Fatalf("superuser approve: %d %s", res.Status, res.Body)
	}
	rows := w.changeRows(t, id)
	if len(rows) != 1 || rows[0].GetString("changed_by") != "admin:office@example.org" {
		t.Fatalf("change log: %v", rows)
	}
	if !strings.Contains(rows[0].GetString("changes"), `"old":"Submitted","new":"Approved"`) {
		t.Fatalf("status change entry: %s", rows[0].GetString("changes"))
	}
	mails := w.outbox(t)[before:]
	if len(mails) != 2 {
		t.Fatalf("status change queues office + owner emails, got %d", len(mails))
	}
	for _, m := range mails {
		if m.GetString("event") != "status_changed" || !strings.Contains(m.GetString("subject"), "Approved") {
			t.Errorf("status mail: %s / %s", m.GetString("event"), m.GetString("subject"))
		}
	}

	// the office edits a field of an approved entry: logged, no reset, no email
	before = len(w.outbox(t))
	res = testapp.Do(t, w.srv, http.MethodPatch, "/api/collections/submissions/records/"+id,
		map[string]any{"service_name": "Renamed by the office"}, "Authorization: "+token)
	if res.Status != 200 || res.Map(t)["status"] != "approved" {
		t.Fatalf("office edit: %d %s", res.Status, res.Body)
	}
	if len(w.outbox(t)) != before {
		t.Fatal("the office's own field edits send no email")
	}
	if rows := w.changeRows(t, id); len(rows) != 2 || rows[1].GetString("changed_by") != "admin:office@example.org" {
		t.Fatal("office edits are logged")
	}

	// moving away from approved clears the tags and records it
	rec, _ := w.app.FindRecordById("submissions", id)
	rec.Set("primary_maturity_tag", "emerging")
	if err := w.app.Save(rec); err != nil {
		t.Fatal(err)
	}
	res = testapp.Do(t, w.srv, http.MethodPatch, "/api/collections/submissions/records/"+id,
		map[string]any{"status": "rejected"}, "Authorization: "+token)
	if res.Status != 200 || res.Map(t)["primary_maturity_tag"] != "" {
		t.Fatalf("reject: %d %s", res.Status, res.Body)
	}
	rows = w.changeRows(t, id)
	if last := rows[len(rows)-1].GetString("changes"); !strings.Contains(last, `"old":"Emerging","new":"—"`) {
		t.Fatalf("tag clearing must be logged: %s", last)
	}
}

func TestSubmitterDeprecation(t *testing.T) {
	w := newV1World(t)
	id, key := w.approved(t, nil)
	_, readKey, _ := apikeys.IssueSubmissionKey(w.app, id, "reader", "read", "test")
	url := "/api/registry/submissions/" + id + "/deprecate"

	if res := testapp.Do(t, w.srv, http.MethodPost, url, nil, "Authorization: ApiKey "+readKey); res.Status != 403 {
		t.Fatalf("read key: %d", res.Status)
	}
	if res := testapp.Do(t, w.srv, http.MethodPost, url, nil); res.Status != 403 {
		t.Fatalf("anonymous: %d", res.Status)
	}
	before := len(w.outbox(t))
	res := testapp.Do(t, w.srv, http.MethodPost, url, nil, "Authorization: ApiKey "+key)
	if res.Status != 200 || res.Map(t)["changed"] != true || res.Map(t)["status"] != "deprecated" {
		t.Fatalf("deprecate: %d %s", res.Status, res.Body)
	}
	rows := w.changeRows(t, id)
	last := rows[len(rows)-1]
	for _, want := range []string{`"field":"status"`, `"new":"Deprecated"`, `"field":"primary_maturity_tag","label":"Primary Maturity Tag","old":"Mature","new":"—"`, `"old":"Unstable","new":"—"`} {
		if !strings.Contains(last.GetString("changes"), want) {
			t.Errorf("change row lacks %s: %s", want, last.GetString("changes"))
		}
	}
	if len(w.outbox(t)) != before+2 {
		t.Fatal("deprecation tells the office and the owner")
	}

	again := testapp.Do(t, w.srv, http.MethodPost, url, nil, "Authorization: ApiKey "+key)
	if again.Status != 200 || again.Map(t)["changed"] != false || len(w.changeRows(t, id)) != len(rows) {
		t.Fatalf("a second deprecation must change nothing: %s", again.Body)
	}
}

func TestCreateQueuesReceiptAndOfficeMail(t *testing.T) {
	w := newV1World(t, func(c *config.Config) { c.Email.NotifyCC = []string{"cc@example.org"} })
	id, key := w.created(t, nil)
	mails := w.outbox(t)
	if len(mails) != 2 {
		t.Fatalf("create queues 2 emails, got %d", len(mails))
	}
	keyRec, _ := w.app.FindFirstRecordByData(apikeys.SubmissionKeys, "key_hash", apikeys.Hash(key))
	for _, m := range mails {
		body := m.GetString("text_body") + m.GetString("html_body")
		if strings.Contains(body, key) || strings.Contains(body, keyRec.GetString("key_hash")) {
			t.Fatal("an email contains the key or its hash")
		}
		if !strings.Contains(m.GetString("subject"), "Proteome Explorer") || m.GetString("submission") != id || m.GetString("status") != "pending" {
			t.Errorf("outbox row: %s %s %s", m.GetString("subject"), m.GetString("submission"), m.GetString("status"))
		}
		switch {
		case strings.Contains(m.GetString("to"), "servicecoordination@denbi.de"):
			if !strings.Contains(m.GetString("cc"), "cc@example.org") || !strings.Contains(body, "/_/#/registry?id="+id) {
				t.Error("office mail: CC and dashboard link expected")
			}
		case strings.Contains(m.GetString("to"), "grace.internal@example.org"):
			if strings.Contains(body, "/_/#/") || !strings.Contains(body, "not read") {
				t.Error("submitter mail: no dashboard link, a do-not-reply note")
			}
		default:
			t.Errorf("unexpected recipient %s", m.GetString("to"))
		}
	}
}

func TestNotifyOverrideSendsOnlyOneMail(t *testing.T) {
	w := newV1World(t, func(c *config.Config) { c.Email.NotifyOverride = "staging@example.org" })
	w.created(t, nil)
	mails := w.outbox(t)
	if len(mails) != 1 || mails[0].GetString("to") != `["staging@example.org"]` {
		t.Fatalf("override: %d mails %v", len(mails), mails)
	}
	if strings.Contains(mails[0].GetString("html_body"), "/_/#/") {
		t.Error("no dashboard link in staging mail")
	}
}

func TestDeletionWritesASurvivingAudit(t *testing.T) {
	w := newV1World(t)
	id, key := w.created(t, nil)
	w.patch(t, id, key, map[string]any{"comments": "one"})
	w.patch(t, id, key, map[string]any{"comments": "two"})
	token := testapp.Superuser(t, w.app, "office@example.org")

	res := testapp.Do(t, w.srv, http.MethodDelete, "/api/collections/submissions/records/"+id, nil, "Authorization: "+token)
	if res.Status != 204 {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	audit, err := w.app.FindFirstRecordByData("submission_deletions", "submission_id", id)
	if err != nil {
		t.Fatal("no deletion audit")
	}
	if audit.GetString("deleted_by") != "admin:office@example.org" || audit.GetInt("changelog_count") != 2 ||
		!strings.Contains(audit.GetString("changelog_snapshot"), `"new":"two"`) || audit.GetString("service_name") != "Proteome Explorer" {
		t.Fatalf("audit: %v", audit.PublicExport())
	}
	if len(w.changeRows(t, id)) != 0 {
		t.Fatal("the change log goes with the submission (the audit keeps its copy)")
	}
	if err := w.app.Delete(audit); err == nil {
		t.Fatal("deletion audits can never be deleted")
	}
	audit.Set("service_name", "x")
	if err := w.app.Save(audit); err == nil {
		t.Fatal("deletion audits can never be changed")
	}
	if _, err := w.app.FindFirstRecordByData("submission_deletions", "submission_id", id); err != nil {
		t.Fatal("the audit must survive")
	}
}

func TestOutboxSurvivesSMTPOutageAndSendsOnce(t *testing.T) {
	sink := testapp.NewSMTPSink(t)
	sink.SetRefuse(true)
	w := newV1World(t, func(c *config.Config) {
		c.SMTP.Host, c.SMTP.Port = sink.Host, sink.Port
		c.Email.MaxAttempts = 3
	})
	w.created(t, nil)
	// the messages are committed with the submission, before any delivery:
	// a crash now loses nothing
	if n := len(w.outbox(t)); n != 2 {
		t.Fatalf("outbox rows after create: %d", n)
	}

	runOutbox(t, w.app)
	for _, m := range w.outbox(t) {
		if m.GetString("status") != "pending" || m.GetInt("attempts") != 1 || !strings.Contains(m.GetString("last_error"), "451") {
			t.Fatalf("after a failed attempt: %s attempts=%d error=%q", m.GetString("status"), m.GetInt("attempts"), m.GetString("last_error"))
		}
		if !m.GetDateTime("next_attempt_at").Time().After(time.Now().Add(30 * time.Second)) {
			t.Fatal("a failed message waits before the next attempt")
		}
	}
	runOutbox(t, w.app) // not due yet: nothing happens
	if len(sink.Messages()) != 0 || w.outbox(t)[0].GetInt("attempts") != 1 {
		t.Fatal("messages that are not due must not be tried")
	}

	sink.SetRefuse(false)
	makeDue(t, w.app)
	runOutbox(t, w.app)
	if got := len(sink.Messages()); got != 2 {
		t.Fatalf("delivered %d messages once SMTP is back, want 2", got)
	}
	for _, m := range w.outbox(t) {
		if m.GetString("status") != "sent" || m.GetString("last_error") != "" || m.GetDateTime("sent_at").IsZero() {
			t.Fatalf("sent row: %v", m.PublicExport())
		}
	}
	makeDue(t, w.app)
	runOutbox(t, w.app)
	if got := len(sink.Messages()); got != 2 {
		t.Fatalf("messages must never be sent twice: %d", got)
	}
}

func TestOutboxGivesUpAfterMaxAttempts(t *testing.T) {
	w := newV1World(t, func(c *config.Config) {
		c.SMTP.Host, c.SMTP.Port = "127.0.0.1", 1 // nothing listens there
		c.Email.MaxAttempts = 2
	})
	w.created(t, nil)
	for i := 0; i < 2; i++ {
		makeDue(t, w.app)
		runOutbox(t, w.app)
	}
	for _, m := range w.outbox(t) {
		if m.GetString("status") != "failed" || m.GetInt("attempts") != 2 || m.GetString("last_error") == "" {
			t.Fatalf("after max attempts: %s %d %q", m.GetString("status"), m.GetInt("attempts"), m.GetString("last_error"))
		}
	}
}

func TestEmailsReachARealSMTPServer(t *testing.T) {
	sink := testapp.NewSMTPSink(t)
	w := newV1World(t, func(c *config.Config) {
		c.SMTP.Host, c.SMTP.Port = sink.Host, sink.Port
		c.Email.AdminAddresses = []string{"office@example.org"}
	})
	id, _ := w.created(t, nil)
	runOutbox(t, w.app)
	got := sink.Messages()
	if len(got) != 2 {
		t.Fatalf("received %d messages", len(got))
	}
	subjects := map[string]string{}
	for _, m := range got {
		subjects[strings.Join(m.Recipients, ",")] = m.Subject()
		if m.From != "no-reply@denbi.de" {
			t.Errorf("envelope sender %q", m.From)
		}
	}
	if !strings.Contains(subjects["office@example.org"], "New service registered: Proteome Explorer") {
		t.Errorf("office subject: %q", subjects["office@example.org"])
	}
	if !strings.Contains(subjects["grace.internal@example.org"], "We received your service registration: Proteome Explorer") {
		t.Errorf("receipt subject: %q", subjects["grace.internal@example.org"])
	}

	token := testapp.Superuser(t, w.app, "office@example.org")
	res := testapp.Do(t, w.srv, http.MethodPatch, "/api/collections/submissions/records/"+id, map[string]any{"status": "approved"}, "Authorization: "+token)
	if res.Status != 200 {
		t.Fatalf("approve: %d", res.Status)
	}
	runOutbox(t, w.app)
	got = sink.Messages()
	if len(got) != 4 {
		t.Fatalf("received %d messages after approval", len(got))
	}
	for _, m := range got[2:] {
		if !strings.Contains(m.Subject(), "Approved") {
			t.Errorf("approval subject: %q", m.Subject())
		}
		if strings.Join(m.Recipients, ",") == "grace.internal@example.org" && !strings.Contains(m.Raw, "approved") {
			t.Error("the owner's approval mail must carry the status message")
		}
	}
}

// runOutbox runs the registered delivery job, as the scheduler would.
func runOutbox(t *testing.T, app core.App) {
	t.Helper()
	for _, job := range app.Cron().Jobs() {
		if job.Id() == "mail_outbox_send" {
			job.Run()
			return
		}
	}
	t.Fatal("cron job mail_outbox_send is not registered")
}

// makeDue moves every pending message's next attempt to now.
func makeDue(t *testing.T, app core.App) {
	t.Helper()
	rows, _ := app.FindRecordsByFilter("mail_outbox", "status = 'pending'", "", 0, 0)
	for _, r := range rows {
		r.Set("next_attempt_at", types.NowDateTime().Add(-time.Second))
		if err := app.SaveNoValidate(r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestQuietSavesLogButDoNotNotify(t *testing.T) {
	w := newV1World(t)
	id, _ := w.created(t, nil)
	before := len(w.outbox(t))
	rec, _ := w.app.FindRecordById("submissions", id)
	rec.Set("status", "approved")
	ctx := savecontext.Quietly(savecontext.WithActor(context.Background(), "system:import"))
	if err := w.app.SaveWithContext(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if len(w.outbox(t)) != before {
		t.Fatal("a quiet save must not queue emails")
	}
	rows := w.changeRows(t, id)
	if len(rows) != 1 || rows[0].GetString("changed_by") != "system:import" {
		t.Fatalf("a quiet save is still logged, with its actor: %v", rows)
	}
}

func TestAfterSuccessHooksSeeAUsableApp(t *testing.T) {
	w := newV1World(t)
	var errs []error
	check := func(e *core.RecordEvent) error {
		if _, err := e.App.FindRecordById("submissions", e.Record.Id); err != nil {
			errs = append(errs, err)
		}
		return e.Next()
	}
	w.app.OnRecordAfterCreateSuccess("submissions").BindFunc(check)
	w.app.OnRecordAfterUpdateSuccess("submissions").BindFunc(check)
	id, key := w.created(t, nil)
	w.patch(t, id, key, map[string]any{"comments": "after"})
	if len(errs) > 0 {
		t.Fatalf("after-success hooks could not query: %v", errs)
	}
}

func TestEmailsLeaveRightAfterTheChange(t *testing.T) {
	sink := testapp.NewSMTPSink(t)
	w := newV1World(t, func(c *config.Config) {
		c.SMTP.Host, c.SMTP.Port = sink.Host, sink.Port
		c.Email.AdminAddresses = []string{"office@example.org"}
		c.Email.DeliverImmediately = true
	})
	w.created(t, nil) // no run of the job: the queued messages go out by themselves
	deadline := time.Now().Add(10 * time.Second)
	for len(sink.Messages()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := len(sink.Messages()); got != 2 {
		t.Fatalf("delivered %d of 2 messages without waiting for the job", got)
	}
	for _, m := range w.outbox(t) {
		if m.GetString("status") != "sent" {
			t.Fatalf("outbox row %s is %s", m.Id, m.GetString("status"))
		}
	}
}

func TestRejectionReasonReachesTheLogAndTheEmails(t *testing.T) {
	w := newV1World(t, func(c *config.Config) { c.Email.AdminAddresses = []string{"office@example.org"} })
	id, _ := w.created(t, nil)
	before := len(w.outbox(t))
	rec, _ := w.app.FindRecordById("submissions", id)
	rec.Set("status", "rejected")
	reason := "The service is not publicly reachable yet."
	ctx := savecontext.WithReason(savecontext.WithActor(context.Background(), "admin:office@example.org"), reason)
	if err := w.app.SaveWithContext(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rows := w.changeRows(t, id)
	last := rows[len(rows)-1].GetString("changes")
	if !strings.Contains(last, `"field":"status_reason"`) || !strings.Contains(last, reason) {
		t.Fatalf("the change log lacks the reason: %s", last)
	}
	stored, _ := w.app.FindRecordById("submissions", id)
	if !strings.Contains(stored.GetString("last_change_summary"), reason) {
		t.Fatal("last_change_summary lacks the reason")
	}
	mails := w.outbox(t)[before:]
	if len(mails) != 2 {
		t.Fatalf("want the owner's and the office's status email, got %d", len(mails))
	}
	for _, m := range mails {
		if !strings.Contains(m.GetString("text_body"), reason) || !strings.Contains(m.GetString("html_body"), reason) {
			t.Errorf("email to %s lacks the reason:\n%s", m.GetString("to"), m.GetString("text_body"))
		}
	}

	// a save without a reason, or a reason without a status change, adds none
	rec, _ = w.app.FindRecordById("submissions", id)
	rec.Set("comments", "Office note")
	if err := w.app.SaveWithContext(savecontext.WithReason(context.Background(), "ignored"), rec); err != nil {
		t.Fatal(err)
	}
	rows = w.changeRows(t, id)
	if strings.Contains(rows[len(rows)-1].GetString("changes"), "ignored") {
		t.Fatal("a reason without a status change was logged")
	}
}

func TestPocketBaseEmailsUseTheRegistrySMTP(t *testing.T) {
	sink := testapp.NewSMTPSink(t)
	w := newV1World(t, func(c *config.Config) { c.SMTP.Host, c.SMTP.Port = sink.Host, sink.Port })
	// what PocketBase sends itself (login codes, password resets)
	err := w.app.NewMailClient().Send(&mailer.Message{
		From: mail.Address{Address: "no-reply@denbi.de"}, To: []mail.Address{{Address: "office@example.org"}},
		Subject: "Your login code", Text: "123456",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := sink.Messages()
	if len(got) != 1 || got[0].Subject() != "Your login code" {
		t.Fatalf("the sink received %d messages", len(got))
	}
}
