package catalogue

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"index/suffixarray"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The pages search an in-memory copy of the view rather than SQL: the
// catalogue is small (thousands of services), read far more often than it
// changes, and one query searches a dozen texts of five related tables.
// The copy is rebuilt after any change, like the EDAM typeahead index.

// category, centre, person, term and license are the related rows the
// view embeds as JSON.
type category struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type centre struct {
	ID        string `json:"id"`
	ShortName string `json:"short_name"`
	FullName  string `json:"full_name"`
	Website   string `json:"website"`
}

type person struct {
	ID                  string `json:"id"`
	LastName            string `json:"last_name"`
	FirstName           string `json:"first_name"`
	Institute           string `json:"institute"`
	ORCID               string `json:"orcid"`
	IsAssociatedPartner bool   `json:"is_associated_partner"`
}

// Name is "First Last", as shown on the pages.
func (p person) Name() string { return strings.TrimSpace(p.FirstName + " " + p.LastName) }

// ORCIDURL is the person's ORCID page, or "".
func (p person) ORCIDURL() string {
	if p.ORCID == "" {
		return ""
	}
	return "https://orcid.org/" + p.ORCID
}

type term struct {
	ID        string `json:"id"`
	Accession string `json:"accession"`
	Label     string `json:"label"`
	URI       string `json:"uri"`
}

// PageURL is the term's page on the EDAM site.
func (t term) PageURL() string { return "https://edamontology.org/" + t.Accession }

type license struct {
	ID           string `json:"id"`
	LicenseID    string `json:"license_id"`
	Name         string `json:"name"`
	ReferenceURL string `json:"reference_url"`
}

// service is one approved service with everything the pages show.
type service struct {
	ID               string
	Name             string
	Description      string
	YearEstablished  int
	IsToolbox        bool
	ToolboxName      string
	UserKnowledge    string
	Publications     string
	HostInstitute    string
	PartnerNote      string
	PublicContact    string
	WebsiteURL       string
	TermsURL         string
	GitHubURL        string
	BioToolsURL      string
	FAIRsharingURL   string
	OtherRegistryURL string
	LicenseNote      string
	KeywordsSEO      string
	KeywordsUncited  string
	Maturity         string   // primary tag: mature, emerging, legacy or ""
	Secondary        []string // e.g. unstable
	LogoPath         string   // below /api/files/, or ""
	Categories       []category
	Centre           *centre
	PIs              []person
	Topics           []term
	Operations       []term
	Licenses         []license
	Created          time.Time
	Updated          time.Time

	// derived when the index is built
	Path    string // /catalogue/<id>/
	Initial string // shown when there is no logo
	Excerpt string // the start of the description, for cards
	nameKey string // for sorting
	text    [2]int // where its searchable text lies in the indexed texts
	card    struct {
		once sync.Once
		html template.HTML
		err  error
	}
}

// MaturityTags are the service's maturity tags, primary first.
func (s *service) MaturityTags() []string {
	var tags []string
	if s.Maturity != "" {
		tags = append(tags, s.Maturity)
	}
	return append(tags, s.Secondary...)
}

