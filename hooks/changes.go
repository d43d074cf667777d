package hooks

import (
	"github.com/denbi/service-registry/internal/refnames"
	"github.com/denbi/service-registry/internal/statuses"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// Change is one changed field of a submission, as stored in the change log
// and shown in emails: human label and display values.
type Change struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// emptyDisplay stands for "no value" in change tables.
const emptyDisplay = "—"

// diffableFields are the submission fields whose changes are recorded.
var diffableFields = func() []string {
	var out []string
	for field := range fieldLabels {
		if field != "data_protection_consent" {
			out = append(out, field)
		}
	}
	sort.Strings(out)
	return out
}()

// systemFields can never be exempt from the status reset.
var systemFields = map[string]bool{
	"status": true, "date_of_entry": true, "primary_maturity_tag": true,
	"secondary_maturity_tags": true, "register_as_elixir": true,
}

// choiceLabels are the display names of select values.
var choiceLabels = map[string]map[string]string{
	"status":               statuses.Labels,
	"primary_maturity_tag": statuses.TagLabels,
	"kpi_monitoring":       {"yes": "Yes", "planned": "Planned"},
}

// snapshot is the display form of a submission's diffable fields: a string,
// or a sorted list for multi-valued fields.
type snapshot map[string]any

// snapshots returns the display forms of two versions of a submission,
// loading the related records both refer to once.
func snapshots(app core.App, before, after *core.Record) (snapshot, snapshot) {
	records := map[string]map[string]*core.Record{}
	for field, collection := range refnames.Relations {
		ids := append(before.GetStringSlice(field), after.GetStringSlice(field)...)
		if len(ids) == 0 {
			continue
		}
		if records[collection] == nil {
			records[collection] = map[string]*core.Record{}
		}
		found, err := app.FindRecordsByIds(collection, ids)
		if err != nil {
			continue // shown as raw ids below
		}
		for _, r := range found {
			records[collection][r.Id] = r
		}
	}
	return takeSnapshot(before, records), takeSnapshot(after, records)
}

func takeSnapshot(rec *core.Record, related map[string]map[string]*core.Record) snapshot {
	s := snapshot{}
	for _, field := range diffableFields {
		if collection, isRelation := refnames.Relations[field]; isRelation {
			var names []string
			for _, id := range rec.GetStringSlice(field) {
				name := id
				if r, ok := related[collection][id]; ok {
					name = refnames.DisplayName(r)
				}
				names = append(names, name)
			}
			sort.Strings(names)
			if field == "service_center" {
				s[field] = strings.Join(names, ", ")
			} else {
				s[field] = names
			}
			continue
		}
		switch field {
		case "secondary_maturity_tags":
			var tags []string
			_ = rec.UnmarshalJSONField(field, &tags)
			labels := make([]string, 0, len(tags))
			for _, t := range tags {
				labels = append(labels, labelOr(statuses.TagLabels, t))
			}
			sort.Strings(labels)
			s[field] = labels
		case "date_of_entry":
			if d := rec.GetDateTime(field); !d.IsZero() {
				s[field] = d.Time().UTC().Format("2006-01-02")
			} else {
				s[field] = ""
			}
		case "year_established":
			s[field] = strconv.Itoa(rec.GetInt(field))
		case "is_toolbox", "survey_participation", "register_as_elixir":
			s[field] = yesNo(rec.GetBool(field))
		default:
			value := strings.TrimSpace(rec.GetString(field))
			if labels, ok := choiceLabels[field]; ok && value != "" {
				value = labelOr(labels, value)
			}
			s[field] = value
		}
	}
	return s
}

// diff lists the fields whose display value differs, in field-name order.
func diff(before, after snapshot) []Change {
	var out []Change
	for _, field := range diffableFields {
		old, new := display(before[field]), display(after[field])
		if sameValue(before[field], after[field]) {
			continue
		}
		out = append(out, Change{Field: field, Label: fieldLabels[field], Old: old, New: new})
	}
	return out
}

func sameValue(a, b any) bool {
	as, aList := a.([]string)
	bs, bList := b.([]string)
	if aList || bList {
		return slices.Equal(as, bs)
	}
	return a == b
}

// display renders a snapshot value for a change table.
func display(v any) string {
	switch x := v.(type) {
	case []string:
		if len(x) == 0 {
			return emptyDisplay
		}
		return strings.Join(x, ", ")
	case string:
		if x == "" {
			return emptyDisplay
		}
		return x
	}
	return emptyDisplay
}

func labelOr(labels map[string]string, value string) string {
	if l, ok := labels[value]; ok {
		return l
	}
	return value
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// changedFields returns the names of the changed fields.
func changedFields(changes []Change) []string {
	out := make([]string, 0, len(changes))
	for _, c := range changes {
		out = append(out, c.Field)
	}
	return out
}
