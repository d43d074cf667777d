package catalogue

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/denbi/service-registry/internal/routes"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

//go:embed templates static
var files embed.FS

// Paths of the catalogue.
const (
	basePath  = "/catalogue/"
	gridPath  = "/catalogue/grid/"
	feedPath  = "/catalogue/feed.atom"
	assetBase = "/catalogue/static/"
)

// asset is an embedded stylesheet or script, served with a long cache
// lifetime under a URL that carries its content hash.
type asset struct {
	body        []byte
	contentType string
	url         string // with ?v=<hash>
}

// pages holds the parsed templates and the assets.
type pages struct {
	list, grid, detail, gone, missing *template.Template
	assets                            map[string]asset // by file name
}

// templateFuncs returns the helpers the templates use.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"date":     func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
		"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"maturity": maturityLabel,
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return one
			}
			return many
		},
		"take": func(n int, terms []term) []term { return terms[:min(n, len(terms))] },
		"more": func(n int, terms []term) int { return max(0, len(terms)-n) },
	}
}

// newPages parses the embedded templates and hashes the assets.
func newPages() (*pages, error) {
	p := &pages{assets: map[string]asset{}}
	parse := func(names ...string) (*template.Template, error) {
		paths := make([]string, len(names))
		for i, n := range names {
			paths[i] = "templates/" + n
		}
		return template.New(names[0]).Funcs(templateFuncs()).ParseFS(files, paths...)
	}
	entries, err := fs.ReadDir(files, "static")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		body, err := files.ReadFile("static/" + e.Name())
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		p.assets[e.Name()] = asset{
			body:        body,
			contentType: mime.TypeByExtension(path.Ext(e.Name())),
			url:         assetBase + e.Name() + "?v=" + hex.EncodeToString(sum[:6]),
		}
	}
	for _, t := range []struct {
		into  **template.Template
		files []string
	}{
		{&p.list, []string{"layout.html", "list.html", "results.html"}},
		{&p.grid, []string{"results.html"}},
		{&p.detail, []string{"layout.html", "detail.html"}},
		{&p.gone, []string{"layout.html", "gone.html"}},
		{&p.missing, []string{"layout.html", "missing.html"}},
	} {
		tmpl, err := parse(t.files...)
		if err != nil {
			return nil, err
		}
		*t.into = tmpl
	}
	return p, nil
}

// bindRoutes adds the catalogue's pages, feed, assets and the GA4GH API.
func (p *plugin) bindRoutes(se *core.ServeEvent) {
	routes.GetSlashed(se.Router, basePath, p.handleList)
	routes.GetSlashed(se.Router, gridPath, p.handleGrid)
	routes.GetSlashed(se.Router, basePath+"{id}/", p.handleService)
	se.Router.GET(feedPath, p.handleFeed)
	for name, a := range p.pages.assets {
		se.Router.GET(assetBase+name, func(e *core.RequestEvent) error {
			e.Response.Header().Set("Cache-Control", "public, max-age=86400")
			return e.Blob(http.StatusOK, a.contentType, a.body)
		})
	}
	p.bindGA4GH(se)
}

// layout is what every page's frame needs.
type layout struct {
	SiteName     string
	ContactEmail string
	Title        string
	Description  string
	Canonical    string // absolute
	NoIndex      bool
	CSS          string
	JS           string
	JSONLD       template.JS
}

// choice is a filter or select option as rendered. It is flat (no
// embedded option) because templates find fields of flat structs faster.
type choice struct {
	ID         string
	Name       string
	Value      string
	Label      string
	Extra      string
	Count      int
	CountLabel string // "2 services"
	Checked    bool
}

// facet is one group of filter checkboxes.
type facet struct {
	Legend  string
	Name    string
	Choices []template.HTML
	Long    bool // many choices: the list scrolls
}

// pill is an active filter with the address that removes it.
type pill struct {
	Kind      string
	Label     string
	RemoveURL string
}

// pageLink is one entry of the pagination.
type pageLink struct {
	Number  int
	URL     string
	Current bool
	Gap     bool
}

