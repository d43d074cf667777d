package djangoimport

import (
	"errors"
	"fmt"
	"strings"

	"github.com/denbi/service-registry/plugins/edam"
	"github.com/denbi/service-registry/plugins/licenses"
	"github.com/pocketbase/pocketbase/core"
)

// categories imports registry.servicecategory: the integer primary key
// stays the id, because /api/v1 clients send category ids as integers.
func (im *importer) categories() error {
	return im.rows(modelCategory, func(pk string, f *fields) error {
		if !positivePattern.MatchString(pk) {
			im.skip(modelCategory, pk, "the primary key is not a positive whole number")
			return nil
		}
		t := &target{model: modelCategory, pk: pk, collection: "categories", id: pk, set: map[string]any{
			"name":   f.str("name"),
			"active": f.boolean("is_active", true),
		}}
		if p := f.problem(); p != "" {
			im.skip(modelCategory, pk, p)
			return nil
		}
		im.apply(t)
		return nil
	})
}

// centres imports registry.servicecenter under its UUID.
func (im *importer) centres() error {
	return im.rows(modelCentre, func(pk string, f *fields) error {
		id, ok := uuidID(pk)
		if !ok {
			im.skip(modelCentre, pk, "the primary key is not a UUID")
			return nil
		}
		t := &target{model: modelCentre, pk: pk, collection: "service_centers", id: id, set: map[string]any{
			"short_name": f.str("short_name"),
			"full_name":  f.str("full_name"),
			"website":    strings.TrimSpace(f.str("website")),
			"active":     f.boolean("is_active", true),
		}}
		if p := f.problem(); p != "" {
			im.skip(modelCentre, pk, p)
			return nil
		}
		im.apply(t)
		return nil
	})
}

// pis imports registry.principalinvestigator under its UUID; the ORCID
// checksum and e-mail rules apply as on every save.
func (im *importer) pis() error {
	return im.rows(modelPI, func(pk string, f *fields) error {
		id, ok := uuidID(pk)
		if !ok {
			im.skip(modelPI, pk, "the primary key is not a UUID")
			return nil
		}
		t := &target{model: modelPI, pk: pk, collection: "pis", id: id, set: map[string]any{
			"last_name":             f.str("last_name"),
			"first_name":            f.str("first_name"),
			"email":                 strings.TrimSpace(f.str("email")),
			"institute":             f.str("institute"),
			"orcid":                 strings.TrimSpace(f.str("orcid")),
			"active":                f.boolean("is_active", true),
			"is_associated_partner": f.boolean("is_associated_partner", false),
		}}
		if p := f.problem(); p != "" {
			im.skip(modelPI, pk, p)
			return nil
		}
		im.apply(t)
		return nil
	})
}

// edamTerms maps edam.edamterm rows to the stored terms. A term the
// registry already has (matched by URI, then accession) is used as it is:
// the EDAM sync owns those and keeps them current. A term it lacks is
// created from the dump under the id the EDAM plugin derives from the
// accession (edam.TermID), so a later sync updates it in place. Django's
// integer ids are not kept: the EDAM plugin's ids are the same on every
// installation.
func (im *importer) edamTerms() error {
	type pending struct{ pk, id, parent string }
	var parents []pending
	err := im.rows(modelEDAM, func(pk string, f *fields) error {
		uri := strings.TrimSpace(f.str("uri"))
		accession := strings.TrimSpace(f.str("accession"))
		sortOrder, _ := f.integer("sort_order")
		set := map[string]any{
			"uri":          uri,
			"accession":    accession,
			"branch":       f.str("branch"),
			"label":        f.str("label"),
			"definition":   f.str("definition"),
			"synonyms":     f.jsonList("synonyms"),
			"obsolete":     f.boolean("is_obsolete", false),
			"sort_order":   sortOrder,
			"edam_version": f.str("edam_version"),
		}
		parent := f.key("parent")
		if p := f.problem(); p != "" {
			im.skip(modelEDAM, pk, p)
			return nil
		}
		for _, ref := range []string{uri, accession} {
			rec, err := edam.ResolveTerm(im.app, ref)
			if err == nil {
				im.remember(modelEDAM, pk, rec.Id)
				im.count(modelEDAM, outcomeUnchanged)
				return nil
			}
			if !errors.Is(err, edam.ErrTermNotFound) {
				im.skip(modelEDAM, pk, err.Error())
				return nil
			}
		}
		id, err := edam.TermID(accession)
		if err != nil {
			im.skip(modelEDAM, pk, fmt.Sprintf("accession: %v", err))
			return nil
		}
		_, o := im.apply(&target{model: modelEDAM, pk: pk, collection: edam.Collection, id: id, set: set})
		if o == outcomeCreated && parent != "" {
			parents = append(parents, pending{pk: pk, id: id, parent: parent})
		}
		return nil
	})
	if err != nil {
		return err
	}
	// parents may come after their children in the dump: link them once
	// every term is known
	for _, p := range parents {
		parentID, ok := im.ids[modelEDAM][strings.ToLower(p.parent)]
		if !ok || parentID == p.id {
			im.warn(modelEDAM, p.pk, fmt.Sprintf("created without its parent (EDAM term %s is not available); the next EDAM sync sets it", p.parent))
			continue
		}
		rec, err := im.app.FindRecordById(edam.Collection, p.id)
		if err != nil {
			return err
		}
		rec.Set("parent", parentID)
		if err := im.app.SaveWithContext(im.ctx, rec); err != nil {
			im.warn(modelEDAM, p.pk, "created without its parent: "+reason(err))
		}
	}
	return nil
}

// licenses maps licenses.spdxlicense rows to the stored SPDX list by
// license_id. Licenses the registry already has are used as they are (the
// license sync owns them); missing ones are created from the dump and
// updated in place by the next sync.
func (im *importer) licenses() error {
	return im.rows(modelLicense, func(pk string, f *fields) error {
		licenseID := strings.TrimSpace(f.str("license_id"))
		name := f.str("name")
		if strings.TrimSpace(name) == "" {
			name = licenseID
		}
		set := map[string]any{
			"license_id":    licenseID,
			"name":          name,
			"reference_url": strings.TrimSpace(f.str("reference_url")),
			"see_also":      f.jsonList("see_also"),
			"osi_approved":  f.boolean("is_osi_approved", false),
			"fsf_libre":     f.boolean("is_fsf_libre", false),
			"deprecated":    f.boolean("is_deprecated", false),
			"spdx_version":  f.str("spdx_version"),
		}
		if licenseID == "" {
			f.fail("license_id", "empty")
		}
		if p := f.problem(); p != "" {
			im.skip(modelLicense, pk, p)
			return nil
		}
		rec, err := licenses.ResolveLicense(im.app, licenseID)
		switch {
		case err == nil:
			im.remember(modelLicense, pk, rec.Id)
			im.count(modelLicense, outcomeUnchanged)
			return nil
		case !errors.Is(err, licenses.ErrUnknownLicense):
			im.skip(modelLicense, pk, err.Error())
			return nil
		}
		im.apply(&target{model: modelLicense, pk: pk, collection: licenses.CollectionName,
			id: core.GenerateDefaultRandomId(), set: set})
		return nil
	})
}
