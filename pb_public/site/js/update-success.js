// /update/success/: what the last save changed and whether the entry went
// back to review. The edit page hands the summary over once; a reload
// shows only the general confirmation.
import "./chrome.js";
import { takeOver } from "./api.js";
import { h } from "./dom.js";

const result = takeOver("edit_result");
if (result) {
  const review = document.getElementById("review-result");
  if (result.backToReview) {
    review.append(h("div", { class: "alert alert-warning", id: "back-to-review" },
      h("strong", {}, "Back to review. "),
      `“${result.name}” was approved. Because of these changes it is now “${result.statusLabel}” again, until the administration office has reviewed them.`));
  } else {
    review.append(h("p", { id: "status-kept" },
      `The status of “${result.name}” is still “${result.statusLabel}”.` +
      (result.previousStatus === "approved" ? " These changes do not need another review." : "")));
  }
  review.hidden = false;
  const body = document.getElementById("changes-body");
  for (const c of result.changes || []) {
    body.append(h("tr", {}, h("th", { scope: "row" }, c.label), h("td", {}, c.old), h("td", {}, c.new)));
  }
  document.getElementById("change-list").hidden = !(result.changes || []).length;
}
