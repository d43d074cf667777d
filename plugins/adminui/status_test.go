package adminui_test

import (
	"net/http"
	"strings"
	"testing"
)

// statusAnswer is the answer of the status routes.
type statusAnswer struct {
	Action  string `json:"action"`
	Status  string `json:"status"`
	Updated int    `json:"updated"`
	Message string `json:"message"`
	Warning string `json:"warning"`
	Results []struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		Changed     bool   `json:"changed"`
		TagsCleared bool   `json:"tags_cleared"`
		Skipped     string `json:"skipped"`
		Error       string `json:"error"`
	} `json:"results"`
}

// TestBulkDeprecateLogsEachEntryAndQueuesEmails is acceptance 35: a bulk
// action writes one change-log row per changed entry as admin:<email>,
// clears and logs the tags of approved entries, queues the status emails,
// and leaves entries already in the target status alone.
func TestBulkDeprecateLogsEachEntryAndQueuesEmails(t *testing.T) {
	e := newEnv(t)
	tagged, _ := e.submission(t, map[string]any{"service_name": "Tagged Tool", "internal_contact_email": "tagged@example.org"})
	e.setStatus(t, tagged, "approved", "mature", "unstable")
	plain, _ := e.submission(t, map[string]any{"service_name": "Plain Tool", "internal_contact_email": "plain@example.org"})
	gone, _ := e.submission(t, map[string]any{"service_name": "Gone Tool"})
	e.setStatus(t, gone, "deprecated", "")
	logBefore := len(e.changeRows(t, gone.Id))
	mailBefore := len(e.outbox(t, gone.Id))

	res := e.do(t, http.MethodPost, "/api/registry/admin/status",
		map[string]any{"ids": []string{tagged.Id, plain.Id, gone.Id, tagged.Id}, "action": "deprecate"}, e.super)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	var a statusAnswer
	res.JSON(t, &a)
	if a.Updated != 2 || a.Message != "2 submission(s) marked as Deprecated." || len(a.Results) != 3 {
		t.Fatalf("answer: %+v", a)
	}
	if a.Warning != "⚠ Maturity tags automatically cleared on 1 submission(s) that were moved away from Approved status." {
		t.Errorf("warning: %q", a.Warning)
	}
	if r := a.Results[2]; r.Changed || r.Skipped != "already Deprecated" {
		t.Errorf("already deprecated: %+v", r)
	}

	rows := e.changeRows(t, tagged.Id)
	last := rows[len(rows)-1]
	if last.ChangedBy != "admin:"+superEmail {
		t.Errorf("changed_by %q", last.ChangedBy)
	}
	if c, _ := findChange(last.Changes, "status"); c.Old != "Approved" || c.New != "Deprecated" {
		t.Errorf("status change: %+v", last.Changes)
	}
	if c, _ := findChange(last.Changes, "primary_maturity_tag"); c.Old != "Mature" || c.New != "—" {
		t.Errorf("primary tag clearing not logged: %+v", last.Changes)
	}
	if c, _ := findChange(last.Changes, "secondary_maturity_tags"); !strings.Contains(c.Old, "Unstable") {
		t.Errorf("secondary tag clearing not logged: %+v", last.Changes)
	}
	fresh := e.reload(t, tagged)
	if fresh.GetString("status") != "deprecated" || fresh.GetString("primary_maturity_tag") != "" {
		t.Errorf("tagged entry: status %q, tag %q", fresh.GetString("status"), fresh.GetString("primary_maturity_tag"))
	}
	if !strings.Contains(fresh.GetString("last_change_summary"), `"changed_by":"admin:`+superEmail+`"`) {
		t.Errorf("summary: %s", fresh.GetString("last_change_summary"))
	}

	plainRows := e.changeRows(t, plain.Id)
	if len(plainRows) != 1 || plainRows[0].ChangedBy != "admin:"+superEmail {
		t.Fatalf("plain entry: want one row by the admin, got %+v", plainRows)
	}
	if c, _ := findChange(plainRows[0].Changes, "status"); c.Old != "Submitted" || c.New != "Deprecated" {
		t.Errorf("plain status change: %+v", plainRows[0].Changes)
	}

	for _, tc := range []struct {
		id, submitter string
	}{{tagged.Id, "tagged@example.org"}, {plain.Id, "plain@example.org"}} {
		var toSubmitter, toOffice bool
		for _, m := range e.outbox(t, tc.id) {
			if m["event"] != "status_changed" {
				continue
			}
			toSubmitter = toSubmitter || m["to"] == tc.submitter
			toOffice = toOffice || m["to"] != tc.submitter
		}
		if !toSubmitter || !toOffice {
			t.Errorf("%s: status emails queued to submitter %v, office %v: %v", tc.id, toSubmitter, toOffice, e.outbox(t, tc.id))
		}
	}
	if len(e.changeRows(t, gone.Id)) != logBefore || len(e.outbox(t, gone.Id)) != mailBefore {
		t.Error("an entry already deprecated got a change-log row or an email")
	}
}

