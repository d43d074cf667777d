package adminui

import (
	"fmt"
	"github.com/denbi/service-registry/internal/statuses"
	"net/http"
	"slices"

	"github.com/denbi/service-registry/internal/savecontext"
	"github.com/pocketbase/pocketbase/core"
)

// tagsRequest is the body of POST /api/registry/admin/maturity.
type tagsRequest struct {
	IDs       []string `json:"ids"`
	Primary   string   `json:"primary_maturity_tag"`
	Secondary []string `json:"secondary_maturity_tags"`
}

// tagsResponse answers it.
type tagsResponse struct {
	Status  string         `json:"status"`
	Updated int            `json:"updated"`
	Skipped int            `json:"skipped"`
	Message string         `json:"message"`
	Results []statusResult `json:"results"`
}

// handleTags sets the maturity tags of the approved submissions among the
// selected ones (an empty primary tag clears it). The approval is checked
// again here, so a selection that went stale in the browser (an entry
// rejected meanwhile) is skipped rather than tagged.
func (p *plugin) handleTags(e *core.RequestEvent) error {
	var req tagsRequest
	if err := e.BindBody(&req); err != nil {
		return e.BadRequestError("The request body is not valid JSON.", err)
	}
	ids := dedupe(req.IDs)
	switch {
	case len(ids) == 0:
		return e.BadRequestError("Select at least one service.", nil)
	case len(ids) > maxIDs:
		return e.BadRequestError(fmt.Sprintf("At most %d services can be tagged at once.", maxIDs), nil)
	case req.Primary != "" && !slices.Contains(statuses.PrimaryTags, req.Primary):
		return e.BadRequestError("Invalid primary tag selection.", nil)
	}
	secondary := []string{}
	for _, t := range req.Secondary {
		if !slices.Contains(statuses.SecondaryTags, t) {
			return e.BadRequestError(fmt.Sprintf("Invalid secondary tag: %s.", t), nil)
		}
		if !slices.Contains(secondary, t) {
			secondary = append(secondary, t)
		}
	}

	var approved []*core.Record
	out := tagsResponse{Status: "success", Results: []statusResult{}}
	for _, id := range ids {
		s, err := e.App.FindRecordById("submissions", id)
		switch {
		case err != nil:
			out.Results = append(out.Results, statusResult{ID: id, Error: "There is no service with this id."})
			out.Skipped++
		case s.GetString("status") != StatusApproved:
			out.Results = append(out.Results, statusResult{ID: id, ServiceName: s.GetString("service_name"),
				Status: s.GetString("status"), Skipped: "not approved"})
			out.Skipped++
		default:
			approved = append(approved, s)
		}
	}
	if len(approved) == 0 {
		return e.BadRequestError("No approved submissions selected. Tags can only be assigned to approved services.", nil)
	}

	c := callerOf(e)
	ctx := savecontext.WithActor(saveContext(e), c.actor())
	for _, s := range approved {
		res := statusResult{ID: s.Id, ServiceName: s.GetString("service_name"), Status: StatusApproved}
		before := maturityDisplay(s)
		s.Set("primary_maturity_tag", req.Primary)
		s.Set("secondary_maturity_tags", secondary)
		// the hooks write a change-log row only when a tag really changed
		if err := e.App.SaveWithContext(ctx, s); err != nil {
			res.Error = saveMessage(err)
			out.Skipped++
		} else {
			res.Changed = maturityDisplay(s) != before
			out.Updated++
		}
		out.Results = append(out.Results, res)
	}
	out.Message = fmt.Sprintf("Maturity tags assigned to %d approved submission(s).", out.Updated)
	e.App.Logger().Info("Maturity tags assigned from the Registry page", "updated", out.Updated,
		"skipped", out.Skipped, "primary", req.Primary, "secondary", secondary, "by", c.actor())
	return e.JSON(http.StatusOK, out)
}
