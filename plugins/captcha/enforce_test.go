package captcha_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	altcha "github.com/altcha-org/altcha-lib-go"
	"github.com/denbi/service-registry/internal/apptest"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/captcha"
)

const createURL = "/api/collections/submissions/records"

// TestAnonymousRegistrationEndToEnd is what a browser does: fetch a
// challenge from /captcha/ at the default difficulty, solve it, create a
// submission anonymously through the collection API, and fail to reuse it.
func TestAnonymousRegistrationEndToEnd(t *testing.T) {
	app, _, _ := setup(t, func(cfg *captcha.Config) { cfg.MaxNumber = 0; cfg.Now = nil })
	ref := testapp.Seed(t, app)
	srv := testapp.Server(t, app)

	var ch altcha.Challenge
	testapp.Do(t, srv, http.MethodGet, "/captcha/", nil).JSON(t, &ch)
	if ch.MaxNumber != captcha.DefaultMaxNumber {
		t.Fatalf("maxNumber %d, want the default %d", ch.MaxNumber, captcha.DefaultMaxNumber)
	}
	started := time.Now()
	p := solve(t, ch)
	t.Logf("solved %d in %s with the library's solver", p.Number, time.Since(started))
	payload := encode(t, p)

	body := testapp.SubmissionData(ref, map[string]any{captcha.BodyField: payload})
	res := testapp.Do(t, srv, http.MethodPost, createURL, body)
	if res.Status != http.StatusOK {
		t.Fatalf("anonymous create with a solved captcha: status %d: %s", res.Status, res.Body)
	}
	created := res.Map(t)
	if _, echoed := created[captcha.BodyField]; echoed {
		t.Error("the captcha payload must not be stored or echoed")
	}
	record, err := app.FindRecordById("submissions", fmt.Sprint(created["id"]))
	if err != nil {
		t.Fatalf("the created submission is not in the database: %v", err)
	}
	if record.GetString("service_name") != "Proteome Explorer" {
		t.Errorf("stored service_name %q", record.GetString("service_name"))
	}
	key, _ := created["api_key"].(string)
	if len(key) != 64 {
		t.Fatalf("the create response must carry the new API key once: %q", key)
	}
	own := testapp.Do(t, srv, http.MethodGet, "/api/collections/submissions/records/"+record.Id, nil, "Authorization: ApiKey "+key)
	if own.Status != http.StatusOK {
		t.Fatalf("the returned key must read the new submission: %d %s", own.Status, own.Body)
	}
	if n := count(t, app, captcha.SpentCollection); n != 1 {
		t.Errorf("want the solution recorded as spent, %d rows", n)
	}

	replay := testapp.Do(t, srv, http.MethodPost, createURL,
		testapp.SubmissionData(ref, map[string]any{captcha.BodyField: payload, "service_name": "Second try"}))
	assertRefused(t, replay, "captcha_replayed")
	if n := count(t, app, "submissions"); n != 1 {
		t.Fatalf("the replay created a record: %d submissions", n)
	}
}

func TestAnonymousCreateWithTheHeader(t *testing.T) {
	app, c, _ := setup(t)
	ref := testapp.Seed(t, app)
	srv := testapp.Server(t, app)
	payload, _ := solved(t, c)

	res := testapp.Do(t, srv, http.MethodPost, createURL, testapp.SubmissionData(ref, nil), captcha.Header+": "+payload)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	if n := count(t, app, "submissions"); n != 1 {
		t.Fatalf("%d submissions", n)
	}
}

