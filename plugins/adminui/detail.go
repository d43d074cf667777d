package adminui

import (
	"encoding/json"
	"github.com/denbi/service-registry/internal/refnames"
	"github.com/denbi/service-registry/internal/statuses"
	"net/http"
	"strconv"
	"strings"

	"github.com/denbi/service-registry/plugins/logos"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// historyLimit is how many change-log entries the detail view shows (the
// Django change view showed the newest 50 too).
const historyLimit = 50

// fieldValue is one field of the detail view: Value is a string, or a list
// for relations.
type fieldValue struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Value any    `json:"value"`
	// Link marks values that are URLs or email addresses.
	Link string `json:"link,omitempty"`
}

// detailSection is a titled group of fields.
type detailSection struct {
	Title  string       `json:"title"`
	Fields []fieldValue `json:"fields"`
}

// historyEntry is one change-log row.
type historyEntry struct {
	ID        string          `json:"id"`
	ChangedBy string          `json:"changed_by"`
	ChangedAt string          `json:"changed_at"`
	Changes   json.RawMessage `json:"changes"`
}

// history is the newest change-log rows and how many there are.
type history struct {
	Total   int            `json:"total"`
	Entries []historyEntry `json:"entries"`
}

// keyInfo describes a submission key without anything that could
// recreate it: the first 16 hex digits of its hash identify it, as in the
// Django admin.
type keyInfo struct {
	ID         string `json:"id"`
	Prefix     string `json:"prefix"`
	Label      string `json:"label"`
	Scope      string `json:"scope"`
	Active     bool   `json:"active"`
	CreatedBy  string `json:"created_by"`
	Created    string `json:"created"`
	LastUsedAt string `json:"last_used_at"`
}

// detail is the answer of the detail route.
type detail struct {
	ID                string          `json:"id"`
	ServiceName       string          `json:"service_name"`
	Status            string          `json:"status"`
	StatusLabel       string          `json:"status_label"`
	PrimaryTag        string          `json:"primary_maturity_tag"`
	SecondaryTags     []string        `json:"secondary_maturity_tags"`
	Maturity          string          `json:"maturity"`
	SubmittedAt       string          `json:"submitted_at"`
	UpdatedAt         string          `json:"updated_at"`
	SubmissionIP      *string         `json:"submission_ip,omitzero"`
	Sections          []detailSection `json:"sections"`
	LastChangeSummary json.RawMessage `json:"last_change_summary"`
	History           history         `json:"history"`
	Keys              []keyInfo       `json:"keys"`
	Biotools          any             `json:"biotools"` // null without a record
	CollectionID      string          `json:"collection_id"`
}

// handleDetail serves GET /api/registry/admin/submissions/{id}.
func (p *plugin) handleDetail(e *core.RequestEvent) error {
	s, err := findSubmission(e)
	if err != nil {
		return err
	}
	d, err := p.detailOf(e.App, s, callerOf(e))
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, d)
}

// findSubmission loads the submission named in the path.
func findSubmission(e *core.RequestEvent) (*core.Record, error) {
	s, err := e.App.FindRecordById("submissions", e.Request.PathValue("id"))
	if err != nil {
		return nil, e.NotFoundError("There is no service with this id.", err)
	}
	return s, nil
}

// detailOf assembles everything the detail view shows.
func (p *plugin) detailOf(app core.App, s *core.Record, c *caller) (*detail, error) {
	rel, err := loadRelated(app, []*core.Record{s})
	if err != nil {
		return nil, err
	}
	d := &detail{
		ID: s.Id, ServiceName: s.GetString("service_name"),
		Status: s.GetString("status"), StatusLabel: statuses.Label(s.GetString("status")),
		PrimaryTag: s.GetString("primary_maturity_tag"), SecondaryTags: nonNil(secondaryTagsOf(s)),
		Maturity:    maturityDisplay(s),
		SubmittedAt: isoTime(s.GetDateTime("created")), UpdatedAt: isoTime(s.GetDateTime("updated")),
		CollectionID: s.Collection().Id,
	}
	if Can(c.Role, PermIP) {
		ip := s.GetString("submission_ip")
		d.SubmissionIP = &ip
	}
	for _, sec := range sections {
		ds := detailSection{Title: sec.Title}
		for _, field := range sec.Fields {
			ds.Fields = append(ds.Fields, p.fieldOf(s, rel, field))
		}
		d.Sections = append(d.Sections, ds)
	}
	if raw := strings.TrimSpace(s.GetString("last_change_summary")); raw != "" && raw != "null" {
		d.LastChangeSummary = json.RawMessage(raw)
	} else {
		d.LastChangeSummary = json.RawMessage("null")
	}
	if d.History, err = historyOf(app, s.Id); err != nil {
		return nil, err
	}
	if d.Keys, err = keysOf(app, s.Id); err != nil {
		return nil, err
	}
	if bt := rel.biotoolsOf(s); bt != nil {
		synced := ""
		if t := bt.GetDateTime("last_synced_at"); !t.IsZero() {
			synced = isoTime(t)
		}
		d.Biotools = map[string]any{
			"biotools_id": bt.GetString("biotools_id"), "name": bt.GetString("name"),
			"url":            "https://bio.tools/" + bt.GetString("biotools_id"),
			"last_synced_at": synced, "sync_error": bt.GetString("sync_error"),
			"state": biotoolsState(s, bt), "version": bt.GetString("version"), "license": bt.GetString("license"),
		}
	}
	return d, nil
}

