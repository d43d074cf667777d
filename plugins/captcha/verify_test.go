package captcha_test

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	altcha "github.com/altcha-org/altcha-lib-go"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/captcha"
)

func TestVerifyAcceptsAFreshSolutionOnce(t *testing.T) {
	app, c, clk := setup(t)
	payload, p := solved(t, c)

	if err := c.Verify(app, payload); err != nil {
		t.Fatalf("fresh solution refused: %v", err)
	}
	err := c.Verify(app, payload)
	if !errors.Is(err, captcha.ErrReplayed) {
		t.Fatalf("replay: got %v, want ErrReplayed", err)
	}
	var refused *captcha.Error
	if !errors.As(err, &refused) || refused.Code() != "captcha_replayed" {
		t.Fatalf("replay must be a *captcha.Error with code captcha_replayed, got %#v", err)
	}

	rows, err := app.FindAllRecords(captcha.SpentCollection)
	if err != nil || len(rows) != 1 {
		t.Fatalf("want exactly one spent row, got %d (%v)", len(rows), err)
	}
	if got := rows[0].GetString("signature"); got != p.Signature {
		t.Errorf("spent signature %q, want %q", got, p.Signature)
	}
	wantExpiry := clk.Now().Add(captcha.DefaultExpires).Unix()
	if got := rows[0].GetDateTime("expires_at").Time().Unix(); got != wantExpiry {
		t.Errorf("spent row expires at %d, want the challenge's expiry %d", got, wantExpiry)
	}
}

