package pb_migrations

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// catalogueCollection is the public read model of the catalogue (issue 13,
// plugins/catalogue): one row per approved service, public fields only.
const catalogueCollection = "catalogue_services"

// Issue 13: the public catalogue reads approved services from a view
// collection instead of a copy kept up to date by hooks. A view cannot drift
// from the submissions (an approval, an edit, a deprecation or a renamed
// category is visible at once, whoever made it, even by plain SQL), needs no
// backfill and no repair command, and it is one explicit list of public
// columns: a field added to submissions later stays private until it is
// named here. Anyone may list and view it through the collection API; the
// rules of submissions stay closed.
//
// Two PocketBase details shape the query:
//   - a column that names a collection field directly becomes a copy of that
//     field with a random id, so the schema would change on every down+up;
//     every column is therefore an expression (CAST, CASE or a subquery),
//     whose field ids PocketBase derives from the name;
//   - related rows are embedded as JSON (id and public fields) instead of
//     relation fields, which would also be copies, and whose expansion
//     would hide inactive categories, centres and PIs from anonymous
//     callers. PI email addresses are not part of it.
//
// The logo is given as logo_url, a path below /api/files/ (the file field of
// submissions is public); the catalogue plugin makes it absolute.
func init() {
	m.Register(func(app core.App) error {
		submissions, err := app.FindCollectionByNameOrId("submissions")
		if err != nil {
			return fmt.Errorf("finding submissions: %w", err)
		}
		view := core.NewViewCollection(catalogueCollection)
		view.ViewQuery = catalogueViewQuery(submissions.Id)
		view.ListRule = ptr("")
		view.ViewRule = ptr("")
		if err := app.Save(view); err != nil {
			return fmt.Errorf("creating the %s view: %w", catalogueCollection, err)
		}
		return nil
	}, func(app core.App) error {
		view, err := app.FindCollectionByNameOrId(catalogueCollection)
		if err != nil {
			return nil // already gone
		}
		if err := app.Delete(view); err != nil {
			return fmt.Errorf("deleting the %s view: %w", catalogueCollection, err)
		}
		return nil
	})
}

// jsonArray guards json_each against a value that is not a JSON array.
func jsonArray(column string) string {
	return "(CASE WHEN json_valid(" + column + ") AND json_type(" + column + ") = 'array' THEN " + column + " ELSE '[]' END)"
}

// relatedList embeds the rows of table named by the multi-relation column
// of s as a JSON array of objects, in the order they were chosen.
func relatedList(column, table, object string) string {
	return "(SELECT json_group_array(" + object + ") FROM (SELECT r.* FROM json_each(" + jsonArray("s."+column) +
		") AS j INNER JOIN " + table + " AS r ON r.id = j.value ORDER BY j.key) AS r)"
}

// catalogueViewQuery selects the public fields of approved submissions.
// Writing it needs the id of the submissions collection (logo paths).
func catalogueViewQuery(submissionsID string) string {
	text := func(column string) string { return "CAST(s." + column + " AS TEXT) AS " + column }
	columns := []string{
		"s.id AS id",
		text("service_name"),
		text("service_description"),
		"CAST(s.year_established AS INTEGER) AS year_established",
		"CAST(s.is_toolbox AS BOOLEAN) AS is_toolbox",
		text("toolbox_name"),
		text("user_knowledge_required"),
		text("publications_pmids"),
		text("host_institute"),
		text("associated_partner_note"),
		text("public_contact_email"),
		text("website_url"),
		text("terms_of_use_url"),
		text("github_url"),
		text("biotools_url"),
		text("fairsharing_url"),
		text("other_registry_url"),
		text("license_note"),
		text("keywords_seo"),
		text("keywords_uncited"),
		text("primary_maturity_tag"),
		jsonArray("s.secondary_maturity_tags") + " AS secondary_maturity_tags",
		"CAST((CASE WHEN s.logo != '' THEN '/api/files/" + submissionsID + "/' || s.id || '/' || s.logo ELSE '' END) AS TEXT) AS logo_url",
		relatedList("service_categories", "categories", "json_object('id', r.id, 'name', r.name)") + " AS categories",
		"(SELECT json_object('id', c.id, 'short_name', c.short_name, 'full_name', c.full_name, 'website', c.website)" +
			" FROM service_centers AS c WHERE c.id = s.service_center) AS service_center",
		relatedList("responsible_pis", "pis", "json_object('id', r.id, 'last_name', r.last_name, 'first_name', r.first_name,"+
			" 'institute', r.institute, 'orcid', r.orcid, 'is_associated_partner', json(CASE WHEN r.is_associated_partner THEN 'true' ELSE 'false' END))") +
			" AS responsible_pis",
		relatedList("edam_topics", "edam_terms", "json_object('id', r.id, 'accession', r.accession, 'label', r.label, 'uri', r.uri)") + " AS edam_topics",
		relatedList("edam_operations", "edam_terms", "json_object('id', r.id, 'accession', r.accession, 'label', r.label, 'uri', r.uri)") + " AS edam_operations",
		relatedList("licenses", "licenses", "json_object('id', r.id, 'license_id', r.license_id, 'name', r.name, 'reference_url', r.reference_url)") + " AS licenses",
		text("created"),
		text("updated"),
	}
	return "SELECT " + strings.Join(columns, ", ") + " FROM submissions AS s WHERE s.status = 'approved'"
}