// TestStatusTransitions covers the other buttons: approve, reject, start
// review and undeprecate, single and bulk, as a reviewer.
func TestStatusTransitions(t *testing.T) {
	e := newEnv(t)
	sub, _ := e.submission(t, nil)

	steps := []struct {
		action, want, oldLabel, newLabel string
	}{
		{"under_review", "under_review", "Submitted", "Under Review"},
		{"reject", "rejected", "Under Review", "Rejected"},
		{"approve", "approved", "Rejected", "Approved"},
		{"deprecate", "deprecated", "Approved", "Deprecated"},
		{"undeprecate", "submitted", "Deprecated", "Submitted"},
	}
	for _, s := range steps {
		res := e.do(t, http.MethodPost, "/api/registry/admin/submissions/"+sub.Id+"/status", map[string]any{"action": s.action}, e.reviewer)
		if res.Status != 200 {
			t.Fatalf("%s: %d %s", s.action, res.Status, res.Body)
		}
		var a statusAnswer
		res.JSON(t, &a)
		if a.Updated != 1 || a.Status != s.want || !a.Results[0].Changed {
			t.Fatalf("%s: %+v", s.action, a)
		}
		rows := e.changeRows(t, sub.Id)
		last := rows[len(rows)-1]
		c, _ := findChange(last.Changes, "status")
		if last.ChangedBy != "admin:"+reviewerEmail || c.Old != s.oldLabel || c.New != s.newLabel {
			t.Errorf("%s: logged %q %+v", s.action, last.ChangedBy, last.Changes)
		}
	}

	// a transition to the current status is skipped silently
	rowsBefore := len(e.changeRows(t, sub.Id))
	res := e.do(t, http.MethodPost, "/api/registry/admin/submissions/"+sub.Id+"/status", map[string]any{"action": "undeprecate"}, e.reviewer)
	var a statusAnswer
	res.JSON(t, &a)
	if a.Updated != 0 || a.Results[0].Skipped != "already Submitted" || len(e.changeRows(t, sub.Id)) != rowsBefore {
		t.Errorf("repeat: %+v", a)
	}

	// undeprecate only brings back deprecated entries
	approved, _ := e.submission(t, map[string]any{"service_name": "Approved Tool"})
	e.setStatus(t, approved, "approved", "mature")
	res = e.do(t, http.MethodPost, "/api/registry/admin/status", map[string]any{"ids": []string{approved.Id}, "action": "undeprecate"}, e.super)
	res.JSON(t, &a)
	if a.Updated != 0 || a.Results[0].Skipped != "not deprecated" || e.reload(t, approved).GetString("status") != "approved" {
		t.Errorf("undeprecate of an approved entry: %+v", a)
	}
}

