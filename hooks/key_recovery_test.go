package hooks_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/denbi/service-registry/config"
	"github.com/denbi/service-registry/hooks"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// recoveryWorld is an app with one registered service and its write key.
type recoveryWorld struct {
	*v1World
	submission *core.Record
	key        string
}

func newRecoveryWorld(t *testing.T) *recoveryWorld {
	t.Helper()
	w := newV1World(t, func(c *config.Config) {
		c.Site.URL = "https://registry.example.org"
		c.Email.AdminAddresses = []string{"office@example.org"}
	})
	record, key := testapp.CreateSubmission(t, w.app, w.ref, "write", nil)
	return &recoveryWorld{v1World: w, submission: record, key: key}
}

// request asks for a recovery link with a solved captcha.
func (w *recoveryWorld) request(t *testing.T, service, email string) *testapp.Response {
	t.Helper()
	return testapp.Do(t, w.srv, http.MethodPost, hooks.RecoveryRequestPath,
		map[string]any{"service": service, "email": email, "altcha": testapp.SolveCaptcha(t, w.srv)})
}

// outbox returns the queued emails of an event.
func (w *recoveryWorld) outbox(t *testing.T, event string) []*core.Record {
	t.Helper()
	rows, err := w.app.FindAllRecords("mail_outbox", dbx.HashExp{"event": event})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// waitForLinks waits until n recovery emails are queued. Requests are
// matched one at a time in arrival order, so once the n-th email exists,
// every earlier request has been handled.
func (w *recoveryWorld) waitForLinks(t *testing.T, n int) []*core.Record {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rows := w.outbox(t, "key_recovery")
		if len(rows) >= n || time.Now().After(deadline) {
			return rows
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var recoveryLinkPattern = regexp.MustCompile(`https://registry\.example\.org/update/recover/#\S+`)

// linkParams extracts submission and token from a recovery email.
func linkParams(t *testing.T, row *core.Record) (string, string) {
	t.Helper()
	link := recoveryLinkPattern.FindString(row.GetString("text_body"))
	u, err := url.Parse(link)
	if link == "" || err != nil {
		t.Fatalf("no recovery link in the email:\n%s", row.GetString("text_body"))
	}
	params, err := url.ParseQuery(u.Fragment)
	if err != nil {
		t.Fatal(err)
	}
	return params.Get("submission"), params.Get("token")
}

func (w *recoveryWorld) confirm(t *testing.T, submission, token string) *testapp.Response {
	t.Helper()
	return testapp.Do(t, w.srv, http.MethodPost, hooks.RecoveryConfirmPath, map[string]any{"submission": submission, "token": token})
}

func TestRecoveryRequestAnswersAlikeAndMailsOnlyARightPair(t *testing.T) {
	w := newRecoveryWorld(t)
	name, email := w.submission.GetString("service_name"), w.submission.GetString("internal_contact_email")

	wrongEmail := w.request(t, name, "someone.else@example.org")
	wrongName := w.request(t, "No such service", email)
	publicEmail := w.request(t, name, w.submission.GetString("public_contact_email"))
	right := w.request(t, "  "+strings.ToUpper(name)+" ", strings.ToUpper(email))
	for _, res := range []*testapp.Response{wrongEmail, wrongName, publicEmail, right} {
		if res.Status != http.StatusAccepted || res.Map(t)["message"] != hooks.RecoveryRequestedMessage {
			t.Fatalf("want the neutral 202, got %d %s", res.Status, res.Body)
		}
		if string(res.Body) != string(right.Body) {
			t.Fatalf("answers differ:\n%s\n%s", res.Body, right.Body)
		}
	}

	rows := w.waitForLinks(t, 1)
	if len(rows) != 1 {
		t.Fatalf("want exactly one recovery email (for the right pair), got %d", len(rows))
	}
	var to []string
	_ = rows[0].UnmarshalJSONField("to", &to)
	if len(to) != 1 || to[0] != email || rows[0].GetString("submission") != w.submission.Id {
		t.Fatalf("the link went to %v for %s", to, rows[0].GetString("submission"))
	}
	submission, token := linkParams(t, rows[0])
	if submission != w.submission.Id || token == "" || strings.Contains(rows[0].GetString("text_body"), w.key) {
		t.Fatalf("bad link: submission %q token %q", submission, token)
	}
	// the secret is stored only as a hash
	stored, err := w.app.FindAllRecords("key_recoveries")
	if err != nil || len(stored) != 1 || strings.Contains(stored[0].GetString("token_hash"), strings.SplitN(token, ".", 2)[1]) {
		t.Fatalf("recovery rows: %v %v", stored, err)
	}

	// by submission id works too
	w.request(t, w.submission.Id, email)
	if rows := w.waitForLinks(t, 2); len(rows) != 2 {
		t.Fatalf("a request by submission id sent no link")
	}
}

func TestRecoveryLinkWorksOnceAndReplacesEveryKey(t *testing.T) {
	w := newRecoveryWorld(t)
	_, readKey := issueKey(t, w, "read")
	other, _ := testapp.CreateSubmission(t, w.app, w.ref, "write", map[string]any{"service_name": "Another service"})
	w.request(t, w.submission.GetString("service_name"), w.submission.GetString("internal_contact_email"))
	rows := w.waitForLinks(t, 1)
	if len(rows) != 1 {
		t.Fatal("no recovery email")
	}
	submission, token := linkParams(t, rows[0])

	id, secret, _ := strings.Cut(token, ".")
	flipped := "A"
	if strings.HasSuffix(secret, "A") {
		flipped = "B"
	}
	for name, attempt := range map[string][2]string{
		"tampered secret":   {submission, id + "." + secret[:len(secret)-1] + flipped},
		"truncated token":   {submission, token[:len(token)-10]},
		"other submission":  {other.Id, token},
		"secret of no link": {submission, "nosuchid12345." + secret},
		"no separator":      {submission, id + secret},
		"empty":             {"", ""},
	} {
		res := w.confirm(t, attempt[0], attempt[1])
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "does not work") {
			t.Errorf("%s: want 400, got %d %s", name, res.Status, res.Body)
		}
	}

	res := w.confirm(t, submission, token)
	if res.Status != http.StatusOK {
		t.Fatalf("the right link: %d %s", res.Status, res.Body)
	}
	body := res.Map(t)
	newKey, _ := body["api_key"].(string)
	if len(newKey) != 64 || body["submission_id"] != w.submission.Id || body["revoked_keys"] != float64(2) {
		t.Fatalf("answer: %s", res.Body)
	}
	detail := "/api/v1/submissions/" + w.submission.Id + "/"
	for key, want := range map[string]int{w.key: http.StatusForbidden, readKey: http.StatusForbidden, newKey: http.StatusOK} {
		if got := testapp.Do(t, w.srv, http.MethodGet, detail, nil, "Authorization: ApiKey "+key); got.Status != want {
			t.Errorf("after recovery a key answers %d, want %d: %s", got.Status, want, got.Body)
		}
	}
	patched := testapp.Do(t, w.srv, http.MethodPatch, detail, map[string]any{"comments": "Back in control"}, "Authorization: ApiKey "+newKey)
	if patched.Status != http.StatusOK {
		t.Fatalf("the recovered key cannot write: %d %s", patched.Status, patched.Body)
	}

	changes, err := w.app.FindAllRecords("submission_changes", dbx.HashExp{"submission": w.submission.Id, "changed_by": "submitter (recovery)"})
	if err != nil || len(changes) != 1 {
		t.Fatalf("want one change-log row by the recovery, got %d (%v)", len(changes), err)
	}
	office := w.outbox(t, "admin_key_recovered")
	var to []string
	if len(office) == 1 {
		_ = office[0].UnmarshalJSONField("to", &to)
	}
	if len(to) != 1 || to[0] != "office@example.org" {
		t.Fatalf("the office was not told: %v", to)
	}

	if again := w.confirm(t, submission, token); again.Status != http.StatusBadRequest {
		t.Fatalf("a used link worked again: %d %s", again.Status, again.Body)
	}
}

func TestRecoveryLinkExpires(t *testing.T) {
	w := newRecoveryWorld(t)
	w.request(t, w.submission.GetString("service_name"), w.submission.GetString("internal_contact_email"))
	rows := w.waitForLinks(t, 1)
	if len(rows) != 1 {
		t.Fatal("no recovery email")
	}
	submission, token := linkParams(t, rows[0])
	id, _, _ := strings.Cut(token, ".")
	row, err := w.app.FindRecordById("key_recoveries", id)
	if err != nil {
		t.Fatal(err)
	}
	if until := row.GetDateTime("expires_at").Time(); until.Sub(time.Now()) > hooks.RecoveryLinkTTL || until.Before(time.Now().Add(hooks.RecoveryLinkTTL-time.Minute)) {
		t.Fatalf("the link expires at %s, want in %s", until, hooks.RecoveryLinkTTL)
	}
	row.Set("expires_at", time.Now().Add(-time.Second))
	if err := w.app.Save(row); err != nil {
		t.Fatal(err)
	}
	if res := w.confirm(t, submission, token); res.Status != http.StatusBadRequest {
		t.Fatalf("an expired link worked: %d %s", res.Status, res.Body)
	}
	if got := testapp.Do(t, w.srv, http.MethodGet, "/api/v1/submissions/"+w.submission.Id+"/", nil, "Authorization: ApiKey "+w.key); got.Status != http.StatusOK {
		t.Fatal("a refused link revoked the old key")
	}
}

func TestRecoveryRequestNeedsAFreshCaptchaAndAFullForm(t *testing.T) {
	w := newRecoveryWorld(t)
	name, email := w.submission.GetString("service_name"), w.submission.GetString("internal_contact_email")
	res := testapp.Do(t, w.srv, http.MethodPost, hooks.RecoveryRequestPath, map[string]any{"service": name, "email": email})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "altcha") {
		t.Fatalf("without a captcha: %d %s", res.Status, res.Body)
	}
	solution := testapp.SolveCaptcha(t, w.srv)
	body := map[string]any{"service": name, "email": email, "altcha": solution}
	if res := testapp.Do(t, w.srv, http.MethodPost, hooks.RecoveryRequestPath, body); res.Status != http.StatusAccepted {
		t.Fatalf("first use of a solution: %d %s", res.Status, res.Body)
	}
	if res := testapp.Do(t, w.srv, http.MethodPost, hooks.RecoveryRequestPath, body); res.Status != http.StatusBadRequest {
		t.Fatalf("a replayed captcha was accepted: %d %s", res.Status, res.Body)
	}
	for _, bad := range []map[string]any{{"service": "", "email": email}, {"service": name, "email": "not an address"}} {
		bad["altcha"] = testapp.SolveCaptcha(t, w.srv)
		if res := testapp.Do(t, w.srv, http.MethodPost, hooks.RecoveryRequestPath, bad); res.Status != http.StatusBadRequest {
			t.Errorf("%v: want 400, got %d %s", bad, res.Status, res.Body)
		}
	}
}

func TestRecoveryLinksPerServiceAreCapped(t *testing.T) {
	w := newRecoveryWorld(t)
	name, email := w.submission.GetString("service_name"), w.submission.GetString("internal_contact_email")
	for i := 0; i < 5; i++ {
		w.request(t, name, email)
	}
	// a request for another service, handled after the five
	other, _ := testapp.CreateSubmission(t, w.app, w.ref, "write", map[string]any{"service_name": "Second service"})
	w.request(t, other.GetString("service_name"), other.GetString("internal_contact_email"))
	rows := w.waitForLinks(t, 4)
	time.Sleep(100 * time.Millisecond)
	rows = w.outbox(t, "key_recovery")
	perService := map[string]int{}
	for _, r := range rows {
		perService[r.GetString("submission")]++
	}
	if perService[w.submission.Id] != 3 || perService[other.Id] != 1 {
		t.Fatalf("links per service: %v (want 3 for the flooded one, 1 for the other)", perService)
	}
}

// issueKey adds a key of scope to the world's submission.
func issueKey(t *testing.T, w *recoveryWorld, scope string) (*core.Record, string) {
	t.Helper()
	rec, key, err := apikeysIssue(w.app, w.submission.Id, scope)
	if err != nil {
		t.Fatal(err)
	}
	return rec, key
}
