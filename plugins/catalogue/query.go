package catalogue

import (
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Query parameters of /catalogue/ and /catalogue/grid/. The names follow
// the original catalogue, so its links keep working.
const (
	paramQ        = "q"
	paramCategory = "category"
	paramCentre   = "center"
	paramTopic    = "topic"
	paramMaturity = "maturity"
	paramSort     = "sort"
	paramGroupBy  = "group_by"
	paramView     = "view"
	paramPage     = "page"
)

// Sort orders; sortNameAsc is the default.
const (
	sortNameAsc     = "name_asc"
	sortNameDesc    = "name_desc"
	sortUpdatedDesc = "updated_desc"
	sortUpdatedAsc  = "updated_asc"
	sortAddedDesc   = "added_desc"
	sortAddedAsc    = "added_asc"
)

// sortOptions are the orders the page offers (the ascending date orders
// are accepted in URLs but not offered, as in the original).
var sortOptions = []struct{ value, label string }{
	{sortNameAsc, "Name A → Z"}, {sortNameDesc, "Name Z → A"},
	{sortUpdatedDesc, "Recently updated"}, {sortAddedDesc, "Recently added"},
}

var validSorts = []string{sortNameAsc, sortNameDesc, sortUpdatedDesc, sortUpdatedAsc, sortAddedDesc, sortAddedAsc}

// Groupings; "" (none) is the default.
const (
	groupCategory = "category"
	groupCentre   = "service_center"
	groupPI       = "pi"
)

var groupOptions = []struct{ value, label string }{
	{"", "No grouping"}, {groupCategory, "Category"}, {groupCentre, "Service centre"}, {groupPI, "Principal investigator"},
}

// Views; viewGrid is the default.
const (
	viewGrid = "grid"
	viewList = "list"
)

var viewOptions = []struct{ value, label string }{{viewGrid, "Cards"}, {viewList, "List"}}

// Limits of the parameters: q is cut to maxQueryRunes characters; at most
// maxValues values of one filter are kept.
const (
	maxQueryRunes = 200
	maxValues     = 50
	maxPage       = 1_000_000
)

// Accepted filter values: category ids are integers; centres are UUIDs
// (integers are accepted as in the original); topics are EDAM accessions;
// maturity is a known tag. Anything else is dropped silently.
var (
	integerID    = regexp.MustCompile(`^[1-9][0-9]{0,17}$`)
	uuidID       = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	topicID      = regexp.MustCompile(`^topic_[0-9]{4,8}$`)
	maturityTags = []string{"mature", "emerging", "legacy", "unstable"}
)

// query is the state of a catalogue page, all of it in the URL.
type query struct {
	Q          string
	Categories []string
	Centres    []string
	Topics     []string
	Maturity   []string
	Sort       string
	GroupBy    string
	View       string
	Page       int
}

// parseQuery reads the parameters; values it cannot use fall back to the
// defaults, so any URL renders a page.
func parseQuery(v url.Values) query {
	q := query{Sort: sortNameAsc, View: viewGrid, Page: 1}
	q.Q = strings.TrimSpace(clip(strings.ToValidUTF8(v.Get(paramQ), ""), maxQueryRunes))
	q.Categories = keep(v[paramCategory], func(s string) bool { return integerID.MatchString(s) })
	q.Centres = keep(v[paramCentre], func(s string) bool { return uuidID.MatchString(s) || integerID.MatchString(s) })
	q.Topics = keep(v[paramTopic], func(s string) bool { return topicID.MatchString(s) })
	q.Maturity = keep(v[paramMaturity], func(s string) bool { return slices.Contains(maturityTags, s) })
	if s := v.Get(paramSort); slices.Contains(validSorts, s) {
		q.Sort = s
	}
	switch g := v.Get(paramGroupBy); g {
	case groupCategory, groupCentre, groupPI:
		q.GroupBy = g
	}
	if v.Get(paramView) == viewList {
		q.View = viewList
	}
	n, err := strconv.Atoi(strings.TrimSpace(v.Get(paramPage)))
	switch {
	case err == nil && n > 1:
		q.Page = min(n, maxPage)
	case errors.Is(err, strconv.ErrRange) && n > 0:
		q.Page = maxPage // a huge number: past the end, so the last page
	}
	return q
}

// keep returns the distinct values that pass ok, at most maxValues.
func keep(values []string, ok func(string) bool) []string {
	var out []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		if ok(v) && !slices.Contains(out, v) {
			out = append(out, v)
			if len(out) == maxValues {
				break
			}
		}
	}
	return out
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// filtered reports whether the query narrows the catalogue down.
func (q query) filtered() bool {
	return q.Q != "" || len(q.Categories)+len(q.Centres)+len(q.Topics)+len(q.Maturity) > 0
}

// filters reports whether s passes every filter: any value of a dimension
// matches (OR), and every dimension must match (AND).
func (q query) filters(s *service) bool {
	if len(q.Categories) > 0 && !slices.ContainsFunc(s.Categories, func(c category) bool { return slices.Contains(q.Categories, c.ID) }) {
		return false
	}
	if len(q.Centres) > 0 && (s.Centre == nil || !slices.Contains(q.Centres, s.Centre.ID)) {
		return false
	}
	if len(q.Topics) > 0 && !slices.ContainsFunc(s.Topics, func(t term) bool { return slices.Contains(q.Topics, t.Accession) }) {
		return false
	}
	if len(q.Maturity) > 0 && !slices.ContainsFunc(s.MaturityTags(), func(t string) bool { return slices.Contains(q.Maturity, t) }) {
		return false
	}
	return true
}

// values encodes the query with only its non-default parameters, in a
// fixed order, so equal states have equal URLs. The page is included when
// withPage is true and it is not the first.
func (q query) values(withPage bool) string {
	var b strings.Builder
	add := func(name, value string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(value))
	}
	if q.Q != "" {
		add(paramQ, q.Q)
	}
	for _, list := range []struct {
		name   string
		values []string
	}{{paramCategory, q.Categories}, {paramCentre, q.Centres}, {paramTopic, q.Topics}, {paramMaturity, q.Maturity}} {
		for _, v := range list.values {
			add(list.name, v)
		}
	}
	if q.Sort != sortNameAsc {
		add(paramSort, q.Sort)
	}
	if q.GroupBy != "" {
		add(paramGroupBy, q.GroupBy)
	}
	if q.View != viewGrid {
		add(paramView, q.View)
	}
	if withPage && q.Page > 1 {
		add(paramPage, strconv.Itoa(q.Page))
	}
	return b.String()
}

// url is the catalogue address of the query.
func (q query) url(withPage bool) string {
	if v := q.values(withPage); v != "" {
		return "/catalogue/?" + v
	}
	return "/catalogue/"
}

// without returns a copy of q without one filter value (value "" drops
// the search text), on the first page.
func (q query) without(param, value string) query {
	drop := func(list []string) []string {
		return slices.DeleteFunc(slices.Clone(list), func(v string) bool { return v == value })
	}
	out := q
	out.Page = 1
	switch param {
	case paramQ:
		out.Q = ""
	case paramCategory:
		out.Categories = drop(q.Categories)
	case paramCentre:
		out.Centres = drop(q.Centres)
	case paramTopic:
		out.Topics = drop(q.Topics)
	case paramMaturity:
		out.Maturity = drop(q.Maturity)
	}
	return out
}