func TestStatusRequestsAreValidated(t *testing.T) {
	e := newEnv(t)
	sub, _ := e.submission(t, nil)
	for _, tc := range []struct {
		name, path string
		body       any
		want       string
	}{
		{"unknown action", "/api/registry/admin/submissions/" + sub.Id + "/status", map[string]any{"action": "publish"}, "Unknown action"},
		{"reason on approve", "/api/registry/admin/submissions/" + sub.Id + "/status", map[string]any{"action": "approve", "reason": "nice"}, "Only a rejection takes a reason."},
		{"long reason", "/api/registry/admin/submissions/" + sub.Id + "/status", map[string]any{"action": "reject", "reason": strings.Repeat("x", 2001)}, "at most 2000 characters"},
		{"no ids", "/api/registry/admin/status", map[string]any{"action": "approve"}, "Select at least one service."},
		{"not JSON", "/api/registry/admin/status", "{", "not valid JSON"},
	} {
		res := e.do(t, http.MethodPost, tc.path, tc.body, e.super)
		if res.Status != 400 || !strings.Contains(string(res.Body), tc.want) {
			t.Errorf("%s: %d %s", tc.name, res.Status, res.Body)
		}
	}
	if e.reload(t, sub).GetString("status") != "submitted" || len(e.changeRows(t, sub.Id)) != 0 {
		t.Error("a refused request changed the entry")
	}
	res := e.do(t, http.MethodPost, "/api/registry/admin/submissions/no-such-id/status", map[string]any{"action": "approve"}, e.super)
	if res.Status != 404 {
		t.Errorf("unknown id: %d %s", res.Status, res.Body)
	}
	res = e.do(t, http.MethodPost, "/api/registry/admin/status", map[string]any{"ids": []string{"no-such-id", sub.Id}, "action": "approve"}, e.super)
	var a statusAnswer
	res.JSON(t, &a)
	if a.Updated != 1 || a.Results[0].Error == "" || !a.Results[1].Changed {
		t.Errorf("bulk with an unknown id: %+v", a)
	}
}

// TestRejectionReasonIsKept: the reason of a rejection is part of the
// change in the summary and in the change log, next to the status change.
func TestRejectionReasonIsKept(t *testing.T) {
	e := newEnv(t)
	sub, _ := e.submission(t, nil)
	reason := "The service is not part of the network; please contact your centre."
	res := e.do(t, http.MethodPost, "/api/registry/admin/submissions/"+sub.Id+"/status",
		map[string]any{"action": "reject", "reason": "  " + reason + "  "}, e.manager)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	rows := e.changeRows(t, sub.Id)
	if len(rows) != 1 {
		t.Fatalf("rows: %+v", rows)
	}
	got, ok := findChange(rows[0].Changes, "status_reason")
	if !ok || got.Label != "Reason" || got.New != reason || got.Old != "—" {
		t.Errorf("change log: %+v", rows[0].Changes)
	}
	if c, _ := findChange(rows[0].Changes, "status"); c.New != "Rejected" {
		t.Errorf("status: %+v", rows[0].Changes)
	}
	summary := e.reload(t, sub).GetString("last_change_summary")
	if !strings.Contains(summary, `"field":"status_reason"`) || !strings.Contains(summary, reason) {
		t.Errorf("summary: %s", summary)
	}
	var queued bool
	for _, m := range e.outbox(t, sub.Id) {
		queued = queued || (m["event"] == "status_changed" && m["to"] == "grace.internal@example.org")
	}
	if !queued {
		t.Error("no status email for the submitter")
	}

	// a later change without a reason gets none
	res = e.do(t, http.MethodPost, "/api/registry/admin/submissions/"+sub.Id+"/status", map[string]any{"action": "approve"}, e.manager)
	if res.Status != 200 {
		t.Fatal(string(res.Body))
	}
	rows = e.changeRows(t, sub.Id)
	if _, ok := findChange(rows[1].Changes, "status_reason"); ok {
		t.Errorf("reason leaked into the next change: %+v", rows[1].Changes)
	}
}

// tagsAnswer is the answer of the maturity route.
type tagsAnswer struct {
	Status  string `json:"status"`
	Updated int    `json:"updated"`
	Skipped int    `json:"skipped"`
	Message string `json:"message"`
}

