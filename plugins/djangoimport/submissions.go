package djangoimport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/denbi/service-registry/plugins/licenses"
	"github.com/denbi/service-registry/plugins/logos"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
)

// maxLogoRead bounds how much of a media file is read; the logos plugin
// refuses anything above its own (smaller) limit anyway.
const maxLogoRead = 64 << 20

// maxLicenseNote is the size of submissions.license_note.
const maxLicenseNote = 200

// legacyLicenses maps the license slugs of registries from before the SPDX
// list (Django migration 0016) to SPDX ids.
var legacyLicenses = map[string]string{
	"agpl3": "AGPL-3.0-only", "gpl3": "GPL-3.0-only", "gpl2": "GPL-2.0-only", "lgpl3": "LGPL-3.0-only",
	"lgpl21": "LGPL-2.1-only", "mpl2": "MPL-2.0", "apache2": "Apache-2.0", "mit": "MIT",
	"bsd2": "BSD-2-Clause", "bsd3": "BSD-3-Clause", "isc": "ISC", "boost": "BSL-1.0", "epl2": "EPL-2.0",
	"eupl12": "EUPL-1.2", "cc0": "CC0-1.0", "cc_by4": "CC-BY-4.0", "cc_by_sa4": "CC-BY-SA-4.0",
	"artistic2": "Artistic-2.0", "unlicense": "Unlicense",
}

// legacyLicenseNotes are the legacy slugs that were no license at all.
var legacyLicenseNotes = map[string]string{"other": "Other", "na": "Not applicable"}

// submissions imports submissions.servicesubmission under its UUID, with
// every relation, its timestamps (submitted_at → created, updated_at →
// updated) and, with a media folder, its logo.
func (im *importer) submissions() error {
	return im.rows(modelSubmission, func(pk string, f *fields) error {
		id, ok := uuidID(pk)
		if !ok {
			im.skip(modelSubmission, pk, "the primary key is not a UUID")
			return nil
		}
		year, _ := f.integer("year_established")
		dateOfEntry, hasDate := f.timestamp("date_of_entry")
		set := map[string]any{
			"status":                  f.strOr("status", "submitted"),
			"primary_maturity_tag":    f.str("primary_maturity_tag"),
			"secondary_maturity_tags": f.json("secondary_maturity_tags"),
			"submission_ip":           f.str("submission_ip"),
			"user_agent_hash":         f.str("user_agent_hash"),
			"date_of_entry":           optionalTime(dateOfEntry, hasDate),
			"submitter_first_name":    f.str("submitter_first_name"),
			"submitter_last_name":     f.str("submitter_last_name"),
			"submitter_affiliation":   f.str("submitter_affiliation"),
			"register_as_elixir":      f.boolean("register_as_elixir", false),
			"service_name":            f.str("service_name"),
			"service_description":     f.str("service_description"),
			"year_established":        year,
			"is_toolbox":              f.boolean("is_toolbox", false),
			"toolbox_name":            f.str("toolbox_name"),
			"user_knowledge_required": f.str("user_knowledge_required"),
			"publications_pmids":      f.str("publications_pmids"),
			"associated_partner_note": f.str("associated_partner_note"),
			"host_institute":          f.str("host_institute"),
			"public_contact_email":    f.str("public_contact_email"),
			"internal_contact_name":   f.str("internal_contact_name"),
			"internal_contact_email":  f.str("internal_contact_email"),
			"website_url":             f.str("website_url"),
			"terms_of_use_url":        f.str("terms_of_use_url"),
			"license_note":            f.str("license_note"),
			"github_url":              f.str("github_url"),
			"biotools_url":            f.str("biotools_url"),
			"fairsharing_url":         f.str("fairsharing_url"),
			"other_registry_url":      f.str("other_registry_url"),
			"kpi_monitoring":          f.str("kpi_monitoring"),
			"kpi_start_year":          f.str("kpi_start_year"),
			"keywords_uncited":        f.str("keywords_uncited"),
			"keywords_seo":            f.str("keywords_seo"),
			"survey_participation":    f.boolean("survey_participation", true),
			"comments":                f.str("comments"),
			"data_protection_consent": f.boolean("data_protection_consent", false),
		}
		set["service_categories"] = im.resolveAll(f, "service_categories", modelCategory, f.keys("service_categories"))
		set["edam_topics"] = im.resolveAll(f, "edam_topics", modelEDAM, f.keys("edam_topics"))
		set["edam_operations"] = im.resolveAll(f, "edam_operations", modelEDAM, f.keys("edam_operations"))
		set["responsible_pis"] = im.resolveAll(f, "responsible_pis", modelPI, f.keys("responsible_pis"))
		set["service_center"] = im.resolveOne(f, "service_center", modelCentre, f.key("service_center"))
		set["licenses"] = im.submissionLicenses(f, set)
		summary := f.json("last_change_summary")
		created, _ := f.timestamp("submitted_at")
		updated, _ := f.timestamp("updated_at")
		logoPath := strings.TrimSpace(f.str("logo"))
		if p := f.problem(); p != "" {
			im.skip(modelSubmission, pk, p)
			return nil
		}

		logoAttached := ""
		t := &target{
			model: modelSubmission, pk: pk, collection: "submissions", id: id, set: set,
			created: created, updated: updated,
			prepare: func(rec *core.Record) {
				if rec.IsNew() {
					// later changes write their own summary (hooks/lifecycle.go)
					rec.Set("last_change_summary", summary)
				}
				if im.media != nil {
					logoAttached = im.attachLogo(pk, rec, logoPath)
				}
			},
			changedBeyond: logoChanged,
			fix: func(rec *core.Record, errs validation.Errors) bool {
				if errs["logo"] == nil || logoAttached == "" {
					return false
				}
				im.warn(modelSubmission, pk, fmt.Sprintf("logo %s was refused (%v); imported without it", logoAttached, errs["logo"]))
				rec.Set("logo", rec.Original().GetString("logo"))
				logoAttached = ""
				return true
			},
			beforeSave: func(rec *core.Record) {
				if im.opts.DryRun && len(rec.GetUnsavedFiles("logo")) > 0 {
					// checked by validation already; a dry run stores no files
					rec.Set("logo", rec.Original().GetString("logo"))
				}
			},
		}
		im.apply(t)
		return nil
	})
}

