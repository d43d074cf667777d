package adminui

import (
	"net/http"

	"github.com/denbi/service-registry/internal/savecontext"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// deleteResponse answers the delete route.
type deleteResponse struct {
	ID             string `json:"id"`
	Deleted        bool   `json:"deleted"`
	ChangelogCount int    `json:"changelog_count"`
	Message        string `json:"message"`
}

// handleDelete serves DELETE /api/registry/admin/submissions/{id}. The
// deletion hook keeps an audit record with the whole change log (deleted_by
// "admin:<email>"); the page warns before calling this and suggests
// deprecating instead, which keeps the history browsable.
func (p *plugin) handleDelete(e *core.RequestEvent) error {
	s, err := findSubmission(e)
	if err != nil {
		return err
	}
	var count int
	if err := e.App.DB().Select("COUNT(*)").From("submission_changes").
		Where(dbx.HashExp{"submission": s.Id}).Row(&count); err != nil {
		return err
	}
	c := callerOf(e)
	ctx := savecontext.WithActor(saveContext(e), c.actor())
	if err := e.App.DeleteWithContext(ctx, s); err != nil {
		return e.BadRequestError("The service could not be deleted.", err)
	}
	e.App.Logger().Info("Submission deleted from the Registry page", "submission", s.Id, "changes", count, "by", c.actor())
	return e.JSON(http.StatusOK, deleteResponse{
		ID: s.Id, Deleted: true, ChangelogCount: count,
		Message: "“" + s.GetString("service_name") + "” was deleted; a deletion audit record was kept.",
	})
}
