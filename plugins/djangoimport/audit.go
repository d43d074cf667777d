package djangoimport

import (
	"strings"
)

// auditIDPrefix starts the ids of imported change-log and deletion-audit
// records: "dj" and the Django primary key padded to 13 digits
// (dj0000000000042), so a second import finds the rows of the first. The
// registry's own rows have random ids that never look like this.
const auditIDPrefix = "dj"

// auditID derives the record id of an imported audit row.
func auditID(pk string) (string, bool) {
	if !positivePattern.MatchString(pk) || len(pk) > 13 {
		return "", false
	}
	return auditIDPrefix + strings.Repeat("0", 13-len(pk)) + pk, true
}

// changeLog imports submissions.submissionchangelog: changed_at becomes
// the row's created time. Change-log rows are append-only, so a stored row
// is never changed; one that differs from the dump is reported.
func (im *importer) changeLog() error {
	return im.rows(modelChange, func(pk string, f *fields) error {
		id, ok := auditID(pk)
		if !ok {
			im.skip(modelChange, pk, "the primary key is not a whole number of at most 13 digits")
			return nil
		}
		changedAt, hasTime := f.timestamp("changed_at")
		set := map[string]any{
			"submission": im.resolveOne(f, "submission", modelSubmission, f.key("submission")),
			"changed_by": f.str("changed_by"),
			"changes":    f.jsonList("changes"),
		}
		if !hasTime && f.problem() == "" {
			f.fail("changed_at", "missing")
		}
		if set["submission"] == "" && f.problem() == "" {
			f.fail("submission", "missing")
		}
		if p := f.problem(); p != "" {
			im.skip(modelChange, pk, p)
			return nil
		}
		im.apply(&target{
			model: modelChange, pk: pk, collection: "submission_changes", id: id, set: set,
			created: changedAt, updated: changedAt, appendOnly: true,
		})
		return nil
	})
}

// deletionAudits imports submissions.submissiondeletionaudit: deleted_at
// becomes the row's created time. Audits are append-only like the change
// log.
func (im *importer) deletionAudits() error {
	return im.rows(modelDeletion, func(pk string, f *fields) error {
		id, ok := auditID(pk)
		if !ok {
			im.skip(modelDeletion, pk, "the primary key is not a whole number of at most 13 digits")
			return nil
		}
		deletedAt, hasTime := f.timestamp("deleted_at")
		count, _ := f.integer("changelog_count")
		set := map[string]any{
			"submission_id":         strings.ToLower(strings.TrimSpace(f.str("submission_id"))),
			"service_name":          f.str("service_name"),
			"status":                f.str("status"),
			"submitter_first_name":  f.str("submitter_first_name"),
			"submitter_last_name":   f.str("submitter_last_name"),
			"submitter_affiliation": f.str("submitter_affiliation"),
			"public_contact_email":  f.str("public_contact_email"),
			"deleted_by":            f.str("deleted_by"),
			"changelog_count":       count,
			"changelog_snapshot":    f.jsonList("changelog_snapshot"),
		}
		if !hasTime && f.problem() == "" {
			f.fail("deleted_at", "missing")
		}
		if p := f.problem(); p != "" {
			im.skip(modelDeletion, pk, p)
			return nil
		}
		im.apply(&target{
			model: modelDeletion, pk: pk, collection: "submission_deletions", id: id, set: set,
			created: deletedAt, updated: deletedAt, appendOnly: true,
		})
		return nil
	})
}
