package testapp

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	altcha "github.com/altcha-org/altcha-lib-go"
)

// SolveCaptcha fetches a challenge from the app's /captcha/ route, solves it
// as the browser widget would, and returns the payload to send in the
// "altcha" field or the X-Altcha header.
func SolveCaptcha(t testing.TB, srv http.Handler) string {
	t.Helper()
	res := Do(t, srv, http.MethodGet, "/captcha/", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET /captcha/: %d %s", res.Status, res.Body)
	}
	var ch altcha.Challenge
	res.JSON(t, &ch)
	sol, err := altcha.SolveChallenge(ch.Challenge, ch.Salt, altcha.Algorithm(ch.Algorithm), int(ch.MaxNumber), 0, nil)
	if err != nil || sol == nil {
		t.Fatalf("solving the challenge: %v", err)
	}
	raw, err := json.Marshal(altcha.Payload{
		Algorithm: ch.Algorithm, Challenge: ch.Challenge, Number: int64(sol.Number), Salt: ch.Salt, Signature: ch.Signature,
	})
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(raw)
}
