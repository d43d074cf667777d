// Package refnames names the reference records a submission points to
// (categories, PIs, service centres, EDAM terms, licenses) the same way
// everywhere a person reads them: change log, emails, the office's pages.
package refnames

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// Relations maps the relation fields of submissions to the collections
// they point at.
var Relations = map[string]string{
	"service_categories": "categories",
	"responsible_pis":    "pis",
	"service_center":     "service_centers",
	"edam_topics":        "edam_terms",
	"edam_operations":    "edam_terms",
	"licenses":           "licenses",
}

// DisplayName names one reference record.
func DisplayName(r *core.Record) string {
	switch r.Collection().Name {
	case "pis":
		if r.GetBool("is_associated_partner") {
			return "Associated partner [please state below]"
		}
		return r.GetString("last_name") + ", " + r.GetString("first_name")
	case "service_centers":
		return r.GetString("short_name") + " — " + r.GetString("full_name")
	case "edam_terms":
		return r.GetString("label") + " (" + r.GetString("accession") + ")"
	case "licenses":
		return r.GetString("license_id")
	}
	return strings.TrimSpace(r.GetString("name"))
}