// pagination describes the page links under the results.
type pagination struct {
	Page, Pages, Total int
	Prev, Next         string
	Links              []pageLink
}

// listPage is the data of /catalogue/ and /catalogue/grid/.
type listPage struct {
	layout
	Query     query
	Count     int  // matching services
	Filtered  bool // the query narrows the catalogue
	Empty     bool
	View      string
	Cards     []template.HTML // this page, ungrouped
	Groups    []cardGroup
	Paging    pagination
	Pills     []pill
	Facets    []facet
	Selected  int // number of chosen filter values
	Sorts     []choice
	Groupings []choice
	Views     []choice
	URL       string // the canonical address of this state
}

// handleList serves the catalogue page.
func (p *plugin) handleList(e *core.RequestEvent) error {
	data, err := p.listData(e)
	if err != nil {
		return err
	}
	return p.render(e, http.StatusOK, p.pages.list, "layout", data)
}

// handleGrid serves the results part of the page for the script, with the
// page's address in X-Catalogue-Url.
func (p *plugin) handleGrid(e *core.RequestEvent) error {
	data, err := p.listData(e)
	if err != nil {
		return err
	}
	e.Response.Header().Set("X-Catalogue-Url", data.URL)
	e.Response.Header().Set("X-Robots-Tag", "noindex")
	return p.render(e, http.StatusOK, p.pages.grid, "grid", data)
}

// listData runs the query of the request against the index.
func (p *plugin) listData(e *core.RequestEvent) (*listPage, error) {
	idx, err := p.currentIndex()
	if err != nil {
		return nil, e.InternalServerError("The catalogue could not be loaded.", err)
	}
	q := parseQuery(e.Request.URL.Query())
	found := idx.search(q)

	d := &listPage{
		Query: q, Count: len(found), Filtered: q.filtered(), Empty: len(found) == 0, View: q.View,
	}
	if q.GroupBy != "" {
		for _, g := range groupServices(found, q.GroupBy) {
			cards, err := p.cards(g.Services)
			if err != nil {
				return nil, e.InternalServerError("The page could not be rendered.", err)
			}
			d.Groups = append(d.Groups, cardGroup{Label: g.Label, Cards: cards})
		}
		q.Page = 1
	} else {
		pages := max(1, (len(found)+p.config.PerPage-1)/p.config.PerPage)
		q.Page = min(q.Page, pages) // beyond the end: the last page
		from := (q.Page - 1) * p.config.PerPage
		if d.Cards, err = p.cards(found[from:min(from+p.config.PerPage, len(found))]); err != nil {
			return nil, e.InternalServerError("The page could not be rendered.", err)
		}
		d.Paging = paginate(q, pages, len(found))
	}
	d.Query = q
	d.URL = q.url(true)

	title := "Registry Catalogue — " + p.config.SiteName
	if q.Page > 1 {
		title = "Registry Catalogue, page " + strconv.Itoa(q.Page) + " — " + p.config.SiteName
	}
	d.layout = layout{
		SiteName: p.config.SiteName, ContactEmail: p.config.ContactEmail, Title: title, Description: p.config.MetaDescription,
		// filtered, sorted and later pages show the same services: one
		// canonical address for all of them
		Canonical: p.siteURL() + basePath, CSS: p.pages.assets["catalogue.css"].url, JS: p.pages.assets["catalogue.js"].url,
	}

	if d.Facets, err = p.facets(idx, q); err != nil {
		return nil, e.InternalServerError("The page could not be rendered.", err)
	}
	d.Selected = len(q.Categories) + len(q.Centres) + len(q.Topics) + len(q.Maturity)
	d.Pills = pills(q, idx.labels)
	for _, s := range sortOptions {
		d.Sorts = append(d.Sorts, choice{Value: s.value, Label: s.label, Checked: q.Sort == s.value})
	}
	if q.Sort == sortUpdatedAsc || q.Sort == sortAddedAsc {
		label := map[string]string{sortUpdatedAsc: "Least recently updated", sortAddedAsc: "First added"}[q.Sort]
		d.Sorts = append(d.Sorts, choice{Value: q.Sort, Label: label, Checked: true})
	}
	for _, g := range groupOptions {
		d.Groupings = append(d.Groupings, choice{Value: g.value, Label: g.label, Checked: q.GroupBy == g.value})
	}
	for _, v := range viewOptions {
		d.Views = append(d.Views, choice{Value: v.value, Label: v.label, Checked: q.View == v.value})
	}
	return d, nil
}