func TestConcurrentUsesOfOneSolutionOnlyOneWins(t *testing.T) {
	app, c, _ := setup(t)
	payload, _ := solved(t, c)
	const n = 8
	results := make(chan error, n)
	for range n {
		go func() { results <- c.Verify(app, payload) }()
	}
	accepted, replayed := 0, 0
	for range n {
		switch err := <-results; {
		case err == nil:
			accepted++
		case errors.Is(err, captcha.ErrReplayed):
			replayed++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if accepted != 1 || replayed != n-1 {
		t.Fatalf("accepted %d, replayed %d; want 1 and %d", accepted, replayed, n-1)
	}
}

func TestReplayIsRefusedByANewInstance(t *testing.T) {
	// The spent signatures live in the database, not in the Captcha value:
	// a restarted process (same key, same database) still refuses them.
	app, c, _ := setup(t)
	payload, _ := solved(t, c)
	if err := c.Verify(app, payload); err != nil {
		t.Fatal(err)
	}
	restarted, err := captcha.Register(app, captcha.Config{HMACKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := restarted.Verify(app, payload); !errors.Is(err, captcha.ErrReplayed) {
		t.Fatalf("replay after restart: got %v, want ErrReplayed", err)
	}
}

func TestVerifyRefusesExpiredChallenges(t *testing.T) {
	for _, tc := range []struct {
		name    string
		advance time.Duration
		want    error
	}{
		{"one second before expiry", captcha.DefaultExpires - time.Second, nil},
		{"exactly at expiry", captcha.DefaultExpires, captcha.ErrExpired},
		{"long after expiry", 24 * time.Hour, captcha.ErrExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app, c, clk := setup(t)
			payload, _ := solved(t, c)
			clk.Advance(tc.advance)
			err := c.Verify(app, payload)
			if tc.want == nil && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want != nil && count(t, app, captcha.SpentCollection) != 0 {
				t.Error("a refused solution must not be recorded")
			}
		})
	}
}

func TestShortExpiryFromConfig(t *testing.T) {
	app, c, clk := setup(t, func(cfg *captcha.Config) { cfg.Expires = 2 * time.Second })
	payload, p := solved(t, c)
	if !strings.Contains(p.Salt, "expires="+strconv.FormatInt(clk.Now().Add(2*time.Second).Unix(), 10)+"&") {
		t.Fatalf("salt %q does not carry the configured expiry", p.Salt)
	}
	clk.Advance(3 * time.Second)
	if err := c.Verify(app, payload); !errors.Is(err, captcha.ErrExpired) {
		t.Fatalf("got %v, want ErrExpired", err)
	}
}

func TestVerifyRefusesTamperedSolutions(t *testing.T) {
	app, c, clk := setup(t)
	other, err := captcha.Register(testapp.NewBare(t), captcha.Config{HMACKey: strings.Repeat("x", 40), MaxNumber: 1000, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	flip := func(s string) string {
		last := s[len(s)-1]
		if last == '0' {
			return s[:len(s)-1] + "1"
		}
		return s[:len(s)-1] + "0"
	}
	_, good := solved(t, c)

	for name, p := range map[string]altcha.Payload{
		"number plus one":      with(good, func(p *altcha.Payload) { p.Number++ }),
		"number minus one":     with(good, func(p *altcha.Payload) { p.Number-- }),
		"signature changed":    with(good, func(p *altcha.Payload) { p.Signature = flip(p.Signature) }),
		"signature upper case": with(good, func(p *altcha.Payload) { p.Signature = strings.ToUpper(p.Signature) }),
		"challenge changed":    with(good, func(p *altcha.Payload) { p.Challenge = flip(p.Challenge) }),
		"expiry extended": with(good, func(p *altcha.Payload) {
			salt, _, _ := strings.Cut(p.Salt, "?")
			p.Salt = salt + "?expires=" + strconv.FormatInt(clk.Now().Add(time.Hour).Unix(), 10) + "&"
		}),
		"algorithm SHA-1":    with(good, func(p *altcha.Payload) { p.Algorithm = "SHA-1" }),
		"algorithm SHA-512":  with(good, func(p *altcha.Payload) { p.Algorithm = "SHA-512" }),
		"other key":          solveWith(t, other),
		"no expiry, our key": solveFixed(t, altcha.ChallengeOptions{HMACKey: testKey, MaxNumber: 1000}),
	} {
		t.Run(name, func(t *testing.T) {
			err := c.Verify(app, encode(t, p))
			if !errors.Is(err, captcha.ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
		})
	}
	if n := count(t, app, captcha.SpentCollection); n != 0 {
		t.Fatalf("refused solutions were recorded: %d rows", n)
	}
	// the untouched solution still works: nothing above spent it
	if err := c.Verify(app, encode(t, good)); err != nil {
		t.Fatalf("the genuine solution was refused after the attempts: %v", err)
	}
}

func TestVerifyRefusesMissingAndMalformedPayloads(t *testing.T) {
	app, c, _ := setup(t)
	payload, _ := solved(t, c)
	padded := base64.StdEncoding.EncodeToString([]byte(`{"algorithm":"SHA-256","challenge":"ab","number":1,"salt":"s","signature":"xy"}`))
	if !strings.HasSuffix(padded, "=") {
		t.Fatalf("test payload %q needs padding to test its absence", padded)
	}
	unpadded := strings.TrimRight(padded, "=")
	if !strings.HasPrefix(payload, "eyJ") {
		t.Fatalf("payload %q is not base64 JSON", payload)
	}

	for name, tc := range map[string]struct {
		payload string
		want    error
	}{
		"empty":              {"", captcha.ErrMissing},
		"blank":              {"  \n", captcha.ErrMissing},
		"not base64":         {"not base64!", captcha.ErrMalformed},
		"unpadded base64":    {unpadded, captcha.ErrMalformed},
		"base64 of text":     {base64.StdEncoding.EncodeToString([]byte("hello")), captcha.ErrMalformed},
		"base64 of {}":       {base64.StdEncoding.EncodeToString([]byte("{}")), captcha.ErrMalformed},
		"base64 of null":     {base64.StdEncoding.EncodeToString([]byte("null")), captcha.ErrMalformed},
		"number as a string": {base64.StdEncoding.EncodeToString([]byte(`{"algorithm":"SHA-256","challenge":"ab","number":"1","salt":"s","signature":"x"}`)), captcha.ErrMalformed},
		"raw JSON":           {`{"algorithm":"SHA-256"}`, captcha.ErrMalformed},
		"too long":           {strings.Repeat("A", 8192), captcha.ErrMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			err := c.Verify(app, tc.payload)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if n := count(t, app, captcha.SpentCollection); n != 0 {
		t.Fatalf("refused payloads were recorded: %d rows", n)
	}
}

func TestSurroundingWhitespaceIsTolerated(t *testing.T) {
	// Form fields and headers pasted by hand often carry a newline.
	app, c, _ := setup(t)
	payload, _ := solved(t, c)
	if err := c.Verify(app, " "+payload+"\n"); err != nil {
		t.Fatal(err)
	}
}

func TestPruneDeletesOnlyExpiredSolutions(t *testing.T) {
	app, c, clk := setup(t)
	early, _ := solved(t, c) // expires at t0+10m
	clk.Advance(5 * time.Minute)
	late, lateP := solved(t, c) // expires at t0+15m
	for _, p := range []string{early, late} {
		if err := c.Verify(app, p); err != nil {
			t.Fatal(err)
		}
	}

	if n, err := c.Prune(app); err != nil || n != 0 {
		t.Fatalf("nothing has expired yet, pruned %d (%v)", n, err)
	}
	clk.Advance(6 * time.Minute) // t0+11m
	if n, err := c.Prune(app); err != nil || n != 1 {
		t.Fatalf("want one pruned row, got %d (%v)", n, err)
	}
	rows, _ := app.FindAllRecords(captcha.SpentCollection)
	if len(rows) != 1 || rows[0].GetString("signature") != lateP.Signature {
		t.Fatalf("the unexpired row must stay: %v", rows)
	}
	// the pruned solution is still refused, now as expired
	if err := c.Verify(app, early); !errors.Is(err, captcha.ErrExpired) {
		t.Fatalf("pruned solution: got %v, want ErrExpired", err)
	}

	clk.Advance(time.Hour)
	if n, err := c.Prune(app); err != nil || n != 1 {
		t.Fatalf("want the last row pruned, got %d (%v)", n, err)
	}
}

func TestPruneJobIsHourlyAndPrunes(t *testing.T) {
	app, c, clk := setup(t)
	payload, _ := solved(t, c)
	if err := c.Verify(app, payload); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)

	for _, job := range app.Cron().Jobs() {
		if job.Id() != captcha.PruneJobID {
			continue
		}
		if job.Expression() != "0 * * * *" {
			t.Errorf("%s runs %q, want hourly (0 * * * *)", captcha.PruneJobID, job.Expression())
		}
		job.Run()
		if n := count(t, app, captcha.SpentCollection); n != 0 {
			t.Fatalf("the job left %d expired rows", n)
		}
		return
	}
	t.Fatalf("no cron job %q", captcha.PruneJobID)
}

func TestRandomKeyWhenNoneIsConfigured(t *testing.T) {
	app := testapp.NewBare(t)
	first, err := captcha.Register(app, captcha.Config{MaxNumber: 1000})
	if err != nil {
		t.Fatal(err)
	}
	second, err := captcha.Register(app, captcha.Config{MaxNumber: 1000})
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := solved(t, first)
	if err := second.Check(payload); !errors.Is(err, captcha.ErrInvalid) {
		t.Fatalf("two processes without a key must not share one: got %v", err)
	}
	if err := first.Check(payload); err != nil {
		t.Fatalf("a process must accept its own challenges: %v", err)
	}
	// the random key is not empty: a challenge signed with "" is refused
	if err := first.Check(encode(t, solveFixed(t, altcha.ChallengeOptions{MaxNumber: 1000, Expires: ptr(time.Now().Add(time.Minute))}))); !errors.Is(err, captcha.ErrInvalid) {
		t.Fatalf("a challenge signed with an empty key was accepted: %v", err)
	}
}

func TestRegisterRefusesBadConfig(t *testing.T) {
	for name, cfg := range map[string]captcha.Config{
		"short key":         {HMACKey: "short"},
		"negative max":      {HMACKey: testKey, MaxNumber: -1},
		"negative lifetime": {HMACKey: testKey, Expires: -time.Minute},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := captcha.Register(testapp.NewBare(t), cfg); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestDatabaseFailureIsNotARefusal(t *testing.T) {
	// A database failure while spending is the server's fault, not a
	// refusal: it must not be reported as a wrong CAPTCHA.
	app, c, _ := setup(t)
	payload, _ := solved(t, c)
	if _, err := app.DB().NewQuery("DROP TABLE " + captcha.SpentCollection).Execute(); err != nil {
		t.Fatal(err)
	}
	err := c.Verify(app, payload)
	var refused *captcha.Error
	if err == nil || errors.As(err, &refused) {
		t.Fatalf("want a plain server error, got %#v", err)
	}
}

func with(p altcha.Payload, change func(*altcha.Payload)) altcha.Payload {
	change(&p)
	return p
}

func solveWith(t testing.TB, c *captcha.Captcha) altcha.Payload {
	t.Helper()
	_, p := solved(t, c)
	return p
}

func solveFixed(t testing.TB, options altcha.ChallengeOptions) altcha.Payload {
	t.Helper()
	ch, err := altcha.CreateChallenge(options)
	if err != nil {
		t.Fatal(err)
	}
	return solve(t, ch)
}

func ptr[T any](v T) *T { return &v }