// Keywords are the SEO and uncited keywords, split at commas and
// semicolons, without duplicates.
func (s *service) Keywords() []string {
	var out []string
	seen := map[string]bool{}
	for _, raw := range []string{s.KeywordsSEO, s.KeywordsUncited} {
		for _, k := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
			k = strings.TrimSpace(k)
			if k != "" && !seen[strings.ToLower(k)] {
				seen[strings.ToLower(k)] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// maturityLabels are the display names of the maturity tags, in filter order.
var maturityLabels = []struct{ value, label string }{
	{"mature", "Mature"}, {"emerging", "Emerging"}, {"legacy", "Legacy"}, {"unstable", "Unstable"},
}

// maturityLabel returns the display name of a maturity tag.
func maturityLabel(tag string) string {
	for _, m := range maturityLabels {
		if m.value == tag {
			return m.label
		}
	}
	return tag
}

// option is one choice of a filter, with the number of services it has.
type option struct {
	Value string
	Label string
	Extra string // e.g. a centre's full name
	Count int
}

// index is the searchable copy of the view. It is rebuilt, never modified,
// apart from what it renders and encodes on first use (cards, filter
// checkboxes, the GA4GH list and the feed).
type index struct {
	built time.Time

	services []*service // by name
	byID     map[string]*service
	// suffixes indexes the lower-cased searchable texts of all services,
	// one after the other, separated by NUL bytes (search words never
	// contain one, so no match spans two services).
	suffixes *suffixarray.Index
	// orders are positions in services for each descending sort key.
	byUpdated []int
	byCreated []int

	categories []option
	centres    []option
	topics     []option
	maturity   []option
	labels     map[string]map[string]string // dimension → value → label

	// rendered filter checkboxes, made on first use (pages.go)
	optionsOnce sync.Once
	optionsHTML map[string][]renderedOption
	optionsErr  error

	// encoded documents, made on first use
	docsOnce sync.Once
	ga4ghAll []byte
	atom     []byte
	docsErr  error
}

// viewRow is one row of the view as read by buildIndex.
type viewRow struct {
	ID               string `db:"id"`
	Name             string `db:"service_name"`
	Description      string `db:"service_description"`
	YearEstablished  int    `db:"year_established"`
	IsToolbox        bool   `db:"is_toolbox"`
	ToolboxName      string `db:"toolbox_name"`
	UserKnowledge    string `db:"user_knowledge_required"`
	Publications     string `db:"publications_pmids"`
	HostInstitute    string `db:"host_institute"`
	PartnerNote      string `db:"associated_partner_note"`
	PublicContact    string `db:"public_contact_email"`
	WebsiteURL       string `db:"website_url"`
	TermsURL         string `db:"terms_of_use_url"`
	GitHubURL        string `db:"github_url"`
	BioToolsURL      string `db:"biotools_url"`
	FAIRsharingURL   string `db:"fairsharing_url"`
	OtherRegistryURL string `db:"other_registry_url"`
	LicenseNote      string `db:"license_note"`
	KeywordsSEO      string `db:"keywords_seo"`
	KeywordsUncited  string `db:"keywords_uncited"`
	Maturity         string `db:"primary_maturity_tag"`
	Secondary        string `db:"secondary_maturity_tags"`
	LogoPath         string `db:"logo_url"`
	Categories       string `db:"categories"`
	Centre           string `db:"service_center"`
	PIs              string `db:"responsible_pis"`
	Topics           string `db:"edam_topics"`
	Operations       string `db:"edam_operations"`
	Licenses         string `db:"licenses"`
	Created          string `db:"created"`
	Updated          string `db:"updated"`
}

// viewColumns selects every column of the view, NULL as empty.
var viewColumns = func() []string {
	cols := []string{"id", "service_name", "service_description", "COALESCE(year_established, 0) AS year_established",
		"COALESCE(is_toolbox, 0) AS is_toolbox"}
	for _, c := range []string{"toolbox_name", "user_knowledge_required", "publications_pmids", "host_institute",
		"associated_partner_note", "public_contact_email", "website_url", "terms_of_use_url", "github_url",
		"biotools_url", "fairsharing_url", "other_registry_url", "license_note", "keywords_seo", "keywords_uncited",
		"primary_maturity_tag", "secondary_maturity_tags", "logo_url", "categories", "service_center",
		"responsible_pis", "edam_topics", "edam_operations", "licenses", "created", "updated"} {
		cols = append(cols, "COALESCE("+c+", '') AS "+c)
	}
	return cols
}()

// stampTables are the tables the view reads from.
var stampTables = []string{"submissions", "categories", "service_centers", "pis", "edam_terms", "licenses"}

// stampQuery summarises those tables (row counts and latest changes).
// Writes by another process, such as an import next to a running server,
// fire no hooks here; a changed stamp reveals them.
var stampQuery = func() string {
	parts := make([]string, len(stampTables))
	for i, t := range stampTables {
		parts[i] = "(SELECT COUNT(*) || '@' || COALESCE(MAX(updated), '') FROM " + t + ")"
	}
	return "SELECT " + strings.Join(parts, " || '|' || ") + " AS stamp"
}()

func tableStamp(app core.App) (string, error) {
	var row struct {
		Stamp string `db:"stamp"`
	}
	err := app.DB().NewQuery(stampQuery).One(&row)
	return row.Stamp, err
}

// buildIndex reads the view and prepares it for searching.
func buildIndex(app core.App) (*index, error) {
	var rows []viewRow
	if err := app.DB().Select(viewColumns...).From(Collection).All(&rows); err != nil {
		return nil, fmt.Errorf("reading %s: %w", Collection, err)
	}
	services := make([]*service, 0, len(rows))
	for i := range rows {
		s, err := rows[i].service()
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", rows[i].ID, err)
		}
		services = append(services, s)
	}
	return newIndex(services), nil
}

// service decodes a view row.
func (r *viewRow) service() (*service, error) {
	s := &service{
		ID: r.ID, Name: r.Name, Description: r.Description, YearEstablished: r.YearEstablished,
		IsToolbox: r.IsToolbox, ToolboxName: r.ToolboxName, UserKnowledge: r.UserKnowledge,
		Publications: r.Publications, HostInstitute: r.HostInstitute, PartnerNote: r.PartnerNote,
		PublicContact: r.PublicContact, WebsiteURL: r.WebsiteURL, TermsURL: r.TermsURL,
		GitHubURL: r.GitHubURL, BioToolsURL: r.BioToolsURL, FAIRsharingURL: r.FAIRsharingURL,
		OtherRegistryURL: r.OtherRegistryURL, LicenseNote: r.LicenseNote, KeywordsSEO: r.KeywordsSEO,
		KeywordsUncited: r.KeywordsUncited, Maturity: r.Maturity, LogoPath: r.LogoPath,
	}
	for _, field := range []struct {
		raw  string
		into any
	}{
		{r.Secondary, &s.Secondary}, {r.Categories, &s.Categories}, {r.Centre, &s.Centre},
		{r.PIs, &s.PIs}, {r.Topics, &s.Topics}, {r.Operations, &s.Operations}, {r.Licenses, &s.Licenses},
	} {
		if field.raw == "" {
			continue
		}
		if err := json.Unmarshal([]byte(field.raw), field.into); err != nil {
			return nil, err
		}
	}
	for _, d := range []struct {
		raw  string
		into *time.Time
	}{{r.Created, &s.Created}, {r.Updated, &s.Updated}} {
		if dt, err := types.ParseDateTime(d.raw); err == nil {
			*d.into = dt.Time()
		}
	}
	return s, nil
}

// excerptRunes is the length of the description on cards.
const excerptRunes = 220

// newIndex sorts the services and prepares their texts and the filter
// options.
func newIndex(services []*service) *index {
	idx := &index{built: time.Now(), services: services, byID: make(map[string]*service, len(services))}
	for _, s := range services {
		s.Path = "/catalogue/" + s.ID + "/"
		s.nameKey = strings.ToLower(s.Name)
		if r, _ := utf8.DecodeRuneInString(strings.TrimSpace(s.Name)); r != utf8.RuneError {
			s.Initial = strings.ToUpper(string(r))
		}
		s.Excerpt = excerpt(s.Description, excerptRunes)
		idx.byID[s.ID] = s
	}
	slices.SortFunc(services, func(a, b *service) int {
		return cmp.Or(strings.Compare(a.nameKey, b.nameKey), strings.Compare(a.ID, b.ID))
	})

	var texts bytes.Buffer
	for _, s := range services {
		start := texts.Len()
		writeSearchText(&texts, s)
		s.text = [2]int{start, texts.Len()}
		texts.WriteByte(0)
	}
	idx.suffixes = suffixarray.New(texts.Bytes())

	idx.byUpdated = sortedPositions(services, func(s *service) time.Time { return s.Updated })
	idx.byCreated = sortedPositions(services, func(s *service) time.Time { return s.Created })
	idx.buildOptions()
	return idx
}

// writeSearchText writes the lower-cased texts a search looks at, one per
// line, so that no match spans two of them.
func writeSearchText(b *bytes.Buffer, s *service) {
	add := func(text string) {
		if text = strings.TrimSpace(text); text != "" {
			b.WriteString(strings.ToLower(strings.ReplaceAll(text, "\x00", "")))
			b.WriteByte('\n')
		}
	}
	add(s.Name)
	add(s.Description)
	add(s.KeywordsSEO)
	add(s.KeywordsUncited)
	add(s.HostInstitute)
	add(s.ToolboxName)
	for _, c := range s.Categories {
		add(c.Name)
	}
	if s.Centre != nil {
		add(s.Centre.ShortName)
		add(s.Centre.FullName)
	}
	for _, p := range s.PIs {
		add(p.Name())
		add(p.LastName + ", " + p.FirstName)
	}
	for _, t := range s.Topics {
		add(t.Label)
	}
	for _, t := range s.Operations {
		add(t.Label)
	}
}

// sortedPositions orders the positions of services by key, newest first;
// services with the same time keep name order.
func sortedPositions(services []*service, key func(*service) time.Time) []int {
	positions := make([]int, len(services))
	for i := range positions {
		positions[i] = i
	}
	slices.SortStableFunc(positions, func(a, b int) int {
		return key(services[b]).Compare(key(services[a]))
	})
	return positions
}

// buildOptions collects the filter choices: every category, centre, EDAM
// topic and maturity tag that at least one service has.
func (idx *index) buildOptions() {
	cats, centres, topics, maturity := map[string]*option{}, map[string]*option{}, map[string]*option{}, map[string]*option{}
	count := func(m map[string]*option, value, label, extra string) {
		if o := m[value]; o != nil {
			o.Count++
			return
		}
		m[value] = &option{Value: value, Label: label, Extra: extra, Count: 1}
	}
	for _, s := range idx.services {
		for _, c := range s.Categories {
			count(cats, c.ID, c.Name, "")
		}
		if s.Centre != nil {
			count(centres, s.Centre.ID, s.Centre.ShortName, s.Centre.FullName)
		}
		for _, t := range s.Topics {
			count(topics, t.Accession, t.Label, "")
		}
		for _, tag := range s.MaturityTags() {
			count(maturity, tag, maturityLabel(tag), "")
		}
	}
	byLabel := func(m map[string]*option) []option {
		out := make([]option, 0, len(m))
		for _, o := range m {
			out = append(out, *o)
		}
		slices.SortFunc(out, func(a, b option) int {
			return cmp.Or(strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label)), strings.Compare(a.Value, b.Value))
		})
		return out
	}
	idx.categories, idx.centres, idx.topics = byLabel(cats), byLabel(centres), byLabel(topics)
	for _, m := range maturityLabels {
		if o := maturity[m.value]; o != nil {
			idx.maturity = append(idx.maturity, *o)
		}
	}
	idx.labels = map[string]map[string]string{}
	for dim, opts := range map[string][]option{
		paramCategory: idx.categories, paramCentre: idx.centres, paramTopic: idx.topics, paramMaturity: idx.maturity,
	} {
		idx.labels[dim] = map[string]string{}
		for _, o := range opts {
			idx.labels[dim][o.Value] = o.Label
		}
	}
	for _, m := range maturityLabels {
		idx.labels[paramMaturity][m.value] = m.label
	}
}