// longFacet is the number of choices above which a facet's list scrolls.
const longFacet = 12

// facetDims are the filters in page order.
var facetDims = []struct{ legend, param string }{
	{"Category", paramCategory}, {"Service centre", paramCentre}, {"Maturity", paramMaturity}, {"EDAM topic", paramTopic},
}

// options returns the filter options of a dimension.
func (idx *index) options(param string) []option {
	switch param {
	case paramCategory:
		return idx.categories
	case paramCentre:
		return idx.centres
	case paramMaturity:
		return idx.maturity
	}
	return idx.topics
}

// renderedOption is a filter checkbox, rendered unticked and ticked.
type renderedOption [2]template.HTML

// renderOptions renders every filter checkbox of the index once, both ways;
// a page then only picks the right variant of each.
func (p *plugin) renderOptions(idx *index) (map[string][]renderedOption, error) {
	idx.optionsOnce.Do(func() {
		idx.optionsHTML = map[string][]renderedOption{}
		for _, dim := range facetDims {
			opts := idx.options(dim.param)
			rendered := make([]renderedOption, len(opts))
			for i, o := range opts {
				c := choice{ID: "f-" + dim.param + "-" + strconv.Itoa(i), Name: dim.param, Value: o.Value, Label: o.Label,
					Extra: o.Extra, Count: o.Count, CountLabel: countLabel(o.Count)}
				for k, checked := range []bool{false, true} {
					c.Checked = checked
					var buf bytes.Buffer
					if err := p.pages.list.ExecuteTemplate(&buf, "option", c); err != nil {
						idx.optionsErr = err
						return
					}
					rendered[i][k] = template.HTML(buf.String())
				}
			}
			idx.optionsHTML[dim.param] = rendered
		}
	})
	return idx.optionsHTML, idx.optionsErr
}

// facets lists the filters with the chosen values ticked; chosen values no
// service has (any more) are listed too, so they can be unticked.
func (p *plugin) facets(idx *index, q query) ([]facet, error) {
	rendered, err := p.renderOptions(idx)
	if err != nil {
		return nil, err
	}
	chosenOf := map[string][]string{paramCategory: q.Categories, paramCentre: q.Centres, paramMaturity: q.Maturity, paramTopic: q.Topics}
	var out []facet
	for _, dim := range facetDims {
		opts, chosen := idx.options(dim.param), chosenOf[dim.param]
		f := facet{Legend: dim.legend, Name: dim.param, Long: len(opts) > longFacet}
		known := map[string]bool{}
		for i, o := range opts {
			known[o.Value] = true
			k := 0
			if slices.Contains(chosen, o.Value) {
				k = 1
			}
			f.Choices = append(f.Choices, rendered[dim.param][i][k])
		}
		for i, c := range chosen {
			if known[c] {
				continue
			}
			label := idx.labels[dim.param][c]
			if label == "" {
				label = c
			}
			var buf bytes.Buffer
			if err := p.pages.list.ExecuteTemplate(&buf, "option", choice{ID: "f-" + dim.param + "-x" + strconv.Itoa(i),
				Name: dim.param, Value: c, Label: label, CountLabel: countLabel(0), Checked: true}); err != nil {
				return nil, err
			}
			f.Choices = append(f.Choices, template.HTML(buf.String()))
		}
		out = append(out, f)
	}
	return out, nil
}

// countLabel names a number of services.
func countLabel(n int) string {
	if n == 1 {
		return "1 service"
	}
	return strconv.Itoa(n) + " services"
}

// cardGroup is a group of rendered cards.
type cardGroup struct {
	Label string
	Cards []template.HTML
}

