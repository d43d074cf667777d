package djangoimport_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/denbi/service-registry/internal/apikeys"
)

// djangoRow is one object as "manage.py dumpdata" writes it.
type djangoRow struct {
	Model  string         `json:"model"`
	PK     any            `json:"pk"`
	Fields map[string]any `json:"fields"`
}

// Ids of the fixture's rows (Django writes UUIDs in lowercase; one of the
// centres is written in uppercase to check that ids are lowercased).
const (
	centreBiGi    = "6f0c1d1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f"
	centreRetired = "1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b"
	piCarberry    = "0d9a4a52-5b1f-4e0a-9d6a-3c1b2e4f5a60"
	piLovelace    = "2e7c5b61-8d3a-4f2b-a1c0-9e8d7c6b5a41"
	piPartner     = "9a8b7c6d-5e4f-4321-8fed-cba987654321"
	piRetired     = "77777777-8888-4999-aaaa-bbbbbbbbbbbb"

	subApproved    = "3f1c2d4e-5a6b-4c7d-8e9f-a0b1c2d3e4f5"
	subSubmitted   = "4a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	subUnderReview = "5b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"
	subRejected    = "6c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f"
	subDeprecated  = "7d5e6f7a-8b9c-4d0e-9f2a-3b4c5d6e7f80"
	subDraft       = "8e6f7a8b-9c0d-4e1f-a03b-4c5d6e7f8091"
	subDeleted     = "9f7a8b9c-0d1e-4f2a-b14c-5d6e7f8091a2"
	subInvalid     = "af8b9c0d-1e2f-4a3b-8c5d-6e7f8091a2b3"

	keyApprovedWrite = "b1000000-0000-4000-8000-000000000001"
	keyApprovedRead  = "b1000000-0000-4000-8000-000000000002"
	keyRevoked       = "b1000000-0000-4000-8000-000000000003"
	keySubmitted     = "b1000000-0000-4000-8000-000000000004"
	keyInvalid       = "b1000000-0000-4000-8000-000000000005"
	adminFull        = "c1000000-0000-4000-8000-000000000001"
	adminRevoked     = "c1000000-0000-4000-8000-000000000002"

	biotoolsRecord = "d1000000-0000-4000-8000-000000000001"
)

// Plaintexts of the fixture's keys: the dump holds only their SHA-256, as
// the Django registry stored them.
var plaintexts = map[string]string{
	keyApprovedWrite: "Wr1te-key-of-the-approved-service_0123456789abcdefghijklmnopqrstu",
	keyApprovedRead:  "R3ad-key-of-the-approved-service_0123456789abcdefghijklmnopqrstuv",
	keyRevoked:       "Rev0ked-key-of-the-approved-service_0123456789abcdefghijklmnopqrs",
	keySubmitted:     "Subm1tted-service-key_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG",
	keyInvalid:       "Inval1d-service-key_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHI",
	adminFull:        "Adm1n-full-key_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO",
	adminRevoked:     "Adm1n-revoked-key_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL",
}

// description is a valid service description of n characters.
func description(n int) string {
	base := strings.Repeat("Finds, compares and annotates proteins in large proteomics data sets. ", 80)
	return base[:n-1] + "."
}

// submissionFields returns the fields of a valid submission as dumpdata
// writes them; overrides replace single fields.
func submissionFields(overrides map[string]any) map[string]any {
	f := map[string]any{
		"status":                  "submitted",
		"primary_maturity_tag":    nil,
		"secondary_maturity_tags": []any{},
		"submitted_at":            "2023-02-01T09:30:00.123Z",
		"updated_at":              "2024-05-06T12:00:00Z",
		"submission_ip":           "192.0.2.10",
		"user_agent_hash":         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"date_of_entry":           "2023-02-01",
		"submitter_first_name":    "Grace",
		"submitter_last_name":     "Hopper",
		"submitter_affiliation":   "Bielefeld University",
		"register_as_elixir":      false,
		"service_name":            "Sequence Service",
		"service_description":     description(200),
		"year_established":        2019,
		"service_categories":      []any{1},
		"edam_topics":             []any{},
		"edam_operations":         []any{},
		"is_toolbox":              false,
		"toolbox_name":            "",
		"user_knowledge_required": "",
		"publications_pmids":      "12345678, 10.1000/xyz123",
		"responsible_pis":         []any{piCarberry},
		"associated_partner_note": "",
		"host_institute":          "Bielefeld University",
		"service_center":          centreBiGi,
		"public_contact_email":    "help@example.org",
		"internal_contact_name":   "Grace Hopper",
		"internal_contact_email":  "grace.internal@example.org",
		"website_url":             "https://service.example.org/",
		"terms_of_use_url":        "https://service.example.org/terms",
		"licenses":                []any{1},
		"license_note":            "",
		"github_url":              "",
		"biotools_url":            "",
		"fairsharing_url":         "",
		"other_registry_url":      "",
		"kpi_monitoring":          "yes",
		"kpi_start_year":          "2020",
		"keywords_uncited":        "",
		"keywords_seo":            "",
		"survey_participation":    true,
		"comments":                "",
		"logo":                    "",
		"data_protection_consent": true,
		"last_change_summary":     nil,
	}
	maps.Copy(f, overrides)
	return f
}

