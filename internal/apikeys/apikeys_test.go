package apikeys_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/denbi/service-registry/internal/testapp"
)

func TestGenerateAndHash(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9_-]{64}$`)
	a, b := apikeys.Generate(), apikeys.Generate()
	if !pattern.MatchString(a) || a == b {
		t.Fatalf("keys must be 64 URL-safe characters and differ: %q %q", a, b)
	}
	sum := sha256.Sum256([]byte(a))
	if apikeys.Hash(a) != hex.EncodeToString(sum[:]) {
		t.Fatal("the stored hash must be the plain SHA-256 hex of the key (Django compatible)")
	}
}

func TestAuthenticate(t *testing.T) {
	app := testapp.NewBare(t)
	record, key, err := apikeys.IssueAdminKey(app, "ops", apikeys.ScopeFull, "test")
	if err != nil {
		t.Fatal(err)
	}
	if record.GetString("key_hash") == key || strings.Contains(record.GetString("key_hash"), key) {
		t.Fatal("the plaintext must not be stored")
	}

	got, err := apikeys.Authenticate(app, apikeys.AdminKeys, key)
	if err != nil || got.Id != record.Id {
		t.Fatalf("valid key rejected: %v", err)
	}
	if got.GetDateTime("last_used_at").IsZero() {
		t.Fatal("last_used_at not set")
	}

	for name, candidate := range map[string]string{
		"uppercased":      strings.ToUpper(key),
		"truncated":       key[:63],
		"empty":           "",
		"other kind":      key, // checked against submission keys below
		"oversized input": strings.Repeat("a", 10_000),
	} {
		collection := apikeys.AdminKeys
		if name == "other kind" {
			collection = apikeys.SubmissionKeys
		}
		if _, err := apikeys.Authenticate(app, collection, candidate); !errors.Is(err, apikeys.ErrInvalid) {
			t.Errorf("%s: want ErrInvalid, got %v", name, err)
		}
	}

	record.Set("active", false)
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}
	if _, err := apikeys.Authenticate(app, apikeys.AdminKeys, key); !errors.Is(err, apikeys.ErrInvalid) {
		t.Fatalf("revoked key accepted: %v", err)
	}
	if n, _ := app.CountRecords(apikeys.AdminKeys); n != 1 {
		t.Fatal("revoked keys stay for the audit trail")
	}
}

func TestIssueValidatesScope(t *testing.T) {
	app := testapp.NewBare(t)
	if _, _, err := apikeys.IssueAdminKey(app, "x", apikeys.ScopeWrite, "t"); err == nil {
		t.Fatal("write is not an admin scope")
	}
	if _, _, err := apikeys.NewSubmissionKey(app, "x", "l", apikeys.ScopeFull, "t"); err == nil {
		t.Fatal("full is not a submission scope")
	}
}

func TestKeysHaveNoUsablePassword(t *testing.T) {
	app := testapp.NewBare(t)
	admin, key, err := apikeys.IssueAdminKey(app, "ops", apikeys.ScopeFull, "test")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := app.FindRecordById(apikeys.AdminKeys, admin.Id)
	if err != nil {
		t.Fatal(err)
	}
	hash := stored.GetString("password:hash")
	if !strings.HasPrefix(hash, "disabled:") || strings.Contains(hash, key) || stored.TokenKey() == "" {
		t.Fatalf("password hash %q, token key %q", hash, stored.TokenKey())
	}
	for _, guess := range []string{"", key, hash, strings.TrimPrefix(hash, "disabled:")} {
		if stored.ValidatePassword(guess) {
			t.Fatalf("the password %q opened a key record", guess)
		}
	}
	// every key gets its own token key, so tokens of one never open another
	other, _, err := apikeys.IssueAdminKey(app, "ops 2", apikeys.ScopeFull, "test")
	if err != nil {
		t.Fatal(err)
	}
	if other.TokenKey() == stored.TokenKey() {
		t.Fatal("two keys share a token key")
	}
}