// fieldOf renders one field for the detail view.
func (p *plugin) fieldOf(s *core.Record, rel *related, field string) fieldValue {
	fv := fieldValue{Field: field, Label: fieldLabel(field)}
	switch field {
	case "service_center":
		fv.Value = strings.Join(rel.names(s, field, refnames.DisplayName), ", ")
	case "service_categories", "responsible_pis", "edam_topics", "edam_operations", "licenses":
		fv.Value = rel.names(s, field, refnames.DisplayName)
	case "register_as_elixir", "is_toolbox", "survey_participation", "data_protection_consent":
		fv.Value = yesNo(s.GetBool(field))
	case "date_of_entry":
		if d := s.GetDateTime(field); !d.IsZero() {
			fv.Value = d.Time().UTC().Format("2006-01-02")
		} else {
			fv.Value = ""
		}
	case "year_established":
		fv.Value = strconv.Itoa(s.GetInt(field))
	case "kpi_monitoring":
		fv.Value = map[string]string{"yes": "Yes", "planned": "Planned"}[s.GetString(field)]
	case "logo":
		url := logos.LogoURL(p.config.SiteURL, s, field)
		fv.Value = url
		fv.Link = url
	default:
		v := s.GetString(field)
		fv.Value = v
		switch {
		case strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "http://"):
			fv.Link = v
		case strings.HasSuffix(field, "_email") && strings.Contains(v, "@"):
			fv.Link = "mailto:" + v
		}
	}
	return fv
}

// historyOf returns the newest change-log rows of a submission.
func historyOf(app core.App, submissionID string) (history, error) {
	h := history{Entries: []historyEntry{}}
	var total int
	err := app.DB().Select("COUNT(*)").From("submission_changes").
		Where(dbx.HashExp{"submission": submissionID}).Row(&total)
	if err != nil {
		return h, err
	}
	h.Total = total
	var rows []*core.Record
	err = app.RecordQuery("submission_changes").AndWhere(dbx.HashExp{"submission": submissionID}).
		OrderBy("created DESC", "id DESC").Limit(historyLimit).All(&rows)
	if err != nil {
		return h, err
	}
	for _, r := range rows {
		changes := json.RawMessage(r.GetString("changes"))
		if len(changes) == 0 || string(changes) == "null" {
			changes = json.RawMessage("[]")
		}
		h.Entries = append(h.Entries, historyEntry{
			ID: r.Id, ChangedBy: r.GetString("changed_by"),
			ChangedAt: isoTime(r.GetDateTime("created")), Changes: changes,
		})
	}
	return h, nil
}

// keysOf lists the keys of a submission, newest first.
func keysOf(app core.App, submissionID string) ([]keyInfo, error) {
	var rows []*core.Record
	err := app.RecordQuery("submission_keys").AndWhere(dbx.HashExp{"submission": submissionID}).
		OrderBy("created DESC", "id DESC").All(&rows)
	if err != nil {
		return nil, err
	}
	out := []keyInfo{}
	for _, k := range rows {
		out = append(out, keyInfoOf(k))
	}
	return out, nil
}

// keyInfoOf describes one key.
func keyInfoOf(k *core.Record) keyInfo {
	return keyInfo{
		ID: k.Id, Prefix: hashPrefix(k.GetString("key_hash")), Label: k.GetString("label"),
		Scope: k.GetString("scope"), Active: k.GetBool("active"), CreatedBy: k.GetString("created_by"),
		Created: isoTime(k.GetDateTime("created")), LastUsedAt: isoTime(k.GetDateTime("last_used_at")),
	}
}

// hashPrefix is the visible part of a key hash.
func hashPrefix(hash string) string {
	if len(hash) > 16 {
		return hash[:16] + "…"
	}
	return hash
}