// fixtureRows is a realistic dump of a small Django registry: every
// status, both key scopes and a revoked key, many-to-many relations, a
// change log, a deletion audit, a bio.tools record with functions, legacy
// rows, unicode and edge values, and rows of models that are not registry
// data.
func fixtureRows() []djangoRow {
	rows := []djangoRow{
		{"auth.user", 1, map[string]any{"username": "office", "email": "office@example.org", "is_superuser": true}},
		{"sessions.session", "x8k2m", map[string]any{"session_data": "e30:", "expire_date": "2024-06-01T00:00:00Z"}},
		{"django_celery_beat.periodictask", 3, map[string]any{"name": "edam sync", "enabled": true}},

		{"registry.servicecategory", 1, map[string]any{"name": "Database", "is_active": true}},
		{"registry.servicecategory", 2, map[string]any{"name": "Web service", "is_active": true}},
		{"registry.servicecategory", 3, map[string]any{"name": "Workflow", "is_active": false}},
		{"registry.servicecategory", 7, map[string]any{"name": "Tools & Ontologies", "is_active": true}},

		{"registry.servicecenter", centreBiGi, map[string]any{"short_name": "BiGi",
			"full_name": "Bielefeld-Gießen Center for Microbial Bioinformatics", "website": "https://www.computational.bio.uni-giessen.de/", "is_active": true}},
		{"registry.servicecenter", strings.ToUpper(centreRetired), map[string]any{"short_name": "OLD",
			"full_name": "Former Centre", "website": "", "is_active": false}},

		{"registry.principalinvestigator", piCarberry, map[string]any{"last_name": "Carberry", "first_name": "Josiah",
			"email": "josiah@example.org", "institute": "Brown University", "orcid": "0000-0002-1825-0097", "is_active": true, "is_associated_partner": false}},
		{"registry.principalinvestigator", piLovelace, map[string]any{"last_name": "Lovelace", "first_name": "Ada",
			"email": "", "institute": "Universität Bielefeld", "orcid": "0000-0002-3960-224X", "is_active": true, "is_associated_partner": false}},
		{"registry.principalinvestigator", piPartner, map[string]any{"last_name": "Associated partner", "first_name": "[please state below]",
			"email": "", "institute": "", "orcid": "", "is_active": true, "is_associated_partner": true}},
		{"registry.principalinvestigator", piRetired, map[string]any{"last_name": "Emeritus", "first_name": "Erika",
			"email": "erika@example.org", "institute": "", "orcid": "", "is_active": false, "is_associated_partner": false}},

		{"edam.edamterm", 11, map[string]any{"uri": "http://edamontology.org/topic_0091", "accession": "topic_0091", "branch": "topic",
			"label": "Bioinformatics", "definition": "The archival, curation, processing and analysis of biological information.",
			"synonyms": []any{}, "parent": nil, "is_obsolete": false, "sort_order": 91, "edam_version": "1.25"}},
		{"edam.edamterm", 12, map[string]any{"uri": "http://edamontology.org/topic_0121", "accession": "topic_0121", "branch": "topic",
			"label": "Proteomics", "definition": "Protein and peptide identification.", "synonyms": []any{"Protein informatics"},
			"parent": 11, "is_obsolete": false, "sort_order": 121, "edam_version": "1.25"}},
		{"edam.edamterm", 14, map[string]any{"uri": "http://edamontology.org/operation_0292", "accession": "operation_0292", "branch": "operation",
			"label": "Sequence alignment", "definition": "", "synonyms": []any{"Sequence alignment construction"},
			"parent": 13, "is_obsolete": false, "sort_order": 292, "edam_version": "1.25"}},
		{"edam.edamterm", 13, map[string]any{"uri": "http://edamontology.org/operation_2945", "accession": "operation_2945", "branch": "operation",
			"label": "Analysis", "definition": "", "synonyms": []any{}, "parent": nil, "is_obsolete": false, "sort_order": 2945, "edam_version": "1.25"}},

		{"licenses.spdxlicense", 1, map[string]any{"license_id": "MIT", "name": "MIT License", "reference_url": "https://spdx.org/licenses/MIT.html",
			"see_also": []any{"https://opensource.org/license/mit/"}, "is_osi_approved": true, "is_fsf_libre": true, "is_deprecated": false, "spdx_version": "3.26"}},
		{"licenses.spdxlicense", 2, map[string]any{"license_id": "Apache-2.0", "name": "Apache License 2.0", "reference_url": "https://spdx.org/licenses/Apache-2.0.html",
			"see_also": []any{}, "is_osi_approved": true, "is_fsf_libre": true, "is_deprecated": false, "spdx_version": "3.26"}},
		{"licenses.spdxlicense", 4, map[string]any{"license_id": "GPL-2.0", "name": "GNU General Public License v2.0 only", "reference_url": "",
			"see_also": nil, "is_osi_approved": true, "is_fsf_libre": false, "is_deprecated": true, "spdx_version": "3.26"}},

		// approved, with everything: tags, many relations, NFD text with a NUL
		// and padding, a logo with metadata, a bio.tools link
		{"submissions.servicesubmission", subApproved, submissionFields(map[string]any{
			"status": "approved", "primary_maturity_tag": "mature", "secondary_maturity_tags": []any{"unstable"},
			"service_name":       "  Prote\u0301ine Explorer\u0000 ",
			"comments":           "日本語のコメント 🧬 and a tab\tinside",
			"service_categories": []any{1, 2}, "edam_topics": []any{11, 12}, "edam_operations": []any{14},
			"responsible_pis": []any{piCarberry, piLovelace}, "licenses": []any{2, 1},
			"register_as_elixir": true, "biotools_url": "https://bio.tools/proteine_explorer",
			"github_url": "https://github.com/example/proteine", "logo": "logos/" + subApproved + ".png",
			"last_change_summary": map[string]any{"changed_by": "admin:office", "changed_at": "2024-05-06T12:00:00+00:00",
				"changes": []any{map[string]any{"field": "status", "label": "Status", "old": "Submitted", "new": "Approved"}}},
		})},
		// submitted: associated partner with note, contact URL, KPI planned,
		// only a license note, an SVG logo with a script
		{"submissions.servicesubmission", subSubmitted, submissionFields(map[string]any{
			"service_name": "Partner Portal", "submitted_at": "2024-01-10T08:00:00Z", "updated_at": "2024-01-10T08:00:00Z",
			"responsible_pis": []any{piPartner}, "associated_partner_note": "Dr. Jane Roe, EMBL Heidelberg",
			"public_contact_email": "https://partner.example.org/contact", "kpi_monitoring": "planned", "kpi_start_year": "",
			"licenses": []any{}, "license_note": "Proprietary, free for academic use",
			"service_categories": []any{7}, "logo": "logos/partner.svg", "submission_ip": nil,
		})},
		// under review: a toolbox, legacy null tags, a logo that is no image
		{"submissions.servicesubmission", subUnderReview, submissionFields(map[string]any{
			"status": "under_review", "service_name": "Toolbox Aligner", "is_toolbox": true, "toolbox_name": "de.NBI Cloud Toolbox",
			"secondary_maturity_tags": nil, "edam_operations": []any{13, 14}, "logo": "logos/broken.png",
			"submitted_at": "2024-02-02T10:00:00.5Z", "updated_at": "2024-02-03T10:00:00Z",
		})},
		// rejected: linked to reference data that was retired since, a logo
		// missing from the media folder
		{"submissions.servicesubmission", subRejected, submissionFields(map[string]any{
			"status": "rejected", "service_name": "Old Workflow Engine", "service_categories": []any{3},
			"service_center": strings.ToUpper(centreRetired), "responsible_pis": []any{piRetired}, "logo": "logos/lost.png",
			"licenses": []any{4},
		})},
		// deprecated: edge values, legacy blank submitter names
		{"submissions.servicesubmission", subDeprecated, submissionFields(map[string]any{
			"status": "deprecated", "service_name": "Legacy DB", "year_established": 1900,
			"service_description": description(5000), "submitter_first_name": "", "submitter_last_name": "",
			"submitter_affiliation": "", "survey_participation": false, "data_protection_consent": false,
			"publications_pmids": strings.TrimSuffix(strings.Repeat("1234567,", 50), ","),
		})},
		// draft (only ever set in the Django admin's database)
		{"submissions.servicesubmission", subDraft, submissionFields(map[string]any{
			"status": "draft", "service_name": "Draft Service", "date_of_entry": "2024-12-31",
		})},

		{"submissions.submissionapikey", keyApprovedWrite, keyFields(subApproved, keyApprovedWrite, "Initial key", "write", true, "submitter", "2024-05-01T10:00:00Z")},
		{"submissions.submissionapikey", keyApprovedRead, keyFields(subApproved, keyApprovedRead, "Dashboard (read only)", "read", true, "office", nil)},
		{"submissions.submissionapikey", keyRevoked, keyFields(subApproved, keyRevoked, "Admin reset 2024-03-01 by office", "write", false, "office", "2024-02-28T23:59:59.999Z")},
		{"submissions.submissionapikey", keySubmitted, keyFields(subSubmitted, keySubmitted, "Initial key", "write", true, "submitter", nil)},

		{"api.adminapikey", adminFull, map[string]any{"key_hash": apikeys.Hash(plaintexts[adminFull]), "label": "Reporting dashboard",
			"scope": "full", "created_at": "2023-06-01T00:00:00Z", "created_by": 1, "is_active": true, "last_used_at": nil}},
		{"api.adminapikey", adminRevoked, map[string]any{"key_hash": apikeys.Hash(plaintexts[adminRevoked]), "label": "Old export job",
			"scope": "read", "created_at": "2023-01-01T00:00:00Z", "created_by": nil, "is_active": false, "last_used_at": "2023-03-01T00:00:00Z"}},

		{"submissions.submissionchangelog", 101, map[string]any{"submission": subApproved, "changed_by": "submitter",
			"changed_at": "2023-03-01T10:00:00Z", "changes": []any{map[string]any{"field": "service_name", "label": "Service Name", "old": "Protein Explorer", "new": "Protéine Explorer"}}}},
		{"submissions.submissionchangelog", 102, map[string]any{"submission": subApproved, "changed_by": "api:Initial key",
			"changed_at": "2023-04-01T10:00:00.250Z", "changes": []any{map[string]any{"field": "comments", "label": "Comments", "old": "", "new": "日本語のコメント"}}}},
		{"submissions.submissionchangelog", 103, map[string]any{"submission": subApproved, "changed_by": "admin:office",
			"changed_at": "2024-05-06T12:00:00Z", "changes": []any{map[string]any{"field": "status", "label": "Status", "old": "Submitted", "new": "Approved"}}}},
		{"submissions.submissionchangelog", 104, map[string]any{"submission": subUnderReview, "changed_by": "admin:office",
			"changed_at": "2024-02-03T10:00:00Z", "changes": []any{}}},

		{"submissions.submissiondeletionaudit", 5, map[string]any{"submission_id": subDeleted, "service_name": "Spam Service",
			"status": "rejected", "submitter_first_name": "Spam", "submitter_last_name": "Bot", "submitter_affiliation": "",
			"public_contact_email": "spam@example.org", "deleted_by": "admin:office", "deleted_at": "2024-04-01T12:00:00Z",
			"changelog_count": 1, "changelog_snapshot": []any{map[string]any{"changed_by": "admin:office", "changed_at": "2024-03-30T12:00:00+00:00",
				"changes": []any{map[string]any{"field": "status", "label": "Status", "old": "Submitted", "new": "Rejected"}}}}}},

		{"biotools.biotoolsrecord", biotoolsRecord, map[string]any{"submission": subApproved, "biotools_id": "proteine_explorer",
			"name": "Protéine Explorer", "description": "Explores proteins.", "homepage": "https://service.example.org/",
			"version": "2.1, 2.0", "license": "MIT", "maturity": "Mature", "cost": "Free of charge",
			"tool_type": []any{"Web application"}, "operating_system": []any{"Linux", "Mac"},
			"publications":  []any{map[string]any{"pmid": "12345678", "doi": "10.1000/xyz123", "pmcid": "", "type": []any{"Primary"}, "note": ""}},
			"documentation": []any{map[string]any{"url": "https://service.example.org/docs", "type": []any{"General"}}},
			"download":      []any{}, "links": []any{}, "edam_topic_uris": []any{"http://edamontology.org/topic_0121", "http://edamontology.org/topic_9999"},
			"raw_json":       map[string]any{"biotoolsID": "proteine_explorer", "name": "Protéine Explorer", "big": json.Number("12345678901234567890")},
			"last_synced_at": "2024-05-06T03:00:00Z", "sync_error": "", "created_at": "2023-02-01T09:31:00Z", "updated_at": "2024-05-06T03:00:00Z"}},
		{"biotools.biotoolsfunction", 2, map[string]any{"record": biotoolsRecord, "position": 1,
			"operations": []any{map[string]any{"uri": "http://edamontology.org/operation_0292", "term": "Sequence alignment"}},
			"inputs":     []any{}, "outputs": []any{}, "cmd": "", "note": "second"}},
		{"biotools.biotoolsfunction", 1, map[string]any{"record": biotoolsRecord, "position": 0,
			"operations": []any{map[string]any{"uri": "http://edamontology.org/operation_2945", "term": "Analysis"}},
			"inputs":     []any{map[string]any{"data": map[string]any{"uri": "http://edamontology.org/data_2044", "term": "Sequence"}, "formats": []any{}}},
			"outputs":    []any{}, "cmd": "explore --in x", "note": "first"}},
	}
	return rows
}

