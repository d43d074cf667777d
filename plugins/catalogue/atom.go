package catalogue

import (
	"encoding/xml"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// feedEntries is the number of services in the feed.
const feedEntries = 50

// Atom 1.0 (RFC 4287) elements, as much of them as the feed uses.
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name  string `xml:"name"`
	Email string `xml:"email,omitempty"`
	URI   string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Summary    atomText       `xml:"summary"`
	Categories []atomCategory `xml:"category"`
}

// handleFeed serves the Atom feed of new and updated services.
func (p *plugin) handleFeed(e *core.RequestEvent) error {
	idx, err := p.currentIndex()
	if err != nil {
		return e.InternalServerError("The catalogue could not be loaded.", err)
	}
	if err := p.encodeDocs(idx); err != nil {
		return e.InternalServerError("The feed could not be encoded.", err)
	}
	return e.Blob(http.StatusOK, "application/atom+xml; charset=utf-8", idx.atom)
}

// atomFeed lists the latest feedEntries services by last change: newly
// approved services and approved services that changed. Entry ids are the
// services' UUIDs as URNs, so a changed service updates its entry.
func (p *plugin) atomFeed(idx *index) ([]byte, error) {
	site := p.siteURL()
	feed := atomFeed{
		ID:       site + basePath,
		Title:    p.config.SiteName + ": new and updated services",
		Subtitle: p.config.MetaDescription,
		Updated:  idx.built.UTC().Format(time.RFC3339),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: site + feedPath},
			{Rel: "alternate", Type: "text/html", Href: site + basePath},
		},
		Author:    atomPerson{Name: p.config.SiteName, Email: p.config.ContactEmail, URI: site + "/"},
		Generator: "de.NBI Service Registry",
	}
	if latest := idx.latestUpdate(); !latest.IsZero() {
		feed.Updated = latest.UTC().Format(time.RFC3339)
	}
	for _, pos := range idx.byUpdated[:min(feedEntries, len(idx.byUpdated))] {
		s := idx.services[pos]
		entry := atomEntry{
			ID:      "urn:uuid:" + s.ID,
			Title:   atomText{Type: "text", Text: s.Name},
			Updated: s.Updated.UTC().Format(time.RFC3339),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: site + s.Path}},
			Summary: atomText{Type: "text", Text: excerpt(s.Description, 500)},
		}
		if !s.Created.IsZero() {
			entry.Published = s.Created.UTC().Format(time.RFC3339)
		}
		for _, c := range s.Categories {
			entry.Categories = append(entry.Categories, atomCategory{Term: c.Name})
		}
		for _, t := range s.Topics {
			entry.Categories = append(entry.Categories, atomCategory{Term: t.URI, Label: t.Label})
		}
		feed.Entries = append(feed.Entries, entry)
	}
	body, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), body...), nil
}
