// Package savecontext carries facts about a save through the context given
// to app.SaveWithContext, from code that saves records (importers, commands,
// background jobs) to the model hooks that react to them. It exists on its
// own so both the hooks and the plugins can use it.
package savecontext

import (
	"context"
	"strings"
)

type key int

const (
	actorKey key = iota
	quietKey
	reasonKey
)

// ActorSystem names changes made by the registry itself.
const ActorSystem = "system"

// WithActor names who makes the changes saved with ctx, e.g.
// "system:import". It appears as changed_by in the change log.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey, actor)
}

// Actor returns the actor of ctx, or "".
func Actor(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	a, _ := ctx.Value(actorKey).(string)
	return a
}

// IsSystem reports whether ctx names the registry itself (an import, a job)
// as the actor: form-only rules such as the consent checkbox do not apply to
// records it brings over from elsewhere.
func IsSystem(ctx context.Context) bool {
	a := Actor(ctx)
	return a == ActorSystem || strings.HasPrefix(a, ActorSystem+":")
}

// Quietly marks saves that must not notify anyone (imports, repairs): the
// change log is still written, no email is queued.
func Quietly(ctx context.Context) context.Context {
	return context.WithValue(ctx, quietKey, true)
}

// IsQuiet reports whether ctx was marked with Quietly.
func IsQuiet(ctx context.Context) bool {
	if ctx == nil {
		return false
	}
	q, _ := ctx.Value(quietKey).(bool)
	return q
}

// WithReason attaches the office's reason for a status change (a rejection,
// say) to the saves made with ctx: the lifecycle hooks record it in the
// change log and put it into the status emails.
func WithReason(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, reasonKey, reason)
}

// Reason returns the reason attached to ctx, or "".
func Reason(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	r, _ := ctx.Value(reasonKey).(string)
	return r
}