// excerpt shortens text to about n characters at a word boundary.
func excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	cut := 0
	for i := range text {
		if n == 0 {
			cut = i
			break
		}
		n--
	}
	if sp := strings.LastIndexByte(text[:cut], ' '); sp > cut/2 {
		cut = sp
	}
	return strings.TrimRight(text[:cut], " ,.;:") + "…"
}

// search returns the services matching q in the order q asks for.
func (idx *index) search(q query) []*service {
	matched := idx.matchText(q.Q)
	size := len(idx.services)
	if matched != nil {
		size = 0
		for _, m := range matched {
			if m {
				size++
			}
		}
	}
	out := make([]*service, 0, size)
	visit := func(pos int) {
		s := idx.services[pos]
		if (matched == nil || matched[pos]) && q.filters(s) {
			out = append(out, s)
		}
	}
	n := len(idx.services)
	switch q.Sort {
	case sortNameDesc:
		for i := n - 1; i >= 0; i-- {
			visit(i)
		}
	case sortUpdatedDesc, sortUpdatedAsc, sortAddedDesc, sortAddedAsc:
		order := idx.byUpdated
		if q.Sort == sortAddedDesc || q.Sort == sortAddedAsc {
			order = idx.byCreated
		}
		if q.Sort == sortUpdatedDesc || q.Sort == sortAddedDesc {
			for _, pos := range order {
				visit(pos)
			}
		} else {
			for i := n - 1; i >= 0; i-- {
				visit(order[i])
			}
		}
	default:
		for i := range n {
			visit(i)
		}
	}
	return out
}

