package hooks

import (
	"github.com/denbi/service-registry/internal/refnames"
	"github.com/denbi/service-registry/internal/statuses"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/denbi/service-registry/internal/mail"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Notification events.
const (
	eventCreated       = "created"
	eventUpdated       = "updated"
	eventStatusChanged = "status_changed"
)

// notification is one event worth telling the office and the submitter about.
type notification struct {
	event       string
	submission  *core.Record
	changes     []Change
	statusReset bool
	// reason is the office's reason for a status change, if it gave one.
	reason string
}

// queue writes the event's emails into the outbox with app, which is the
// transaction of the change itself: the messages exist exactly when the
// change does, and the outbox job sends them later.
func (r *registry) queue(app core.App, n notification) error {
	data := r.mailData(app, n)

	var adminKind, submitterKind mail.Kind
	switch n.event {
	case eventCreated:
		adminKind, submitterKind = mail.AdminCreated, mail.SubmitterCreated
	case eventUpdated:
		adminKind, submitterKind = mail.AdminUpdated, mail.SubmitterUpdated
	case eventStatusChanged:
		adminKind, submitterKind = mail.AdminStatus, mail.SubmitterStatus
	}

	override := r.cfg.Email.NotifyOverride
	admins, cc := r.cfg.AdminRecipients(), r.cfg.Email.NotifyCC
	if override != "" {
		// staging: everything to one address, the dashboard link left out
		admins, cc = []string{override}, nil
		data.AdminURL = ""
	}
	if len(admins) > 0 {
		if err := r.enqueue(app, adminKind, data, admins, cc, n); err != nil {
			return err
		}
	}

	submitter := n.submission.GetString("internal_contact_email")
	if override != "" || submitter == "" {
		return nil // submitters are never written to from staging
	}
	data.AdminURL = ""
	return r.enqueue(app, submitterKind, data, []string{submitter}, nil, n)
}

// enqueue renders one email and stores it as a pending outbox row.
func (r *registry) enqueue(app core.App, kind mail.Kind, data mail.Data, to, cc []string, n notification) error {
	msg, err := r.mail.Render(kind, data)
	if err != nil {
		return err
	}
	collection, err := app.FindCachedCollectionByNameOrId("mail_outbox")
	if err != nil {
		return err
	}
	row := core.NewRecord(collection)
	row.Set("to", to)
	row.Set("cc", cc)
	row.Set("subject", msg.Subject)
	row.Set("text_body", msg.Text)
	row.Set("html_body", msg.HTML)
	row.Set("event", n.event)
	row.Set("submission", n.submission.Id)
	row.Set("status", outboxPending)
	row.Set("attempts", 0)
	row.Set("next_attempt_at", types.NowDateTime())
	return app.Save(row)
}

// mailData collects the display values of a submission for the templates.
func (r *registry) mailData(app core.App, n notification) mail.Data {
	s := n.submission
	rel, _ := loadRelated(app, []*core.Record{s})
	names := func(field string) string {
		if rel == nil {
			return ""
		}
		var out []string
		for _, rec := range rel.records(refnames.Relations[field], s.GetStringSlice(field)) {
			if field == "responsible_pis" {
				out = append(out, strings.TrimSpace(rec.GetString("first_name")+" "+rec.GetString("last_name")))
			} else {
				out = append(out, refnames.DisplayName(rec))
			}
		}
		sort.Strings(out)
		return strings.Join(out, ", ")
	}
	orDash := func(v string) string {
		if v == "" {
			return emptyDisplay
		}
		return v
	}
	kpi := labelOr(choiceLabels["kpi_monitoring"], s.GetString("kpi_monitoring"))
	if year := s.GetString("kpi_start_year"); year != "" {
		kpi += " (since " + year + ")"
	}
	internal := s.GetString("internal_contact_name")
	if email := s.GetString("internal_contact_email"); email != "" {
		internal += " <" + email + ">"
	}
	contact := s.GetString("public_contact_email")

	data := mail.Data{
		Site: mail.Site{
			Name: r.cfg.Site.Name, URL: r.cfg.Site.URL, ContactEmail: r.cfg.Contact.Email,
			Organisation: r.cfg.Contact.Organisation, Website: r.cfg.Links.Website,
		},
		Submission: mail.Submission{
			ID:                 s.Id,
			Name:               s.GetString("service_name"),
			Status:             s.GetString("status"),
			StatusLabel:        labelOr(statuses.Labels, s.GetString("status")),
			Submitter:          submitterName(s),
			SubmitterFirstName: s.GetString("submitter_first_name"),
			SubmitterLastName:  s.GetString("submitter_last_name"),
			HostInstitute:      s.GetString("host_institute"),
			ServiceCentre:      names("service_center"),
			Elixir:             yesNo(s.GetBool("register_as_elixir")),
			Categories:         names("service_categories"),
			YearEstablished:    strconv.Itoa(s.GetInt("year_established")),
			Website:            s.GetString("website_url"),
			Licenses:           orDash(names("licenses")),
			LicenseNote:        orDash(s.GetString("license_note")),
			Publications:       s.GetString("publications_pmids"),
			PIs:                names("responsible_pis"),
			KPI:                kpi,
			PublicContact:      contact,
			PublicContactIsURL: strings.HasPrefix(contact, "https://"),
			InternalContact:    internal,
			Description:        s.GetString("service_description"),
			SubmittedAt:        mailTime(s.GetDateTime("created").Time()),
			UpdatedAt:          mailTime(s.GetDateTime("updated").Time()),
		},
		StatusReset:   n.statusReset,
		StatusMessage: mail.StatusMessage(s.GetString("status")),
		Reason:        n.reason,
		AdminURL:      r.absoluteURL(AdminEntryPath + s.Id),
	}
	for _, c := range n.changes {
		data.Changes = append(data.Changes, mail.Change{Label: c.Label, Old: c.Old, New: c.New})
	}
	return data
}

// submitterName is "First Last, Affiliation" without empty parts.
func submitterName(s *core.Record) string {
	name := strings.TrimSpace(s.GetString("submitter_first_name") + " " + s.GetString("submitter_last_name"))
	if aff := s.GetString("submitter_affiliation"); aff != "" {
		if name != "" {
			return name + ", " + aff
		}
		return aff
	}
	return name
}

// mailTime formats timestamps in emails; they really are UTC.
func mailTime(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}
