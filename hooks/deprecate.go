package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

// deprecationResult answers the deprecation route.
type deprecationResult struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Changed bool   `json:"changed"`
}

// bindDeprecation serves POST /api/registry/submissions/{id}/deprecate: the
// owner (key with scope write, or its browser session) marks a service as no
// longer offered. Repeating it changes nothing. Only the office can undo it.
func (r *registry) bindDeprecation(se *core.ServeEvent) {
	se.Router.POST("/api/registry/submissions/{id}/deprecate", func(e *core.RequestEvent) error {
		if err := requireAuth(e); err != nil {
			return err
		}
		record, err := e.App.FindRecordById("submissions", e.Request.PathValue("id"))
		if err != nil {
			return apis.NewNotFoundError("No submission with this id is visible to this key.", nil)
		}
		if ok, err := canAccess(e, record, record.Collection().ViewRule); err != nil || !ok {
			return apis.NewNotFoundError("No submission with this id is visible to this key.", err)
		}
		if ok, err := canAccess(e, record, record.Collection().UpdateRule); err != nil || !ok {
			return apis.NewForbiddenError("This key may read the submission but not change it: use a key with scope \"write\".", err)
		}
		if record.GetString("status") == StatusDeprecated {
			return e.JSON(http.StatusOK, deprecationResult{ID: record.Id, Status: StatusDeprecated})
		}
		record.Set("status", StatusDeprecated)
		if err := r.actors.saveAs(actor(e), record, func() error { return e.App.Save(record) }); err != nil {
			return saveError(err, "The service could not be marked as deprecated.")
		}
		e.App.Logger().Info("Service deprecated by its owner", "submission", record.Id, "by", actor(e))
		return e.JSON(http.StatusOK, deprecationResult{ID: record.Id, Status: StatusDeprecated, Changed: true})
	})
}