// cards returns the rendered cards of services. A card depends only on its
// service, so each is rendered once per index and then reused: a page is
// mostly copied, not rendered.
func (p *plugin) cards(services []*service) ([]template.HTML, error) {
	out := make([]template.HTML, len(services))
	for i, s := range services {
		s.card.once.Do(func() {
			var buf bytes.Buffer
			s.card.err = p.pages.grid.ExecuteTemplate(&buf, "card", s)
			s.card.html = template.HTML(buf.String())
		})
		if s.card.err != nil {
			return nil, s.card.err
		}
		out[i] = s.card.html
	}
	return out, nil
}

// pills describes the active filters, each with the address without it.
func pills(q query, labels map[string]map[string]string) []pill {
	var out []pill
	if q.Q != "" {
		out = append(out, pill{Kind: "Search", Label: "“" + q.Q + "”", RemoveURL: q.without(paramQ, "").url(false)})
	}
	for _, dim := range []struct {
		kind, param string
		values      []string
	}{
		{"Category", paramCategory, q.Categories}, {"Centre", paramCentre, q.Centres},
		{"Maturity", paramMaturity, q.Maturity}, {"EDAM topic", paramTopic, q.Topics},
	} {
		for _, v := range dim.values {
			label := labels[dim.param][v]
			if label == "" {
				label = v
			}
			out = append(out, pill{Kind: dim.kind, Label: label, RemoveURL: q.without(dim.param, v).url(false)})
		}
	}
	return out
}

// paginate lists the first and last page and the pages around the current one.
func paginate(q query, pages, total int) pagination {
	pg := pagination{Page: q.Page, Pages: pages, Total: total}
	at := func(n int) string {
		c := q
		c.Page = n
		return c.url(true)
	}
	if q.Page > 1 {
		pg.Prev = at(q.Page - 1)
	}
	if q.Page < pages {
		pg.Next = at(q.Page + 1)
	}
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < q.Page-2 || n > q.Page+2) {
			continue
		}
		if last != 0 && n > last+1 {
			pg.Links = append(pg.Links, pageLink{Gap: true})
		}
		pg.Links = append(pg.Links, pageLink{Number: n, URL: at(n), Current: n == q.Page})
		last = n
	}
	return pg
}

// servicePage is the data of /catalogue/<id>/.
type servicePage struct {
	layout
	S            *service
	Links        []link
	Contacts     []link
	Publications []link
	Keywords     []string
}

// link is an outgoing link; Href "" shows Text only.
type link struct {
	Text string
	Href string
}

// uuidPath matches the ids of services.
var uuidPath = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// handleService serves the page of one approved service; a deprecated one
// answers 410 Gone, anything else 404.
func (p *plugin) handleService(e *core.RequestEvent) error {
	id := e.Request.PathValue("id")
	if !uuidPath.MatchString(id) {
		return p.notFound(e)
	}
	idx, err := p.currentIndex()
	if err != nil {
		return e.InternalServerError("The catalogue could not be loaded.", err)
	}
	s := idx.byID[id]
	if s == nil {
		var row struct {
			Status string `db:"status"`
		}
		err := p.app.DB().Select("status").From("submissions").AndWhere(dbx.HashExp{"id": id}).One(&row)
		if err == nil && row.Status == statusDeprecated {
			return p.render(e, http.StatusGone, p.pages.gone, "layout", layout{
				SiteName: p.config.SiteName, ContactEmail: p.config.ContactEmail, Title: "Service deprecated — " + p.config.SiteName,
				Description: "This service has been deprecated and is no longer listed.", NoIndex: true,
				CSS: p.pages.assets["catalogue.css"].url,
			})
		}
		return p.notFound(e)
	}
	site := p.siteURL()
	ld, err := jsonLD(s, site, p.config.SiteName)
	if err != nil {
		return e.InternalServerError("", err)
	}
	d := servicePage{
		layout: layout{
			SiteName: p.config.SiteName, ContactEmail: p.config.ContactEmail, Title: s.Name + " — " + p.config.SiteName,
			Description: excerpt(s.Description, 160), Canonical: site + s.Path,
			CSS: p.pages.assets["catalogue.css"].url, JSONLD: ld,
		},
		S: s, Links: serviceLinks(s), Contacts: contactLinks(s.PublicContact),
		Publications: publicationLinks(s.Publications), Keywords: s.Keywords(),
	}
	return p.render(e, http.StatusOK, p.pages.detail, "layout", d)
}

