package djangoimport

import (
	"fmt"
	"strings"
	"time"

	"github.com/denbi/service-registry/internal/apikeys"
	"github.com/pocketbase/pocketbase/core"
)

// keyRules are what submission and admin keys share on import: the hash
// is kept as it is (both registries store the unsalted SHA-256 hex of the
// key, so the holders' keys keep working), a new key gets a random
// password (key records are auth records, nobody logs in with it), a key
// revoked here is never re-activated by an import, and last_used_at keeps
// the later of both times.
func (im *importer) keyRules(model, pk string, dumpActive bool, lastUsed time.Time, hasLastUsed bool) func(rec *core.Record) {
	return func(rec *core.Record) {
		if rec.IsNew() {
			apikeys.DisablePassword(rec)
			return
		}
		orig := rec.Original()
		if dumpActive && !orig.GetBool("active") {
			rec.Set("active", false)
			im.warn(model, pk, "the key is revoked in this registry but active in the dump; it stays revoked")
		}
		if seen := orig.GetDateTime("last_used_at"); !seen.IsZero() && (!hasLastUsed || seen.Time().After(lastUsed)) {
			rec.Set("last_used_at", seen)
		}
	}
}

// submissionKeys imports submissions.submissionapikey under its UUID.
func (im *importer) submissionKeys() error {
	return im.rows(modelKey, func(pk string, f *fields) error {
		id, ok := uuidID(pk)
		if !ok {
			im.skip(modelKey, pk, "the primary key is not a UUID")
			return nil
		}
		active := f.boolean("is_active", true)
		lastUsed, hasLastUsed := f.timestamp("last_used_at")
		created, _ := f.timestamp("created_at")
		set := map[string]any{
			"submission":   im.resolveOne(f, "submission", modelSubmission, f.key("submission")),
			"key_hash":     strings.ToLower(strings.TrimSpace(f.str("key_hash"))),
			"label":        f.strOr("label", "Initial key"),
			"scope":        f.strOr("scope", "write"),
			"active":       active,
			"created_by":   f.strOr("created_by", "submitter"),
			"last_used_at": optionalTime(lastUsed, hasLastUsed),
		}
		if set["submission"] == "" && f.problem() == "" {
			f.fail("submission", "missing")
		}
		if p := f.problem(); p != "" {
			im.skip(modelKey, pk, p)
			return nil
		}
		im.apply(&target{
			model: modelKey, pk: pk, collection: "submission_keys", id: id, set: set,
			created: created, updatedOnCreate: true,
			prepare: im.keyRules(modelKey, pk, active, lastUsed, hasLastUsed),
		})
		return nil
	})
}

// adminKeys imports api.adminapikey under its UUID. created_by was a link
// to a Django user: it becomes the user name when the dump has the
// auth.user rows, else "django user <id>".
func (im *importer) adminKeys() error {
	return im.rows(modelAdminKey, func(pk string, f *fields) error {
		id, ok := uuidID(pk)
		if !ok {
			im.skip(modelAdminKey, pk, "the primary key is not a UUID")
			return nil
		}
		active := f.boolean("is_active", true)
		lastUsed, hasLastUsed := f.timestamp("last_used_at")
		created, _ := f.timestamp("created_at")
		createdBy := ""
		if user := f.key("created_by"); user != "" {
			createdBy = im.users[user]
			if createdBy == "" {
				createdBy = fmt.Sprintf("django user %s", user)
			}
		}
		set := map[string]any{
			"label":        f.str("label"),
			"key_hash":     strings.ToLower(strings.TrimSpace(f.str("key_hash"))),
			"scope":        f.strOr("scope", "full"),
			"active":       active,
			"created_by":   createdBy,
			"last_used_at": optionalTime(lastUsed, hasLastUsed),
		}
		if p := f.problem(); p != "" {
			im.skip(modelAdminKey, pk, p)
			return nil
		}
		im.apply(&target{
			model: modelAdminKey, pk: pk, collection: "admin_keys", id: id, set: set,
			created: created, updatedOnCreate: true,
			prepare: im.keyRules(modelAdminKey, pk, active, lastUsed, hasLastUsed),
		})
		return nil
	})
}
