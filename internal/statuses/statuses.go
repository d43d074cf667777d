// Package statuses holds the lifecycle statuses and maturity tags of a
// submission with the names people read for them, for the hooks, the
// office's pages and the exports alike.
package statuses

// The statuses of a submission.
const (
	Draft       = "draft"
	Submitted   = "submitted"
	UnderReview = "under_review"
	Approved    = "approved"
	Rejected    = "rejected"
	Deprecated  = "deprecated"
)

// Worklist is every status in the order the office works through them.
var Worklist = []string{Submitted, UnderReview, Approved, Rejected, Deprecated, Draft}

// Labels are the display names of the statuses.
var Labels = map[string]string{
	Draft:       "Draft",
	Submitted:   "Submitted",
	UnderReview: "Under Review",
	Approved:    "Approved",
	Rejected:    "Rejected",
	Deprecated:  "Deprecated",
}

// The maturity tags of approved entries: one primary tag, and secondary
// tags next to it.
var (
	PrimaryTags   = []string{"mature", "emerging", "legacy"}
	SecondaryTags = []string{"unstable"}
)

// TagLabels are the display names of the maturity tags.
var TagLabels = map[string]string{
	"mature":   "Mature",
	"emerging": "Emerging",
	"legacy":   "Legacy",
	"unstable": "Unstable",
}

// Label is the display name of a status, or the value itself when unknown.
func Label(status string) string { return orValue(Labels, status) }

// TagLabel is the display name of a maturity tag, or the tag itself.
func TagLabel(tag string) string { return orValue(TagLabels, tag) }

func orValue(labels map[string]string, value string) string {
	if l, ok := labels[value]; ok {
		return l
	}
	return value
}