// statusDeprecated is the status of withdrawn services (hooks/submission_fields.go).
const statusDeprecated = "deprecated"

// notFound answers 404 with the catalogue's own page.
func (p *plugin) notFound(e *core.RequestEvent) error {
	return p.render(e, http.StatusNotFound, p.pages.missing, "layout", layout{
		SiteName: p.config.SiteName, ContactEmail: p.config.ContactEmail, Title: "Service not found — " + p.config.SiteName,
		Description: "No approved service has this address.", NoIndex: true,
		CSS: p.pages.assets["catalogue.css"].url,
	})
}

// render executes a template into a buffer first, so a template error
// becomes a clean 500 instead of half a page.
func (p *plugin) render(e *core.RequestEvent, status int, t *template.Template, name string, data any) error {
	buf := p.buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			p.buffers.Put(buf)
		}
	}()
	if err := t.ExecuteTemplate(buf, name, data); err != nil {
		return e.InternalServerError("The page could not be rendered.", err)
	}
	e.Response.Header().Set("Content-Type", "text/html; charset=utf-8")
	e.Response.WriteHeader(status)
	_, err := e.Response.Write(buf.Bytes())
	return err
}

// maxPooledBuffer keeps the buffers of huge pages (a grouped catalogue)
// out of the pool.
const maxPooledBuffer = 1 << 20

// serviceLinks are the service's links in a fixed order.
func serviceLinks(s *service) []link {
	var out []link
	for _, l := range []link{
		{"Website", s.WebsiteURL}, {"Terms of use", s.TermsURL}, {"GitHub", s.GitHubURL},
		{"bio.tools", s.BioToolsURL}, {"FAIRsharing", s.FAIRsharingURL}, {"Other registry", s.OtherRegistryURL},
	} {
		if isWebURL(l.Href) {
			out = append(out, l)
		}
	}
	return out
}

// isWebURL reports whether s is an http(s) URL.
func isWebURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// contactLinks turns the public contact (email addresses or URLs) into links.
func contactLinks(raw string) []link {
	var out []link
	for _, part := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' }) {
		switch {
		case isWebURL(part):
			out = append(out, link{Text: part, Href: part})
		case strings.Count(part, "@") == 1 && !strings.ContainsAny(part, "<>\"'/:"):
			out = append(out, link{Text: part, Href: "mailto:" + part})
		default:
			out = append(out, link{Text: part})
		}
	}
	return out
}

var (
	pmidPattern = regexp.MustCompile(`^[0-9]{1,9}$`)
	pmcPattern  = regexp.MustCompile(`^PMC[0-9]{1,9}$`)
	doiPattern  = regexp.MustCompile(`^10\.[0-9]{4,9}/\S+$`)
)

// publicationLinks links PMIDs to PubMed, PMC ids to PMC and DOIs to doi.org.
func publicationLinks(raw string) []link {
	var out []link
	for _, part := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\t' }) {
		id := strings.TrimSuffix(part, ".")
		for _, prefix := range []string{"https://doi.org/", "http://dx.doi.org/", "https://dx.doi.org/", "doi:", "DOI:", "PMID:", "pmid:"} {
			id = strings.TrimPrefix(id, prefix)
		}
		switch {
		case pmidPattern.MatchString(id):
			out = append(out, link{Text: "PMID " + id, Href: "https://pubmed.ncbi.nlm.nih.gov/" + id + "/"})
		case pmcPattern.MatchString(id):
			out = append(out, link{Text: id, Href: "https://www.ncbi.nlm.nih.gov/pmc/articles/" + id + "/"})
		case doiPattern.MatchString(id):
			out = append(out, link{Text: "DOI " + id, Href: "https://doi.org/" + id})
		default:
			out = append(out, link{Text: part})
		}
	}
	return out
}
