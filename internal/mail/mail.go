// Package mail renders the registry's notification emails from embedded
// templates: a plain-text and an HTML body and a subject per kind. An
// operator may replace any template by putting a file of the same name in
// a directory ([email] templates_dir).
//
// Example usage:
//
//	r, _ := mail.NewRenderer("")
//	msg, err := r.Render(mail.AdminCreated, data)
package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"
)

//go:embed templates/*.tmpl
var embedded embed.FS

// Kind names one email.
type Kind string

// The emails the registry sends.
const (
	AdminCreated     Kind = "admin_created"
	AdminUpdated     Kind = "admin_updated"
	AdminStatus      Kind = "admin_status"
	SubmitterCreated Kind = "submitter_created"
	SubmitterUpdated Kind = "submitter_updated"
	SubmitterStatus  Kind = "submitter_status"
	// SubmitterKeyRecovery carries a one-time link that issues a new key.
	SubmitterKeyRecovery Kind = "submitter_key_recovery"
	// AdminKeyRecovered tells the office that an owner recovered access.
	AdminKeyRecovered Kind = "admin_key_recovered"
)

// Kinds lists every email kind.
var Kinds = []Kind{AdminCreated, AdminUpdated, AdminStatus, SubmitterCreated, SubmitterUpdated, SubmitterStatus,
	SubmitterKeyRecovery, AdminKeyRecovered}

// Site describes the sender for footers and links.
type Site struct {
	Name         string
	URL          string
	ContactEmail string
	Organisation string
	Website      string
}

// Submission holds the display values of a submission for emails. It never
// carries an API key or its hash.
type Submission struct {
	ID                 string
	Name               string
	Status             string // e.g. "approved"
	StatusLabel        string // e.g. "Approved"
	Submitter          string // "First Last, Affiliation"
	SubmitterFirstName string
	SubmitterLastName  string
	HostInstitute      string
	ServiceCentre      string
	Elixir             string // Yes/No
	Categories         string
	YearEstablished    string
	Website            string
	Licenses           string
	LicenseNote        string
	Publications       string
	PIs                string
	KPI                string
	PublicContact      string
	PublicContactIsURL bool
	InternalContact    string
	Description        string
	SubmittedAt        string // "2006-01-02 15:04 UTC"
	UpdatedAt          string
}

// Change is one row of a "what changed" table.
type Change struct {
	Label string
	Old   string
	New   string
}

// Data is what every template receives.
type Data struct {
	Site          Site
	Submission    Submission
	Changes       []Change
	StatusReset   bool
	StatusMessage string
	// Reason is the office's reason for a status change, when it gave one.
	Reason string
	// AdminURL opens the entry in the dashboard; empty in submitters' emails.
	AdminURL string
	// Link is the action link of the email (a key recovery link), and
	// LinkExpires says until when it works.
	Link        string
	LinkExpires string
}

// Message is a rendered email.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// Renderer renders the emails.
type Renderer struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// NewRenderer parses the embedded templates and, when dir is not empty, the
// operator's replacements found there (same file names).
func NewRenderer(dir string) (*Renderer, error) {
	text := texttemplate.New("text")
	html := htmltemplate.New("html")
	load := func(fsys fs.FS) error {
		names, err := fs.Glob(fsys, "*.tmpl")
		if err != nil {
			return err
		}
		for _, name := range names {
			raw, err := fs.ReadFile(fsys, name)
			if err != nil {
				return err
			}
			if strings.HasSuffix(name, ".html.tmpl") {
				_, err = html.New(name).Parse(string(raw))
			} else {
				_, err = text.New(name).Parse(string(raw))
			}
			if err != nil {
				return fmt.Errorf("email template %s: %w", name, err)
			}
		}
		return nil
	}
	sub, err := fs.Sub(embedded, "templates")
	if err != nil {
		return nil, err
	}
	if err := load(sub); err != nil {
		return nil, err
	}
	if dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("email templates directory: %w", err)
		}
		if err := load(os.DirFS(filepath.Clean(dir))); err != nil {
			return nil, err
		}
	}
	return &Renderer{text: text, html: html}, nil
}

// Render produces the subject and both bodies of one email.
func (r *Renderer) Render(kind Kind, data Data) (Message, error) {
	var subject, text, html bytes.Buffer
	if err := r.text.ExecuteTemplate(&subject, string(kind)+".subject.tmpl", data); err != nil {
		return Message{}, err
	}
	if err := r.text.ExecuteTemplate(&text, string(kind)+".txt.tmpl", data); err != nil {
		return Message{}, err
	}
	if err := r.html.ExecuteTemplate(&html, string(kind)+".html.tmpl", data); err != nil {
		return Message{}, err
	}
	s := strings.Join(strings.Fields(subject.String()), " ") // one line, no header injection
	if s == "" {
		return Message{}, errors.New("email template " + string(kind) + " produced an empty subject")
	}
	return Message{Subject: s, Text: text.String(), HTML: html.String()}, nil
}

// StatusMessage is what submitters read about their entry's new status.
func StatusMessage(status string) string {
	switch status {
	case "approved":
		return "Your service has been approved and is now part of the de.NBI Service Registry. Thank you for registering it."
	case "rejected":
		return "Your service registration was not approved at this point. If you would like to know why, or want to discuss changes, please get in touch with us."
	case "under_review":
		return "The coordination office is now reviewing your registration. We will let you know as soon as there is a decision."
	case "deprecated":
		return "Your service is now marked as deprecated and is no longer listed as active. If this is a mistake, or you would like to reactivate the service, please contact us."
	}
	return "If you have questions about your registration, please contact us."
}
