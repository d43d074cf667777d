package captcha_test

import (
	"testing"

	altcha "github.com/altcha-org/altcha-lib-go"
	"github.com/denbi/service-registry/internal/testapp"
	"github.com/denbi/service-registry/plugins/captcha"
)

// Run with: go test ./plugins/captcha -run '^$' -bench . -benchmem
// ns/op divided by 1000 is the cost per request in µs.

// BenchmarkChallenge is the server's cost of one GET /captcha/ (without HTTP).
func BenchmarkChallenge(b *testing.B) {
	c, err := captcha.Register(testapp.NewBare(b), captcha.Config{HMACKey: testKey})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.NewChallenge(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is the server's cost of checking one solution: "check"
// is the cryptography alone, "spend" adds recording the signature in
// captcha_spent (one SQLite insert), which is what a create pays.
// The cost does not depend on the difficulty (one hash, one HMAC).
func BenchmarkVerify(b *testing.B) {
	b.Run("check", func(b *testing.B) {
		c, err := captcha.Register(testapp.NewBare(b), captcha.Config{HMACKey: testKey, MaxNumber: 1000})
		if err != nil {
			b.Fatal(err)
		}
		payload, _ := solved(b, c)
		for b.Loop() {
			if err := c.Check(payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("spend", func(b *testing.B) {
		app := testapp.NewBare(b)
		c, err := captcha.Register(app, captcha.Config{HMACKey: testKey, MaxNumber: 10})
		if err != nil {
			b.Fatal(err)
		}
		// every iteration needs an unspent solution; solving them is not
		// what is measured
		payloads := make([]string, 0, 1024)
		next := func() string {
			if len(payloads) == 0 {
				b.StopTimer()
				for range cap(payloads) {
					p, _ := solved(b, c)
					payloads = append(payloads, p)
				}
				b.StartTimer()
			}
			p := payloads[len(payloads)-1]
			payloads = payloads[:len(payloads)-1]
			return p
		}
		for b.Loop() {
			if err := c.Verify(app, next()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSolve is what an API client pays with the library's solver at
// the default difficulty: "random" is the average case, "worst" the full
// search (secret number = maxNumber). Browsers split the search over
// several Web Workers.
func BenchmarkSolve(b *testing.B) {
	b.Run("random", func(b *testing.B) {
		for b.Loop() {
			ch, err := altcha.CreateChallenge(altcha.ChallengeOptions{HMACKey: testKey, MaxNumber: captcha.DefaultMaxNumber})
			if err != nil {
				b.Fatal(err)
			}
			if sol, err := altcha.SolveChallenge(ch.Challenge, ch.Salt, altcha.SHA256, int(ch.MaxNumber), 0, nil); err != nil || sol == nil {
				b.Fatalf("unsolved: %v", err)
			}
		}
	})
	b.Run("worst", func(b *testing.B) {
		worst := captcha.DefaultMaxNumber
		ch, err := altcha.CreateChallenge(altcha.ChallengeOptions{HMACKey: testKey, MaxNumber: worst, Number: &worst})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if sol, err := altcha.SolveChallenge(ch.Challenge, ch.Salt, altcha.SHA256, int(ch.MaxNumber), 0, nil); err != nil || sol == nil {
				b.Fatalf("unsolved: %v", err)
			}
		}
	})
}