// minLookupWord is the shortest word looked up in the suffix array; a
// shorter one occurs so often that checking every text is cheaper.
const minLookupWord = 3

// matchText marks the services whose text contains every word of q
// (case-insensitive); nil means all services. The longest word is looked up
// in the suffix array, so its cost grows with its occurrences, not with the
// size of the catalogue; the other words are then checked in the texts of
// the services found.
func (idx *index) matchText(q string) []bool {
	words := searchWords(q)
	if len(words) == 0 {
		return nil
	}
	slices.SortStableFunc(words, func(a, b string) int { return len(b) - len(a) })
	texts := idx.suffixes.Bytes()
	matched := make([]bool, len(idx.services))
	rest := words
	if len(words[0]) >= minLookupWord {
		for _, off := range idx.suffixes.Lookup([]byte(words[0]), -1) {
			matched[idx.serviceAt(off)] = true
		}
		rest = words[1:]
	} else {
		for pos := range matched {
			matched[pos] = true
		}
	}
	for pos, s := range idx.services {
		if !matched[pos] {
			continue
		}
		text := texts[s.text[0]:s.text[1]]
		for _, w := range rest {
			if !bytes.Contains(text, []byte(w)) {
				matched[pos] = false
				break
			}
		}
	}
	return matched
}

// serviceAt returns the position of the service whose text holds offset
// off of the indexed texts.
func (idx *index) serviceAt(off int) int {
	// the first service starting after off, minus one
	return sort.Search(len(idx.services), func(i int) bool { return idx.services[i].text[0] > off }) - 1
}