// keyFields are the fields of a submission API key row.
func keyFields(submission, id, label, scope string, active bool, createdBy string, lastUsed any) map[string]any {
	return map[string]any{"submission": submission, "key_hash": apikeys.Hash(plaintexts[id]), "label": label,
		"created_at": "2023-02-01T09:30:00.200Z", "created_by": createdBy, "is_active": active, "scope": scope, "last_used_at": lastUsed}
}

// invalidRows are a submission that breaks a data rule (a plain-http
// website) and its key.
func invalidRows() []djangoRow {
	return []djangoRow{
		{"submissions.servicesubmission", subInvalid, submissionFields(map[string]any{
			"service_name": "Insecure Site", "website_url": "http://insecure.example.org/",
		})},
		{"submissions.submissionapikey", keyInvalid, keyFields(subInvalid, keyInvalid, "Initial key", "write", true, "submitter", nil)},
	}
}

// writeDump writes rows as dumpdata does (--indent 2) and returns the path.
func writeDump(t testing.TB, dir string, rows []djangoRow) string {
	t.Helper()
	raw, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "dump.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeMedia writes the fixture's logos into a media folder: a PNG that
// carries a text chunk, an SVG with a script and a "PNG" that is text.
// logos/lost.png is missing on purpose.
func writeMedia(t testing.TB, dir string) string {
	t.Helper()
	media := filepath.Join(dir, "media")
	if err := os.MkdirAll(filepath.Join(media, "logos"), 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		subApproved + ".png": pngWithText(t, "Comment", "secret camera data"),
		"partner.svg": []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">` +
			`<script>alert(1)</script><rect width="10" height="10" fill="#0a0" onclick="alert(2)"/></svg>`),
		"broken.png": []byte("this is not a PNG at all"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(media, "logos", name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return media
}

// pngWithText returns a small PNG with a tEXt chunk after IHDR.
func pngWithText(t testing.TB, key, text string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for x := range 4 {
		for y := range 4 {
			img.Set(x, y, color.RGBA{R: uint8(x * 60), G: uint8(y * 60), B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	const afterIHDR = 8 + 8 + 13 + 4
	data := append([]byte(key+"\x00"), text...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(append([]byte("tEXt"), data...)))
	out := append(append(append([]byte{}, raw[:afterIHDR]...), chunk...), raw[afterIHDR:]...)
	return out
}
