package hooks

import (
	"github.com/denbi/service-registry/plugins/biotools"
	"github.com/pocketbase/pocketbase/core"
)

// biotoolsJSON is the bio.tools record nested in a submission: the full
// record on detail views, a summary in lists.
func biotoolsJSON(app core.App, rec *core.Record, detail bool) any {
	if detail {
		return biotools.RecordJSON(app, rec)
	}
	return biotools.SummaryJSON(rec)
}
