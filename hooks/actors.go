package hooks

import (
	"sync"

	"github.com/denbi/service-registry/internal/savecontext"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// actorSystem is who changes a submission when no person or key does (CLI,
// import, background jobs).
const actorSystem = savecontext.ActorSystem

// actors remembers who is saving a record while the save runs, so model
// hooks (change log, lifecycle, emails) can tell a web edit from an API
// call or a dashboard edit. PocketBase hands model hooks the same record
// pointer the request hooks saw, and no request context, hence the map.
type actors struct {
	m sync.Map // *core.Record → string
}

// saveAs runs save with actor recorded for record.
func (a *actors) saveAs(actor string, record *core.Record, save func() error) error {
	a.m.Store(record, actor)
	defer a.m.Delete(record)
	return save()
}

// of returns who is saving record ("system" when nobody said).
func (a *actors) of(record *core.Record) string {
	if v, ok := a.m.Load(record); ok {
		return v.(string)
	}
	return actorSystem
}

// bindActors records the actor of every collection API request on
// submissions (dashboard, keys, browser sessions).
func (r *registry) bindActors() {
	remember := func(e *core.RecordRequestEvent) error {
		return r.actors.saveAs(actor(e.RequestEvent), e.Record, e.Next)
	}
	handler := func(id string) *hook.Handler[*core.RecordRequestEvent] {
		return &hook.Handler[*core.RecordRequestEvent]{Id: id, Priority: -1000, Func: remember}
	}
	r.app.OnRecordCreateRequest("submissions").Bind(handler("registryActorCreate"))
	r.app.OnRecordUpdateRequest("submissions").Bind(handler("registryActorUpdate"))
	r.app.OnRecordDeleteRequest("submissions").Bind(handler("registryActorDelete"))
}
