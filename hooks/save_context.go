package hooks

import (
	"github.com/denbi/service-registry/internal/savecontext"
	"github.com/pocketbase/pocketbase/core"
)

// actorOf returns who is saving the record of a model event: the request's
// caller, else the actor named by the save's context
// (savecontext.WithActor), else "system".
func (r *registry) actorOf(e *core.RecordEvent) string {
	if a := r.actors.of(e.Record); a != actorSystem {
		return a
	}
	if a := savecontext.Actor(e.Context); a != "" {
		return a
	}
	return actorSystem
}

// isQuiet reports whether a save must not queue notifications.
func isQuiet(e *core.RecordEvent) bool {
	return savecontext.IsQuiet(e.Context)
}
