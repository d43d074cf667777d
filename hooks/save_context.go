package hooks

import (
	"context"

	"github.com/pocketbase/pocketbase/core"
)

type contextKey int

const (
	actorContextKey contextKey = iota
	quietContextKey
)

// WithActor names who makes the changes saved with ctx
// (app.SaveWithContext), e.g. "system:import". Request handlers do not need
// it: they record the caller themselves.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorContextKey, actor)
}

// Quietly marks saves that must not notify anyone (imports, repairs): the
// change log is still written, no email is queued.
func Quietly(ctx context.Context) context.Context {
	return context.WithValue(ctx, quietContextKey, true)
}

// actorOf returns who is saving the record of a model event: the request's
// caller, else the actor of the save's context, else "system".
func (r *registry) actorOf(e *core.RecordEvent) string {
	if a := r.actors.of(e.Record); a != actorSystem {
		return a
	}
	if e.Context != nil {
		if a, ok := e.Context.Value(actorContextKey).(string); ok && a != "" {
			return a
		}
	}
	return actorSystem
}

// isQuiet reports whether a save must not queue notifications.
func isQuiet(e *core.RecordEvent) bool {
	if e.Context == nil {
		return false
	}
	quiet, _ := e.Context.Value(quietContextKey).(bool)
	return quiet
}