// TestMaturityTags is acceptance 38: only approved entries are tagged,
// stale selections are skipped, bad values change nothing.
func TestMaturityTags(t *testing.T) {
	e := newEnv(t)
	approved, _ := e.submission(t, map[string]any{"service_name": "Approved"})
	e.setStatus(t, approved, "approved", "")
	submitted, _ := e.submission(t, map[string]any{"service_name": "Submitted"})

	res := e.do(t, http.MethodPost, "/api/registry/admin/maturity", map[string]any{
		"ids": []string{approved.Id, submitted.Id}, "primary_maturity_tag": "emerging", "secondary_maturity_tags": []string{"unstable"},
	}, e.reviewer)
	if res.Status != 200 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	var a tagsAnswer
	res.JSON(t, &a)
	if a.Status != "success" || a.Updated != 1 || a.Skipped != 1 || a.Message != "Maturity tags assigned to 1 approved submission(s)." {
		t.Errorf("answer: %+v", a)
	}
	fresh := e.reload(t, approved)
	if fresh.GetString("primary_maturity_tag") != "emerging" || !strings.Contains(fresh.GetString("secondary_maturity_tags"), "unstable") {
		t.Errorf("tags not stored: %q %q", fresh.GetString("primary_maturity_tag"), fresh.GetString("secondary_maturity_tags"))
	}
	if e.reload(t, submitted).GetString("primary_maturity_tag") != "" {
		t.Error("a submitted entry was tagged")
	}
	rows := e.changeRows(t, approved.Id)
	last := rows[len(rows)-1]
	if c, _ := findChange(last.Changes, "primary_maturity_tag"); last.ChangedBy != "admin:"+reviewerEmail || c.Old != "—" || c.New != "Emerging" {
		t.Errorf("change log: %+v", last)
	}

	// same tags again: no new change-log row
	before := len(e.changeRows(t, approved.Id))
	res = e.do(t, http.MethodPost, "/api/registry/admin/maturity", map[string]any{
		"ids": []string{approved.Id}, "primary_maturity_tag": "emerging", "secondary_maturity_tags": []string{"unstable"},
	}, e.super)
	if res.Status != 200 || len(e.changeRows(t, approved.Id)) != before {
		t.Errorf("re-sending the same tags: %d %s, rows %d → %d", res.Status, res.Body, before, len(e.changeRows(t, approved.Id)))
	}

	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"only unapproved", map[string]any{"ids": []string{submitted.Id}, "primary_maturity_tag": "mature"}, "No approved submissions selected. Tags can only be assigned to approved services."},
		{"bad primary", map[string]any{"ids": []string{approved.Id}, "primary_maturity_tag": "ancient"}, "Invalid primary tag selection."},
		{"bad secondary", map[string]any{"ids": []string{approved.Id}, "secondary_maturity_tags": []string{"shaky"}}, "Invalid secondary tag: shaky."},
		{"nothing selected", map[string]any{"primary_maturity_tag": "mature"}, "Select at least one service."},
	} {
		res := e.do(t, http.MethodPost, "/api/registry/admin/maturity", tc.body, e.super)
		if res.Status != 400 || !strings.Contains(string(res.Body), tc.want) {
			t.Errorf("%s: %d %s", tc.name, res.Status, res.Body)
		}
	}
	if e.reload(t, approved).GetString("primary_maturity_tag") != "emerging" {
		t.Error("a refused request changed the tags")
	}

	// clearing
	res = e.do(t, http.MethodPost, "/api/registry/admin/maturity", map[string]any{"ids": []string{approved.Id}, "primary_maturity_tag": ""}, e.super)
	if res.Status != 200 {
		t.Fatal(string(res.Body))
	}
	fresh = e.reload(t, approved)
	if fresh.GetString("primary_maturity_tag") != "" || strings.Contains(fresh.GetString("secondary_maturity_tags"), "unstable") {
		t.Errorf("tags not cleared: %q %q", fresh.GetString("primary_maturity_tag"), fresh.GetString("secondary_maturity_tags"))
	}
}