// submissionLicenses resolves the licenses of a submission: the SPDX
// license rows it refers to, or, in dumps from before the SPDX list, the
// legacy "license" slug, which maps to an SPDX id or to a license note.
func (im *importer) submissionLicenses(f *fields, set map[string]any) []string {
	if f.has("licenses") || !f.has("license") {
		return im.resolveAll(f, "licenses", modelLicense, f.keys("licenses"))
	}
	slug := strings.ToLower(strings.TrimSpace(f.str("license")))
	if slug == "" {
		return []string{}
	}
	if spdxID, ok := legacyLicenses[slug]; ok {
		rec, err := licenses.ResolveLicense(im.app, spdxID)
		if err != nil {
			f.fail("license", "the legacy license %q means %s, which is not in the license list (run \"registry licenses sync\" first)", slug, spdxID)
			return nil
		}
		return []string{rec.Id}
	}
	note, ok := legacyLicenseNotes[slug]
	if !ok {
		note = "Legacy: " + slug
	}
	existing := strings.TrimSpace(set["license_note"].(string))
	switch {
	case existing == "" || existing == note:
		set["license_note"] = note
	case strings.Contains(existing, note):
	case len([]rune(existing+"; "+note)) <= maxLicenseNote:
		set["license_note"] = existing + "; " + note
	default:
		f.fail("license", "the legacy license %q becomes the note %q, which does not fit next to the existing license note", slug, note)
	}
	return []string{}
}

// logoChanged reports whether a save would change the logo.
func logoChanged(rec *core.Record) bool {
	return len(rec.GetUnsavedFiles("logo")) > 0 || rec.GetString("logo") != rec.Original().GetString("logo")
}

// attachLogo puts the dump's logo (read from the media folder) on the
// record when it differs from the stored one, removes the stored logo
// when the dump has none, and returns the path it attached ("" if none).
// Problems are warnings: the service is imported without the new logo.
func (im *importer) attachLogo(pk string, rec *core.Record, logoPath string) string {
	stored := rec.GetString("logo")
	if logoPath == "" {
		if stored != "" {
			rec.Set("logo", "")
		}
		return ""
	}
	keep := "imported without a logo"
	if stored != "" {
		keep = "the stored logo is kept"
	}
	data, err := im.readMedia(logoPath)
	if err != nil {
		im.warn(modelSubmission, pk, fmt.Sprintf("logo %s: %v; %s", logoPath, err, keep))
		return ""
	}
	if stored != "" {
		// the stored logo is the cleaned copy; the same source cleans to
		// the same bytes
		if processed, err := logos.Process(data, 0, 0); err == nil {
			if current, err := im.storedFile(rec, stored); err == nil && bytes.Equal(current, processed.Data) {
				return ""
			}
		}
	}
	file, err := filesystem.NewFileFromBytes(data, path.Base(logoPath))
	if err != nil {
		im.warn(modelSubmission, pk, fmt.Sprintf("logo %s: %v; %s", logoPath, err, keep))
		return ""
	}
	rec.Set("logo", file)
	return logoPath
}

// readMedia reads a file of the media folder. Paths from the dump may not
// leave the folder, also not through symbolic links (os.Root).
func (im *importer) readMedia(name string) ([]byte, error) {
	if !filepath.IsLocal(filepath.FromSlash(name)) {
		return nil, errors.New("the path leaves the media folder")
	}
	file, err := im.media.Open(filepath.FromSlash(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("no such file in the media folder")
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxLogoRead+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxLogoRead {
		return nil, fmt.Errorf("larger than %d MB", maxLogoRead>>20)
	}
	return data, nil
}

// storedFile reads a file of a record from the registry's storage.
func (im *importer) storedFile(rec *core.Record, name string) ([]byte, error) {
	if im.fsys == nil {
		fsys, err := im.app.NewFilesystem()
		if err != nil {
			return nil, err
		}
		im.fsys = fsys
	}
	r, err := im.fsys.GetReader(rec.BaseFilesPath() + "/" + name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, maxLogoRead))
}
