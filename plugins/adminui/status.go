package adminui

import (
	"context"
	"errors"
	"fmt"
	"github.com/denbi/service-registry/internal/statuses"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/denbi/service-registry/internal/savecontext"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// maxReasonLength bounds a rejection reason (it goes into emails and the
// change log).
const maxReasonLength = 2000

// Status actions: the buttons of the Registry page and the status each
// leads to.
var statusActions = map[string]string{
	"under_review": StatusUnderReview,
	"approve":      StatusApproved,
	"reject":       StatusRejected,
	"deprecate":    StatusDeprecated,
	"undeprecate":  StatusSubmitted,
}

// statusRequest is the body of the status routes.
type statusRequest struct {
	IDs    []string `json:"ids"`
	Action string   `json:"action"`
	Reason string   `json:"reason"`
}

// validate checks the request; single is true for the one-submission route
// (whose id is in the path).
func (r *statusRequest) validate(single bool) error {
	r.Reason = strings.TrimSpace(r.Reason)
	return validation.ValidateStruct(r,
		validation.Field(&r.Action, validation.Required, validation.In(
			"under_review", "approve", "reject", "deprecate", "undeprecate",
		).Error("Unknown action: use under_review, approve, reject, deprecate or undeprecate.")),
		validation.Field(&r.IDs, validation.When(!single, validation.Required.Error("Select at least one service."),
			validation.Length(1, maxIDs).Error(fmt.Sprintf("At most %d services can be changed at once.", maxIDs)))),
		validation.Field(&r.Reason, validation.By(func(any) error {
			if utf8.RuneCountInString(r.Reason) > maxReasonLength {
				return validation.NewError("too_long", fmt.Sprintf("The reason may have at most %d characters.", maxReasonLength))
			}
			if r.Reason != "" && r.Action != "reject" {
				return validation.NewError("not_allowed", "Only a rejection takes a reason.")
			}
			return nil
		})),
	)
}

// statusResult is the outcome for one submission.
type statusResult struct {
	ID          string `json:"id"`
	ServiceName string `json:"service_name,omitempty"`
	Status      string `json:"status,omitempty"`
	Changed     bool   `json:"changed"`
	TagsCleared bool   `json:"tags_cleared,omitempty"`
	// Skipped says why nothing changed ("already Approved", ...).
	Skipped string `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`
}

// statusResponse answers the status routes.
type statusResponse struct {
	Action  string         `json:"action"`
	Status  string         `json:"status"`
	Updated int            `json:"updated"`
	Message string         `json:"message"`
	Warning string         `json:"warning,omitempty"`
	Results []statusResult `json:"results"`
}

// handleStatus serves POST /api/registry/admin/submissions/{id}/status.
func (p *plugin) handleStatus(e *core.RequestEvent) error {
	var req statusRequest
	if err := e.BindBody(&req); err != nil {
		return e.BadRequestError("The request body is not valid JSON.", err)
	}
	if err := req.validate(true); err != nil {
		return e.BadRequestError("The status change is not valid.", err)
	}
	s, err := findSubmission(e)
	if err != nil {
		return err
	}
	res := p.changeStatus(saveContext(e), e.App, callerOf(e), s, req.Action, req.Reason)
	if res.Error != "" {
		return e.BadRequestError(res.Error, nil)
	}
	return e.JSON(http.StatusOK, summarize(req.Action, []statusResult{res}))
}

// handleBulkStatus serves POST /api/registry/admin/status: each selected
// submission is saved on its own (its own change-log row and emails), so
// one that fails validation does not hold back the others.
func (p *plugin) handleBulkStatus(e *core.RequestEvent) error {
	var req statusRequest
	if err := e.BindBody(&req); err != nil {
		return e.BadRequestError("The request body is not valid JSON.", err)
	}
	if err := req.validate(false); err != nil {
		return e.BadRequestError("The status change is not valid.", err)
	}
	c := callerOf(e)
	var results []statusResult
	for _, id := range dedupe(req.IDs) {
		s, err := e.App.FindRecordById("submissions", id)
		if err != nil {
			results = append(results, statusResult{ID: id, Error: "There is no service with this id."})
			continue
		}
		results = append(results, p.changeStatus(saveContext(e), e.App, c, s, req.Action, req.Reason))
	}
	return e.JSON(http.StatusOK, summarize(req.Action, results))
}

// changeStatus applies one action to one submission through the model
// hooks: they write the change log (as "admin:<email>"), clear maturity
// tags when it leaves approved and queue the status emails.
func (p *plugin) changeStatus(ctx context.Context, app core.App, c *caller, s *core.Record, action, reason string) statusResult {
	target := statusActions[action]
	res := statusResult{ID: s.Id, ServiceName: s.GetString("service_name"), Status: s.GetString("status")}
	current := s.GetString("status")
	switch {
	case current == target:
		res.Skipped = "already " + statuses.Label(target)
		return res
	case action == "undeprecate" && current != StatusDeprecated:
		// the Django action moved anything to submitted; taking back an
		// approval that way is never what "undeprecate" means
		res.Skipped = "not deprecated"
		return res
	}
	hadTags := s.GetString("primary_maturity_tag") != "" || len(secondaryTagsOf(s)) > 0

	s.Set("status", target)
	ctx = savecontext.WithActor(ctx, c.actor())
	if reason != "" {
		// the lifecycle hooks log it with the change and put it into
		// the status emails
		ctx = savecontext.WithReason(ctx, reason)
	}
	if err := app.SaveWithContext(ctx, s); err != nil {
		res.Error = saveMessage(err)
		res.Status = current
		app.Logger().Warn("Status change refused", "submission", s.Id, "action", action, "by", c.actor(), "error", err)
		return res
	}
	res.Status = target
	res.Changed = true
	res.TagsCleared = hadTags && target != StatusApproved
	app.Logger().Info("Status changed from the Registry page", "submission", s.Id,
		"from", current, "to", target, "by", c.actor(), "withReason", reason != "")
	return res
}

// summarize builds the answer with the Django admin's messages.
func summarize(action string, results []statusResult) statusResponse {
	target := statusActions[action]
	out := statusResponse{Action: action, Status: target, Results: results}
	cleared := 0
	for _, r := range results {
		if r.Changed {
			out.Updated++
		}
		if r.TagsCleared {
			cleared++
		}
	}
	out.Message = fmt.Sprintf("%d submission(s) marked as %s.", out.Updated, statuses.Label(target))
	if cleared > 0 {
		out.Warning = fmt.Sprintf("⚠ Maturity tags automatically cleared on %d submission(s) that were moved away from Approved status.", cleared)
	}
	if out.Results == nil {
		out.Results = []statusResult{}
	}
	return out
}

// saveMessage turns a failed save into a sentence for the page.
func saveMessage(err error) string {
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return apiErr.Message
	}
	var fields validation.Errors
	if errors.As(err, &fields) {
		var parts []string
		for name, fe := range fields {
			parts = append(parts, fieldLabel(name)+": "+fe.Error())
		}
		slices.Sort(parts)
		return "The service could not be saved: " + strings.Join(parts, "; ")
	}
	return "The service could not be saved."
}

// dedupe drops repeated ids, keeping the order.
func dedupe(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}
