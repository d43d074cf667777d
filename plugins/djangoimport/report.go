package djangoimport

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Report says what an import did or, in a dry run, would have done. Every
// row of a registry model is counted once per model in Created, Updated,
// Unchanged or Skipped.
type Report struct {
	// Models are the registry models in import order, including those the
	// dump has no rows of.
	Models []*ModelReport `json:"models"`
	// Skipped lists every row that was not imported, with the reason.
	Skipped []Note `json:"skipped"`
	// Warnings are rows that were imported with something left out (a
	// logo that was refused, a key kept revoked).
	Warnings []Note `json:"warnings"`
	// Ignored counts the rows of models that are not registry data
	// (auth.user, sessions.session, celery tables, ...), by model label.
	Ignored map[string]int `json:"ignored"`
	// DryRun is set when nothing was written.
	DryRun bool `json:"dry_run"`
	// Aborted is set when Options.Strict undid the import because rows were
	// skipped.
	Aborted bool `json:"aborted"`
	// Duration is how long the import took.
	Duration time.Duration `json:"-"`
}

// ModelReport counts the rows of one Django model.
type ModelReport struct {
	// Model is the Django label, e.g. "submissions.servicesubmission".
	Model string `json:"model"`
	// Collection is where the rows go.
	Collection string `json:"collection"`
	// Rows is the number of rows of the model in the dump.
	Rows int `json:"rows"`
	// Created, Updated, Unchanged and Skipped count the rows by outcome;
	// matched EDAM terms and licenses and kept bio.tools records count as
	// unchanged.
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Skipped   int `json:"skipped"`
}

// Note is one skipped row or warning.
type Note struct {
	Model  string `json:"model"`
	PK     string `json:"pk"`
	Reason string `json:"reason"`
}

func (n Note) String() string { return n.Model + " " + n.PK + ": " + n.Reason }

// Model returns the counts of a Django model label, or nil.
func (r *Report) Model(label string) *ModelReport {
	for _, m := range r.Models {
		if m.Model == label {
			return m
		}
	}
	return nil
}

// Writes is the number of rows created or updated (or that would be).
func (r *Report) Writes() int {
	n := 0
	for _, m := range r.Models {
		n += m.Created + m.Updated
	}
	return n
}

// String is the one-line summary of the counts.
func (r *Report) String() string {
	var c, u, n, s int
	for _, m := range r.Models {
		c, u, n, s = c+m.Created, u+m.Updated, n+m.Unchanged, s+m.Skipped
	}
	return fmt.Sprintf("created %d, updated %d, unchanged %d, skipped %d", c, u, n, s)
}

// Line is the progress line of one model.
func (m *ModelReport) Line() string {
	return fmt.Sprintf("%s → %s: %d rows: created %d, updated %d, unchanged %d, skipped %d",
		m.Model, m.Collection, m.Rows, m.Created, m.Updated, m.Unchanged, m.Skipped)
}

// WriteTo prints the full report: the table of counts, the models that
// were not imported, every skipped row and every warning.
func (r *Report) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	switch {
	case r.Aborted:
		b.WriteString("Import aborted (--strict): rows were skipped, so nothing was written.\n")
	case r.DryRun:
		b.WriteString("Dry run: nothing was written. The import would do this:\n")
	default:
		fmt.Fprintf(&b, "Import finished in %s.\n", r.Duration.Round(time.Millisecond))
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "model\tcollection\t   rows\tcreated\tupdated\tunchanged\tskipped")
	for _, m := range r.Models {
		fmt.Fprintf(tw, "%s\t%s\t%7d\t%7d\t%7d\t%9d\t%7d\n", m.Model, m.Collection, m.Rows, m.Created, m.Updated, m.Unchanged, m.Skipped)
	}
	_ = tw.Flush()

	if len(r.Ignored) > 0 {
		labels := make([]string, 0, len(r.Ignored))
		for label := range r.Ignored {
			labels = append(labels, label)
		}
		sort.Strings(labels)
		parts := make([]string, len(labels))
		for i, label := range labels {
			parts[i] = fmt.Sprintf("%s (%d)", label, r.Ignored[label])
		}
		fmt.Fprintf(&b, "Not registry data, not imported: %s.\n", strings.Join(parts, ", "))
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(&b, "Skipped rows (%d):\n", len(r.Skipped))
		for _, n := range r.Skipped {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(&b, "Warnings (%d):\n", len(r.Warnings))
		for _, n := range r.Warnings {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	fmt.Fprintf(&b, "Total: %s.\n", r)
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}
