// The registration form, section by section: every field with its wire name
// (the collection API's field name), label, help text and widget. form.js
// renders the form from this list, and the edit page uses the labels to
// say what changed. Field names are fixed by the API; the words are ours.
//
// Widgets: text, email, url, date, number, textarea, yesno (two radios),
// checkboxes (categories), select (native), people (PIs), institution
// (pick from the list or type a new name), edam, licenses, file, consent.
// Entries without a name are headings or notes inside a section.

export const MAX_EDAM_TERMS = 6;
export const MAX_LICENSES = 6;

export const SECTIONS = [
  {
    id: "a",
    title: "General information",
    intro: "Who is filling in this form.",
    fields: [
      { name: "date_of_entry", label: "Date of this entry", type: "date", required: true,
        help: "The date you fill in this form. It is set to today; change it only if you copy an older entry.",
        editHelp: "The date of the information in this entry. Set it to today when you bring the entry up to date." },
      { name: "submitter_first_name", label: "First name", type: "text", required: true, maxlength: 100,
        autocomplete: "given-name", placeholder: "e.g. Ada", help: "Your first name (at least 2 characters)." },
      { name: "submitter_last_name", label: "Last name", type: "text", required: true, maxlength: 100,
        autocomplete: "family-name", placeholder: "e.g. Lovelace", help: "Your last name (at least 2 characters)." },
      { name: "submitter_affiliation", label: "Institute or affiliation", type: "institution", required: true, maxlength: 300,
        help: "Start typing to pick your institute from the list, or type its name if it is not there." },
      { name: "register_as_elixir", label: "Also register this service as an ELIXIR-DE service?", type: "yesno", initial: false,
        help: "Choose Yes if the service should also be listed among the ELIXIR Germany services." },
    ],
  },
  {
    id: "b",
    title: "Service master data",
    intro: "What the service is and what it does. These details describe the service in the registry and to the coordination office.",
    fields: [
      { name: "service_name", label: "Name of the service", type: "text", required: true, maxlength: 300,
        help: "The official name, as users know it (at least 3 characters)." },
      { name: "service_description", label: "Service description", type: "textarea", rows: 6, required: true,
        minlength: 50, maxlength: 5000, counter: true,
        help: "What the service offers and for whom: 50 to 5000 characters. Around 75 to 500 words work well." },
      { name: "year_established", label: "Year the service was established", type: "number", required: true,
        min: 1900, max: 2100, placeholder: "YYYY", inputmode: "numeric",
        help: "The year the service first became available to users." },
      { name: "service_categories", label: "Service categories", type: "checkboxes", required: true,
        help: "Choose every category that fits." },
      { name: "is_toolbox", label: "Is this service a toolbox, or part of one?", type: "yesno", initial: false,
        help: "A de.NBI toolbox bundles several related tools." },
      { name: "toolbox_name", label: "Name of the de.NBI toolbox", type: "text", maxlength: 200, requiredWhenShown: true,
        showIf: (v) => v.is_toolbox === true,
        help: "Which toolbox the service belongs to. Please talk to the de.NBI service coordination before you register a new toolbox." },
      { name: "user_knowledge_required", label: "Knowledge users need", type: "textarea", rows: 3, maxlength: 5000,
        help: "Optional: what users should know before they start, e.g. command-line experience or statistics." },
      { heading: "EDAM annotations",
        text: "EDAM terms describe the scientific topics of the service and the operations it performs. They make the service easier to find in bio.tools, ELIXIR and EOSC. Optional, but strongly recommended.",
        link: { href: "https://edamontology.org/page", text: "What is EDAM?" } },
      { name: "edam_topics", label: "EDAM topics", type: "edam", branch: "topic", max: MAX_EDAM_TERMS,
        placeholder: "Search topics, e.g. Proteomics or Genomics",
        help: `Scientific fields the service belongs to. Type at least 2 letters to search; choose up to ${MAX_EDAM_TERMS}.` },
      { name: "edam_operations", label: "EDAM operations", type: "edam", branch: "operation", max: MAX_EDAM_TERMS,
        placeholder: "Search operations, e.g. Sequence alignment",
        help: `What the service does with data. Type at least 2 letters to search; choose up to ${MAX_EDAM_TERMS}.` },
      { name: "publications_pmids", label: "Publications about the service (PMIDs or DOIs)", type: "textarea", rows: 2,
        required: true, maxlength: 5000, placeholder: "e.g. 12345678, 10.1000/xyz123",
        help: "Separate several with commas, at most 50. A PMID is digits only; a DOI starts with 10. If there is no publication yet (for example for a consulting service), enter 1234567." },
      { name: "logo", label: "Service logo", type: "file", accept: ".png,.jpg,.jpeg,.svg,image/png,image/jpeg,image/svg+xml",
        help: "Optional. PNG, JPEG or SVG, at most 10 MB." },
    ],
  },
  {
    id: "c",
    title: "Responsibilities and contacts",
    intro: "Who is responsible for the service, and whom users and the administration office can contact.",
    fields: [
      { name: "responsible_pis", label: "Principal investigators responsible for the service", type: "people", required: true,
        placeholder: "Search by name",
        help: "Choose one or more. If the person is not listed, choose “Associated partner” and name them below." },
      { name: "associated_partner_note", label: "Associated partner", type: "textarea", rows: 3, maxlength: 5000,
        requiredWhenShown: true, showIf: (v, form) => form.hasAssociatedPartner(),
        help: "Name and affiliation of the associated partner who is responsible for the service." },
      { name: "host_institute", label: "Host institute of the service", type: "institution", required: true, maxlength: 300,
        help: "The institute that runs the service. Pick it from the list or type its name." },
      { name: "service_center", label: "de.NBI service centre", type: "select", required: true,
        emptyOption: "Choose a service centre…",
        help: "The de.NBI service centre the service belongs to." },
      { heading: "Public contact" },
      { name: "public_contact_email", label: "Public contact: email address or support page", type: "text", required: true,
        maxlength: 2000, inputmode: "email", placeholder: "support@example.org or https://example.org/support",
        help: "Shown publicly, for example on the de.NBI service pages. An email address that is read, or a support page starting with https://." },
      { heading: "Internal contact",
        text: "Used only by the de.NBI administration office, never shown publicly." },
      { name: "internal_contact_name", label: "Internal contact person (name and affiliation)", type: "text", required: true,
        maxlength: 200, autocomplete: "name", writeOnly: true,
        help: "The person the administration office writes to about this service." },
      { name: "internal_contact_email", label: "Internal contact email", type: "email", required: true, maxlength: 254,
        autocomplete: "email", writeOnly: true,
        help: "Receives the confirmation of this registration and later notices about the entry." },
      { name: "internal_contact_email_confirm", label: "Confirm the internal contact email", type: "email", required: true,
        maxlength: 254, autocomplete: "off", clientOnly: true, writeOnly: true,
        help: "Type the address again, so a typing mistake does not cut you off from the notices." },
    ],
  },
  {
    id: "d",
    title: "Websites and links",
    intro: "Public links of the service: its website, terms of use, licensing and entries in other registries.",
    fields: [
      { name: "website_url", label: "Service website", type: "url", required: true, maxlength: 2000, placeholder: "https://",
        help: "The address users start from. It must begin with https://." },
      { name: "terms_of_use_url", label: "Terms of use", type: "url", required: true, maxlength: 2000, placeholder: "https://",
        help: "The page with the service's terms of use (https://)." },
      { heading: "Licensing",
        text: "Choose at least one license, or, if no standard license fits, describe the situation in the license note." },
      { name: "licenses", label: "Licenses", type: "licenses", max: MAX_LICENSES, oneOf: "license",
        placeholder: "Search licenses, e.g. MIT or Apache-2.0",
        help: `SPDX licenses the service is published under, up to ${MAX_LICENSES}. Type to search by name or identifier.` },
      { name: "license_note", label: "License note", type: "text", maxlength: 200, oneOf: "license",
        placeholder: "e.g. Not applicable, Proprietary, or the name of a custom license",
        help: "For cases no SPDX license covers." },
      { name: "github_url", label: "GitHub repository", type: "url", maxlength: 2000, placeholder: "https://github.com/…",
        help: "Optional. Must start with https://github.com/." },
      { name: "biotools_url", label: "bio.tools entry", type: "url", maxlength: 2000, placeholder: "https://bio.tools/…",
        prefill: true,
        help: "Optional. Must start with https://bio.tools/. If the service is in bio.tools, we look up its entry when you leave this field and offer to fill in the empty fields from it." },
      { name: "fairsharing_url", label: "FAIRsharing entry", type: "url", maxlength: 2000, placeholder: "https://fairsharing.org/…",
        help: "Optional. Must start with https://fairsharing.org/." },
      { name: "other_registry_url", label: "Entry in another registry", type: "url", maxlength: 2000, placeholder: "https://",
        help: "Optional. Any other registry that lists the service (https://)." },
    ],
  },
  {
    id: "e",
    title: "Key performance indicators",
    intro: "de.NBI services report key performance indicators (KPIs) such as user numbers. The de.NBI KPI guide explains which ones.",
    link: { href: "https://www.denbi.de/images/Service/20210624_KPI_Cheat_Sheet_doi.pdf", text: "Read the KPI guide (PDF, opens in a new tab)." },
    fields: [
      { name: "kpi_monitoring", label: "Is KPI monitoring in place?", type: "select", required: true,
        emptyOption: "Choose…", options: [{ value: "yes", label: "Yes" }, { value: "planned", label: "Planned" }],
        help: "Whether the service already collects its KPIs, or plans to." },
      { name: "kpi_start_year", label: "Year KPI monitoring started", type: "text", maxlength: 100, requiredWhenShown: true,
        placeholder: "YYYY", showIf: (v) => v.kpi_monitoring === "yes",
        help: "The year, or a short note such as “since the 2021 release”." },
    ],
  },
  {
    id: "f",
    title: "Discoverability and outreach",
    intro: "Help the network find uses of the service and tell others about it.",
    fields: [
      { name: "keywords_uncited", label: "Keywords to find uses without a proper citation", type: "textarea", rows: 2,
        maxlength: 5000, help: "Optional. Words or names that show up when people use the service but do not cite it." },
      { name: "keywords_seo", label: "Keywords for search engines", type: "textarea", rows: 2, maxlength: 5000,
        help: "Optional. Words that help search engines and AI assistants find the service." },
      { name: "survey_participation", label: "Take part in de.NBI user surveys?", type: "yesno", initial: true,
        help: "Whether the service joins the network's regular user surveys." },
      { name: "comments", label: "Comments", type: "textarea", rows: 4, maxlength: 5000,
        help: "Optional. Anything else the administration office should know." },
    ],
  },
  {
    id: "g",
    title: "Data protection and consent",
    intro: "",
    fields: [
      { consentText: true },
      { name: "data_protection_consent", label: "I agree to the data protection information above, and I agree that de.NBI may feature this service in outreach such as social media posts and newsletters.",
        type: "consent", required: true, createOnly: true, help: "" },
    ],
  },
];

// FIELDS lists every field with its section id.
export const FIELDS = SECTIONS.flatMap((s) => s.fields.filter((f) => f.name).map((f) => ({ ...f, section: s.id })));

// fieldByName finds a field definition.
export function fieldByName(name) {
  return FIELDS.find((f) => f.name === name);
}

// STATUS_LABELS are the fallback names of the statuses (the server's
// /api/registry/site has the authoritative ones).
export const STATUS_LABELS = {
  draft: "Draft",
  submitted: "Submitted",
  under_review: "Under review",
  approved: "Approved",
  rejected: "Rejected",
  deprecated: "Deprecated",
};