// maxSearchWords bounds the work one query can cause.
const maxSearchWords = 10

// searchWords splits q into distinct lower-cased words.
func searchWords(q string) []string {
	var words []string
	for _, w := range strings.Fields(strings.ToLower(q)) {
		w = strings.ReplaceAll(w, "\x00", "")
		if w != "" && !slices.Contains(words, w) {
			words = append(words, w)
		}
		if len(words) == maxSearchWords {
			break
		}
	}
	return words
}

// group is a labelled part of a grouped result.
type group struct {
	Label    string
	Services []*service
}

// groupServices splits services (in result order) by dimension; the groups
// are sorted by label, the "no value" group last.
func groupServices(services []*service, dimension string) []group {
	fallback := "Unknown"
	label := func(s *service) string { return "" }
	switch dimension {
	case groupCategory:
		fallback = "Uncategorised"
		label = func(s *service) string {
			first := ""
			for _, c := range s.Categories {
				if first == "" || strings.ToLower(c.Name) < strings.ToLower(first) {
					first = c.Name
				}
			}
			return first
		}
	case groupCentre:
		label = func(s *service) string {
			if s.Centre == nil {
				return ""
			}
			return s.Centre.ShortName
		}
	case groupPI:
		label = func(s *service) string {
			for _, p := range s.PIs {
				if !p.IsAssociatedPartner {
					return strings.TrimSuffix(p.LastName+", "+p.FirstName, ", ")
				}
			}
			if len(s.PIs) > 0 {
				return "Associated partner"
			}
			return ""
		}
	}
	byLabel := map[string]*group{}
	var groups []*group
	for _, s := range services {
		l := label(s)
		if l == "" {
			l = fallback
		}
		g := byLabel[l]
		if g == nil {
			g = &group{Label: l}
			byLabel[l] = g
			groups = append(groups, g)
		}
		g.Services = append(g.Services, s)
	}
	slices.SortFunc(groups, func(a, b *group) int {
		if (a.Label == fallback) != (b.Label == fallback) {
			if a.Label == fallback {
				return 1
			}
			return -1
		}
		return strings.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label))
	})
	out := make([]group, len(groups))
	for i, g := range groups {
		out[i] = *g
	}
	return out
}

// currentIndex returns the index, rebuilt first if a table changed.
func (p *plugin) currentIndex() (*index, error) { return p.index.Get() }
