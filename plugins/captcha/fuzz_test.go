package captcha

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"

	altcha "github.com/altcha-org/altcha-lib-go"
)

// FuzzCheck feeds arbitrary payloads to the verification. It must never
// panic, must refuse with an *Error carrying one of the known reasons, and
// may accept only the one genuine solution it was seeded with: whatever
// the encoding, an accepted payload has that solution's signature, so the
// replay check (keyed on the signature) cannot be sidestepped.
func FuzzCheck(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	c, err := newCaptcha(Config{HMACKey: "fuzz-hmac-key-0123456789abcdefghijklmnop", MaxNumber: 50, Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	// A fixed salt and number: every fuzz worker process must build the
	// same genuine solution, or one worker's seed would be another's
	// "never issued" signature.
	number, expires := int64(37), now.Add(DefaultExpires)
	ch, err := altcha.CreateChallenge(altcha.ChallengeOptions{
		HMACKey: c.cfg.HMACKey, MaxNumber: 50, Salt: "0123456789abcdef01234567", Number: &number, Expires: &expires,
	})
	if err != nil {
		f.Fatal(err)
	}
	sol, err := altcha.SolveChallenge(ch.Challenge, ch.Salt, altcha.SHA256, int(ch.MaxNumber), 0, nil)
	if err != nil || sol == nil {
		f.Fatalf("solving: %v", err)
	}
	genuine := altcha.Payload{Algorithm: ch.Algorithm, Challenge: ch.Challenge, Number: int64(sol.Number), Salt: ch.Salt, Signature: ch.Signature}
	raw, _ := json.Marshal(genuine)

	f.Add(base64.StdEncoding.EncodeToString(raw))
	f.Add(string(raw))
	f.Add("")
	f.Add("eyJ9")
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"algorithm":"SHA-256","challenge":"` + ch.Challenge + `","number":1e2,"salt":"` + ch.Salt + `","signature":"` + ch.Signature + `"}`)))
	f.Add(base64.StdEncoding.EncodeToString([]byte(`{"algorithm":"SHA-256","challenge":"` + ch.Challenge + `","number":` + "-0" + `,"salt":"x?expires=99999999999&","signature":"` + ch.Signature + `"}`)))

	f.Fuzz(func(t *testing.T, payload string) {
		s, err := c.check(payload)
		if err != nil {
			var refused *Error
			if !errors.As(err, &refused) {
				t.Fatalf("refusal is not an *Error: %#v", err)
			}
			switch refused.Reason {
			case ErrMissing, ErrMalformed, ErrInvalid, ErrExpired, ErrReplayed:
			default:
				t.Fatalf("unknown reason %v", refused.Reason)
			}
			if refused.Message() == "" || refused.Code() == "" {
				t.Fatal("a refusal needs a code and a message")
			}
			return
		}
		if s.signature != genuine.Signature {
			t.Fatalf("accepted a solution with signature %q that was never issued", s.signature)
		}
		if !s.expiresAt.Equal(now.Add(DefaultExpires)) {
			t.Fatalf("accepted with expiry %s, issued %s", s.expiresAt, now.Add(DefaultExpires))
		}
	})
}
