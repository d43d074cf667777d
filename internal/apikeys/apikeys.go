// Package apikeys issues, hashes and verifies the registry's API keys.
//
// There are two kinds: submission keys ("Authorization: ApiKey <key>"), each
// bound to one submission with scope read or write, and admin keys
// ("Authorization: AdminKey <key>") for machines, with scope read or full.
// A key is 48 random bytes in URL-safe base64 (64 characters), shown once and
// stored only as its SHA-256 hex digest: the same scheme as the Django
// registry, so imported keys keep working.
package apikeys

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Collection names of the two key kinds.
const (
	SubmissionKeys = "submission_keys"
	AdminKeys      = "admin_keys"
)

// Scopes.
const (
	ScopeRead  = "read"
	ScopeWrite = "write" // submission keys: read + update
	ScopeFull  = "full"  // admin keys: everything
)

// Length is the number of characters of a plaintext key.
const Length = 64

// lastUsedResolution is how stale last_used_at may get before a request
// writes it again: one write per key and minute instead of one per request.
const lastUsedResolution = time.Minute

// ErrInvalid is returned for unknown, revoked and malformed keys alike, so
// callers cannot tell them apart.
var ErrInvalid = errors.New("invalid or revoked key")

// Generate returns a new random plaintext key.
func Generate() string {
	buf := make([]byte, 48)
	if _, err := rand.Read(buf); err != nil {
		panic(fmt.Errorf("apikeys: no randomness available: %w", err)) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(buf)
}

// Hash returns the stored form of a plaintext key: its SHA-256 as hex.
func Hash(plaintext string) string {
	sum := sha256.Sum256([]byte(plaintext))
	return hex.EncodeToString(sum[:])
}

// dummyHash is compared against when no key matches, so a miss costs the
// same comparison as a hit.
var dummyHash = Hash("denbi-registry-no-such-key")

// Authenticate finds the active key of the given collection whose hash
// matches plaintext. Unknown, revoked and malformed keys all return
// ErrInvalid. A successful lookup refreshes last_used_at (at most once a
// minute, without firing record hooks).
func Authenticate(app core.App, collection, plaintext string) (*core.Record, error) {
	if len(plaintext) < 20 || len(plaintext) > 200 {
		subtle.ConstantTimeCompare([]byte(dummyHash), []byte(dummyHash))
		return nil, ErrInvalid
	}
	candidate := Hash(plaintext)

	record, err := app.FindFirstRecordByData(collection, "key_hash", candidate)
	if err != nil {
		subtle.ConstantTimeCompare([]byte(candidate), []byte(dummyHash))
		return nil, ErrInvalid
	}
	if subtle.ConstantTimeCompare([]byte(candidate), []byte(record.GetString("key_hash"))) != 1 || !record.GetBool("active") {
		return nil, ErrInvalid
	}

	touch(app, record)
	return record, nil
}

// touch records that a key was used.
func touch(app core.App, record *core.Record) {
	now := time.Now().UTC()
	if last := record.GetDateTime("last_used_at"); !last.IsZero() && now.Sub(last.Time()) < lastUsedResolution {
		return
	}
	stamp := types.NowDateTime()
	_, err := app.DB().Update(record.Collection().Name,
		dbx.Params{"last_used_at": stamp.String()},
		dbx.HashExp{"id": record.Id},
	).Execute()
	if err != nil {
		app.Logger().Warn("could not record key use", "collection", record.Collection().Name, "keyId", record.Id, "error", err)
		return
	}
	record.SetRaw("last_used_at", stamp)
}

// NewSubmissionKey prepares (without saving) a submission key record and
// returns it with its plaintext.
func NewSubmissionKey(app core.App, submissionID, label, scope, createdBy string) (*core.Record, string, error) {
	if scope != ScopeRead && scope != ScopeWrite {
		return nil, "", fmt.Errorf("scope must be %q or %q, got %q", ScopeRead, ScopeWrite, scope)
	}
	collection, err := app.FindCachedCollectionByNameOrId(SubmissionKeys)
	if err != nil {
		return nil, "", err
	}
	plaintext := Generate()
	record := core.NewRecord(collection)
	record.Set("submission", submissionID)
	record.Set("key_hash", Hash(plaintext))
	record.Set("label", label)
	record.Set("scope", scope)
	record.Set("active", true)
	record.Set("created_by", createdBy)
	DisablePassword(record)
	return record, plaintext, nil
}

// IssueSubmissionKey creates and saves a new key for a submission.
func IssueSubmissionKey(app core.App, submissionID, label, scope, createdBy string) (*core.Record, string, error) {
	if _, err := app.FindRecordById("submissions", submissionID); err != nil {
		return nil, "", fmt.Errorf("no submission with id %q", submissionID)
	}
	record, plaintext, err := NewSubmissionKey(app, submissionID, label, scope, createdBy)
	if err != nil {
		return nil, "", err
	}
	if err := app.Save(record); err != nil {
		return nil, "", err
	}
	return record, plaintext, nil
}

// IssueAdminKey creates and saves a new admin key.
func IssueAdminKey(app core.App, label, scope, createdBy string) (*core.Record, string, error) {
	if scope != ScopeRead && scope != ScopeFull {
		return nil, "", fmt.Errorf("scope must be %q or %q, got %q", ScopeRead, ScopeFull, scope)
	}
	if label == "" {
		return nil, "", errors.New("a label is required, so people can tell keys apart")
	}
	collection, err := app.FindCachedCollectionByNameOrId(AdminKeys)
	if err != nil {
		return nil, "", err
	}
	plaintext := Generate()
	record := core.NewRecord(collection)
	record.Set("label", label)
	record.Set("key_hash", Hash(plaintext))
	record.Set("scope", scope)
	record.Set("active", true)
	record.Set("created_by", createdBy)
	DisablePassword(record)
	if err := app.Save(record); err != nil {
		return nil, "", err
	}
	return record, plaintext, nil
}

// DisablePassword gives a new key record (an auth record, which PocketBase
// requires to have a password) a password hash no password can match, and a
// fresh token key. Nobody logs in to a key with a password, and a real
// bcrypt hash would cost about a millisecond inside the write transaction
// of every registration.
func DisablePassword(record *core.Record) {
	record.SetRaw(core.FieldNamePassword, &core.PasswordFieldValue{Hash: "disabled:" + Generate()})
	record.RefreshTokenKey()
}

// IsKey reports whether an auth record is a key of the given collection.
func IsKey(auth *core.Record, collection string) bool {
	return auth != nil && auth.Collection().Name == collection
}
