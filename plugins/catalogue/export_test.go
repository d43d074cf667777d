package catalogue

import (
	"net/url"

	"github.com/pocketbase/pocketbase/core"
)

// ParsedQuery is the state parseQuery reads, for the external tests.
type ParsedQuery struct {
	Q          string
	Categories []string
	Centres    []string
	Topics     []string
	Maturity   []string
	Sort       string
	GroupBy    string
	View       string
	Page       int
	// Canonical is the page's canonical query string (with the page).
	Canonical string
}

// ParseQuery exposes parseQuery.
func ParseQuery(raw string) ParsedQuery {
	v, _ := url.ParseQuery(raw)
	q := parseQuery(v)
	return ParsedQuery{Q: q.Q, Categories: q.Categories, Centres: q.Centres, Topics: q.Topics, Maturity: q.Maturity,
		Sort: q.Sort, GroupBy: q.GroupBy, View: q.View, Page: q.Page, Canonical: q.values(true)}
}

// Excerpt exposes excerpt.
var Excerpt = excerpt

// PublicationLinks exposes publicationLinks as text/href pairs.
func PublicationLinks(raw string) [][2]string {
	var out [][2]string
	for _, l := range publicationLinks(raw) {
		out = append(out, [2]string{l.Text, l.Href})
	}
	return out
}

// BuildIndex reads the view into a fresh index and returns its size.
func BuildIndex(app core.App) (int, error) {
	idx, err := buildIndex(app)
	if err != nil {
		return 0, err
	}
	return len(idx.services), nil
}