func TestAnonymousCreateWithAMultipartForm(t *testing.T) {
	// A browser form with a logo posts multipart; the widget's hidden
	// input "altcha" is one of its fields.
	app, c, _ := setup(t)
	ref := testapp.Seed(t, app)
	srv := testapp.Server(t, app)
	payload, _ := solved(t, c)

	var buf bytes.Buffer
	form := multipart.NewWriter(&buf)
	for name, value := range testapp.SubmissionData(ref, map[string]any{captcha.BodyField: payload}) {
		values, isList := value.([]string)
		if !isList {
			values = []string{fmt.Sprint(value)}
		}
		for _, v := range values {
			if err := form.WriteField(name, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := form.Close(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, createURL, &buf)
	req.Header.Set("Content-Type", form.FormDataContentType())
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if n := count(t, app, captcha.SpentCollection); n != 1 {
		t.Fatalf("%d spent rows", n)
	}
}

func TestAnonymousCreateRefusals(t *testing.T) {
	for _, tc := range []struct {
		name    string
		payload func(t *testing.T, c *captcha.Captcha, clk *clock) any
		code    string
	}{
		{"no payload", func(*testing.T, *captcha.Captcha, *clock) any { return nil }, "captcha_missing"},
		{"empty payload", func(*testing.T, *captcha.Captcha, *clock) any { return "" }, "captcha_missing"},
		{"not a string", func(*testing.T, *captcha.Captcha, *clock) any { return 12345 }, "captcha_malformed"},
		{"not base64", func(*testing.T, *captcha.Captcha, *clock) any { return "%%%" }, "captcha_malformed"},
		{"wrong number", func(t *testing.T, c *captcha.Captcha, _ *clock) any {
			_, p := solved(t, c)
			p.Number++
			return encode(t, p)
		}, "captcha_invalid"},
		{"expired", func(t *testing.T, c *captcha.Captcha, clk *clock) any {
			payload, _ := solved(t, c)
			clk.Advance(captcha.DefaultExpires + time.Second)
			return payload
		}, "captcha_expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, c, clk := setup(t)
			ref := testapp.Seed(t, app)
			srv := testapp.Server(t, app)
			body := testapp.SubmissionData(ref, nil)
			if p := tc.payload(t, c, clk); p != nil {
				body[captcha.BodyField] = p
			}
			assertRefused(t, testapp.Do(t, srv, http.MethodPost, createURL, body), tc.code)
			if n := count(t, app, "submissions"); n != 0 {
				t.Fatalf("a refused request created %d submissions", n)
			}
			if n := count(t, app, captcha.SpentCollection); n != 0 {
				t.Fatalf("a refused request recorded %d spent rows", n)
			}
		})
	}
}

func TestFailedCreateLeavesTheSolutionUnspent(t *testing.T) {
	// The solution is spent in the create's transaction: a form that fails
	// validation can be fixed and sent again with the same solution.
	app, c, _ := setup(t)
	ref := testapp.Seed(t, app)
	srv := testapp.Server(t, app)
	payload, _ := solved(t, c)

	invalid := testapp.SubmissionData(ref, map[string]any{captcha.BodyField: payload, "service_name": ""})
	res := testapp.Do(t, srv, http.MethodPost, createURL, invalid)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	data, _ := res.Map(t)["data"].(map[string]any)
	if _, ok := data["service_name"]; !ok || data[captcha.BodyField] != nil {
		t.Fatalf("want a service_name error and no captcha error: %s", res.Body)
	}
	if n := count(t, app, captcha.SpentCollection); n != 0 {
		t.Fatalf("a failed create spent the solution (%d rows)", n)
	}

	valid := testapp.SubmissionData(ref, map[string]any{captcha.BodyField: payload})
	if res := testapp.Do(t, srv, http.MethodPost, createURL, valid); res.Status != http.StatusOK {
		t.Fatalf("the fixed form was refused: %d %s", res.Status, res.Body)
	}
	if n := count(t, app, captcha.SpentCollection); n != 1 {
		t.Fatalf("%d spent rows after the successful create", n)
	}
}

func TestKnownCallersNeedNoCaptcha(t *testing.T) {
	app, _, _ := setup(t)
	ref := testapp.Seed(t, app)
	srv := testapp.Server(t, app)

	superuser := testapp.Superuser(t, app, "office@example.org")
	if res := testapp.Do(t, srv, http.MethodPost, createURL, testapp.SubmissionData(ref, nil), "Authorization: "+superuser); res.Status != http.StatusOK {
		t.Fatalf("superuser: status %d: %s", res.Status, res.Body)
	}
	fullKey := testapp.AdminKey(t, app, "full")
	if res := testapp.Do(t, srv, http.MethodPost, createURL, testapp.SubmissionData(ref, nil), "Authorization: AdminKey "+fullKey); res.Status != http.StatusOK {
		t.Fatalf("full admin key: status %d: %s", res.Status, res.Body)
	}
	if n := count(t, app, captcha.SpentCollection); n != 0 {
		t.Fatalf("known callers spent %d solutions", n)
	}
}

func TestKeysWithoutCreateRightStayRefused(t *testing.T) {
	// Skipping the captcha does not let keys create: the create rule does
	// not admit read admin keys or submission keys, captcha or not.
	app, c, _ := setup(t)
	ref := testapp.Seed(t, app)
	srv := testapp.Server(t, app)
	_, ownerKey := testapp.CreateSubmission(t, app, ref, "write", nil)
	readKey := testapp.AdminKey(t, app, "read")

	for name, auth := range map[string]string{
		"submission key":      "Authorization: ApiKey " + ownerKey,
		"read-only admin key": "Authorization: AdminKey " + readKey,
	} {
		t.Run(name, func(t *testing.T) {
			payload, _ := solved(t, c)
			before := count(t, app, "submissions")
			res := testapp.Do(t, srv, http.MethodPost, createURL, testapp.SubmissionData(ref, map[string]any{captcha.BodyField: payload}), auth)
			if res.Status == http.StatusOK {
				t.Fatalf("created: %s", res.Body)
			}
			if strings.Contains(string(res.Body), "CAPTCHA") {
				t.Errorf("refused for the captcha instead of the rule: %s", res.Body)
			}
			if count(t, app, "submissions") != before {
				t.Error("a submission was created")
			}
		})
	}
}

func TestOtherCollectionsAreNotGuarded(t *testing.T) {
	// Superuser-only collections keep working for scripts (no captcha).
	app, _, _ := setup(t)
	srv := testapp.Server(t, app)
	superuser := testapp.Superuser(t, app, "office@example.org")
	res := testapp.Do(t, srv, http.MethodPost, "/api/collections/categories/records",
		map[string]any{"name": "Tools", "active": true}, "Authorization: "+superuser)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
}

func TestWithoutCollectionsNothingIsEnforced(t *testing.T) {
	// Register without Collections serves challenges but guards nothing;
	// the anonymous create then succeeds on the rule alone.
	app := apptest.NewCore(t)
	if _, err := captcha.Register(app, captcha.Config{HMACKey: testKey}); err != nil {
		t.Fatal(err)
	}
	ref := testapp.Seed(t, app)
	srv := testapp.Server(t, app)
	if res := testapp.Do(t, srv, http.MethodPost, createURL, testapp.SubmissionData(ref, nil)); res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	if _, err := app.FindFirstRecordByFilter("submissions", "service_name != ''"); err != nil {
		t.Fatal(err)
	}
}

// assertRefused checks a captcha refusal: 400, the message, and the reason
// code under data.altcha.
func assertRefused(t *testing.T, res *testapp.Response, code string) {
	t.Helper()
	if res.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", res.Status, res.Body)
	}
	var body struct {
		Message string `json:"message"`
		Data    map[string]struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"data"`
	}
	if err := json.Unmarshal(res.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Message != captcha.FailedMessage {
		t.Errorf("message %q, want %q", body.Message, captcha.FailedMessage)
	}
	field := body.Data[captcha.BodyField]
	if field.Code != code || !strings.Contains(field.Message, "CAPTCHA") {
		t.Errorf("data.altcha = %+v, want code %s and a message about the CAPTCHA", field, code)
	}
}
