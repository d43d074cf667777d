// /update/edit/: the entry of the key exchanged on /update/, in the
// registration form. Read-scope keys see it read-only. Saving sends only
// what changed (with a solved captcha), then /update/success/ lists the
// changes and says whether the entry went back to review. Write keys also
// see the entry's API keys and can rotate the key in use (keys section).
import "./chrome.js";
import { pb, siteInfo, describeError, fieldErrors, handOver, loadEditSession, clearEditSession } from "./api.js";
import { RegistryForm } from "./form.js";
import { FIELDS, STATUS_LABELS } from "./fields.js";
import { h, clear, formatDate, announce } from "./dom.js";
import { newKeyCard, forgetOnLeave, openEntryWithKey } from "./keys.js";

const EXPAND = "service_categories,service_center,responsible_pis,edam_topics,edam_operations,licenses";

const formEl = document.getElementById("edit-form");
const submitButton = document.getElementById("submit-button");
const status = document.getElementById("submit-status");
const pageError = document.getElementById("page-error");
const flash = document.getElementById("flash");
const reviewNotice = document.getElementById("review-notice");

let form;
let site;
let record;
let session;
let busy = false;
let captchaRetried = false;

function statusLabel(value) {
  return site?.statuses?.[value] || STATUS_LABELS[value] || value;
}

function expired() {
  clearEditSession();
  location.replace("/update/?session=expired");
}

// recordValues turns a record of the collection API into form values.
function recordValues(rec) {
  const out = {};
  for (const field of FIELDS) {
    if (field.type === "file" || !(field.name in rec)) continue;
    out[field.name] = rec[field.name];
  }
  out.internal_contact_name = "";
  out.internal_contact_email = "";
  out.internal_contact_email_confirm = "";
  return out;
}

// recordOptions are the option objects of the searched pickers, from the
// record's expanded relations.
function recordOptions(rec) {
  const ex = rec.expand || {};
  const edam = (list) => [].concat(list || []).map((t) => ({ id: String(t.id), label: t.label, accession: t.accession }));
  return {
    edam_topics: edam(ex.edam_topics),
    edam_operations: edam(ex.edam_operations),
    licenses: [].concat(ex.licenses || []).map((l) => ({ id: l.id, license_id: l.license_id, name: l.name, deprecated: !!l.deprecated })),
  };
}

function showHeader() {
  document.getElementById("entry-name").textContent = record.service_name;
  document.getElementById("entry-updated").textContent = formatDate(record.updated);
  const badge = document.getElementById("entry-status");
  badge.textContent = statusLabel(record.status);
  badge.className = "badge " + ({ approved: "text-bg-success", rejected: "text-bg-danger", deprecated: "text-bg-secondary" }[record.status] || "text-bg-info");
  document.getElementById("deprecate-name").textContent = record.service_name;
  document.title = `Edit: ${record.service_name} · de.NBI Service Registry`;
}

function showLogo() {
  const holder = document.getElementById("current-logo");
  if (!holder || !record.logo) return;
  clear(holder).append(
    h("p", { class: "small mb-1" }, "Current logo:"),
    h("img", { src: pb.files.getURL(record, record.logo), alt: `Current logo of ${record.service_name}` }));
  holder.hidden = false;
}

function showDangerZone() {
  const zone = document.getElementById("danger-zone");
  if (session.scope !== "write") return;
  zone.hidden = false;
  const done = record.status === "deprecated";
  document.getElementById("danger-active").hidden = done;
  document.getElementById("danger-done").hidden = !done;
}

// backToReview lists the changed fields that send an approved entry back
// to review (those not in [submission] no_reset_fields).
function resettingChanges(changes) {
  if (record.status !== "approved") return [];
  const exempt = new Set(site.submission.no_reset_fields || []);
  return changes.filter((c) => !exempt.has(c.field));
}

function updateReviewNotice() {
  if (!form || form.readOnly) return;
  const resetting = resettingChanges(form.changes());
  if (resetting.length) {
    reviewNotice.textContent = `Your entry is approved. Saving changes to ${resetting.map((c) => c.label).join(", ")} sends it back to review by the administration office until it is approved again.`;
    reviewNotice.hidden = false;
  } else {
    reviewNotice.hidden = true;
  }
}

function setBusy(on) {
  busy = on;
  submitButton.disabled = on;
  status.textContent = on ? status.dataset.busyText : "";
}

function buildBody(changes) {
  const values = {};
  for (const c of changes) if (c.field !== "logo") values[c.field] = c.value;
  const altcha = form.captchaPayload();
  if (altcha) values.altcha = altcha;
  const logo = form.logoFile();
  if (!logo) return values;
  const data = new FormData();
  data.append("@jsonPayload", JSON.stringify(values));
  data.append("logo", logo);
  return data;
}

async function onSubmit(ev) {
  ev.preventDefault();
  if (busy || form.readOnly) return;
  form.clearErrors();
  const problems = form.clientErrors();
  if (Object.keys(problems).length) {
    form.showErrors(problems);
    return;
  }
  const changes = form.changes();
  if (!changes.length) {
    form.showFormError("You have not changed anything yet. Change a field, then save.", "Nothing to save");
    return;
  }
  if (!loadEditSession()) {
    expired();
    return;
  }
  setBusy(true);
  try {
    const saved = await pb.collection("submissions").update(record.id, buildBody(changes), { requestKey: null });
    form.finishDrafts();
    clearEditSession();
    const wentBack = record.status === "approved" && saved.status !== "approved";
    handOver("edit_result", {
      name: saved.service_name,
      status: saved.status,
      statusLabel: statusLabel(saved.status),
      previousStatus: record.status,
      backToReview: wentBack,
      changes: changes.map((c) => {
        const field = FIELDS.find((f) => f.name === c.field);
        return { label: c.label, old: field?.writeOnly ? "(not shown)" : c.old, new: field?.writeOnly ? "(changed)" : c.new };
      }),
    });
    location.replace("/update/success/");
  } catch (err) {
    setBusy(false);
    form.resetCaptcha();
    if (err?.status === 401 || err?.status === 403) {
      expired();
      return;
    }
    const errors = fieldErrors(err);
    const names = Object.keys(errors);
    if (err?.status === 400 && names.length === 1 && names[0] === "altcha" && !captchaRetried) {
      captchaRetried = true;
      formEl.requestSubmit(submitButton);
      return;
    }
    if (err?.status === 400 && names.length) form.showErrors(errors);
    else form.showFormError(describeError(err, "Your changes could not be saved."), "Not saved");
  }
}

async function deprecate() {
  const errorBox = document.getElementById("deprecate-error");
  const button = document.getElementById("confirm-deprecate");
  errorBox.hidden = true;
  button.disabled = true;
  try {
    const res = await pb.send(`/api/registry/submissions/${encodeURIComponent(record.id)}/deprecate`, { method: "POST", requestKey: null });
    record.status = res.status;
    window.bootstrap?.Modal.getOrCreateInstance(document.getElementById("deprecate-modal")).hide();
    showHeader();
    showDangerZone();
    form.finishDrafts();
    clear(flash).append(h("div", { class: "alert alert-success", id: "deprecated-message", tabindex: "-1" },
      "Your service is now marked as deprecated. The administration office has been notified."));
    flash.firstChild.focus();
    announce("The service is now marked as deprecated.");
  } catch (err) {
    if (err?.status === 401) {
      expired();
      return;
    }
    errorBox.textContent = describeError(err, "The service could not be marked as deprecated.");
    errorBox.hidden = false;
  } finally {
    button.disabled = false;
  }
}

// ---- API keys ------------------------------------------------------------------

const keysStatus = document.getElementById("keys-status");
let keyItems = [];

function keysPath(suffix = "") {
  return `/api/registry/submissions/${encodeURIComponent(record.id)}/keys${suffix}`;
}

function keyRow(k) {
  const label = h("td", { class: "key-label" }, k.label || "(no label)");
  if (k.current) label.append(" ", h("span", { class: "badge key-this" }, "this key"));
  if (k.fresh) label.append(" ", h("span", { class: "badge text-bg-warning key-new" }, "new"));
  return h("tr", { class: k.active ? "" : "key-revoked", dataset: { keyId: k.id } },
    label,
    // data-label names the column where phones show the rows as cards
    h("td", { "data-label": "Access" }, k.scope === "write" ? "view and edit" : k.scope === "read" ? "view only" : k.scope),
    h("td", { "data-label": "Created" }, formatDate(k.created, false)),
    h("td", { "data-label": "Last used" }, k.last_used_at ? formatDate(k.last_used_at) : "never"),
    h("td", { "data-label": "Status" }, h("span", { class: "badge " + (k.active ? "text-bg-success" : "text-bg-secondary") }, k.active ? "active" : "revoked")));
}

function renderKeys() {
  clear(document.getElementById("keys-body")).append(...keyItems.map(keyRow));
  document.getElementById("keys-table").hidden = keyItems.length === 0;
  const current = keyItems.find((k) => k.current);
  document.getElementById("rotate-current").textContent = current ? `“${current.label}”` : "the current key";
}

async function loadKeys() {
  keysStatus.textContent = "Loading the keys…";
  try {
    const res = await pb.send(keysPath(), { method: "GET", requestKey: null });
    keyItems = res.items || [];
    keysStatus.textContent = "";
    renderKeys();
  } catch (err) {
    keysStatus.textContent = "The list of keys could not be loaded. " + describeError(err);
  }
}

// endEditing turns the page read-only once the session's key is gone.
function endEditing() {
  form.setReadOnly();
  // as for read keys: no progress towards a save, no captcha for one
  document.getElementById("form-progress")?.closest(".card")?.setAttribute("hidden", "");
  document.getElementById("field-altcha")?.setAttribute("hidden", "");
  document.getElementById("danger-zone").hidden = true;
  document.getElementById("edit-intro").hidden = true;
  document.getElementById("rotate-area").hidden = true;
  clear(flash).append(h("div", { class: "alert alert-warning", id: "session-ended" },
    h("strong", {}, "Your key was replaced. "),
    "This editing session has ended with the old key, so the form is read-only now. ",
    h("a", { href: "#keys-section" }, "Save the new key"), ", then go on editing with it."));
}

function showRotated(res, oldLabel) {
  let key = res.api_key;
  const holder = document.getElementById("rotated");
  const goOn = h("button", { type: "button", class: "btn btn-primary", id: "continue-editing" }, "Go on editing with the new key");
  const goOnError = h("div", { class: "alert alert-danger mt-3 mb-0", role: "alert", id: "continue-error", hidden: true });
  goOn.addEventListener("click", async () => {
    goOn.disabled = true;
    goOnError.hidden = true;
    try {
      await openEntryWithKey(key);
    } catch (err) {
      goOn.disabled = false;
      goOnError.textContent = describeError(err, "The entry could not be opened.") + " Enter the new key on the update page.";
      goOnError.hidden = false;
    }
  });
  clear(holder).append(
    h("div", { class: "alert alert-success", id: "rotated-message" },
      h("strong", {}, "Key rotated. "),
      oldLabel ? `The key “${oldLabel}” no longer works. ` : "The key you used no longer works. ",
      `The new key is called “${res.key.label}”.`),
    newKeyCard({
      key,
      intro: "Use this key from now on: on the update page, and in every script that used the old key.",
    }),
    h("div", { class: "d-flex flex-wrap gap-2 mb-3" }, goOn, h("a", { class: "btn btn-outline-secondary", href: "/update/" }, "Finish")),
    goOnError);
  holder.hidden = false;
  keyItems = [{ ...res.key, current: false, fresh: true },
    ...keyItems.map((k) => ({ ...k, current: false, active: k.id === res.revoked_key_id ? false : k.active }))];
  renderKeys();
  document.getElementById("keys-section").scrollIntoView({ block: "start" });
  document.getElementById("api-key").focus();
  announce("Your new API key is shown. Save it now: it is shown only once.");
  forgetOnLeave(() => {
    key = "";
    clear(holder).append(h("div", { class: "alert alert-info mb-0" },
      "The new key is shown only once and is no longer shown here. Enter it on the ", h("a", { href: "/update/" }, "update page"), "."));
  });
}

async function rotate() {
  const errorBox = document.getElementById("rotate-error");
  const button = document.getElementById("confirm-rotate");
  errorBox.hidden = true;
  if (!loadEditSession()) {
    expired();
    return;
  }
  button.disabled = true;
  // the draft of unsaved changes must be on disk before the session ends
  form.saveDraft();
  const label = document.getElementById("rotate-label").value.trim();
  const oldLabel = keyItems.find((k) => k.current)?.label || "";
  try {
    const res = await pb.send(keysPath("/rotate"), { method: "POST", body: label ? { label } : {}, requestKey: null });
    clearEditSession();
    window.bootstrap?.Modal.getOrCreateInstance(document.getElementById("rotate-modal")).hide();
    endEditing();
    showRotated(res, oldLabel);
  } catch (err) {
    if (err?.status === 401 || err?.status === 403) {
      expired();
      return;
    }
    errorBox.textContent = describeError(err, "The key could not be rotated; the current key still works.");
    errorBox.hidden = false;
  } finally {
    button.disabled = false;
  }
}

function setupKeys() {
  document.getElementById("keys-section").hidden = false;
  document.getElementById("keys-link-line").hidden = false;
  const modal = document.getElementById("rotate-modal");
  const labelInput = document.getElementById("rotate-label");
  modal.addEventListener("show.bs.modal", () => {
    document.getElementById("rotate-error").hidden = true;
    document.getElementById("rotate-unsaved").hidden = form.changes().length === 0;
  });
  modal.addEventListener("shown.bs.modal", () => labelInput.focus());
  labelInput.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      document.getElementById("confirm-rotate").click();
    }
  });
  document.getElementById("confirm-rotate").addEventListener("click", rotate);
  loadKeys();
}

function showPageError(message) {
  document.getElementById("loading").hidden = true;
  clear(pageError).append(h("p", { class: "mb-2" }, message),
    h("button", { type: "button", class: "btn btn-sm btn-outline-danger", onclick: () => location.reload() }, "Try again"));
  pageError.hidden = false;
}

async function start() {
  session = loadEditSession();
  if (!session) {
    expired();
    return;
  }
  site = await siteInfo();
  try {
    record = await pb.collection("submissions").getOne(session.submission, { expand: EXPAND, requestKey: null });
  } catch (err) {
    if ([401, 403, 404].includes(err?.status)) {
      expired();
      return;
    }
    showPageError("Your entry could not be loaded. " + describeError(err));
    return;
  }
  const readOnly = session.scope !== "write";
  form = new RegistryForm(formEl, { mode: "edit", site, readOnly });
  form.render();
  try {
    await form.loadReferenceData(record);
  } catch (err) {
    showPageError("The lists this form needs could not be loaded. " + describeError(err));
    return;
  }
  form.setValues(recordValues(record), recordOptions(record));
  form.snapshot();
  showHeader();
  showLogo();
  showDangerZone();
  document.getElementById("loading").hidden = true;
  document.getElementById("edit-page").hidden = false;

  if (readOnly) {
    form.setReadOnly();
    document.querySelector("h1").textContent = "Your registration (view only)";
    document.getElementById("form-progress")?.closest(".card")?.setAttribute("hidden", "");
    document.getElementById("scope-notice").hidden = false;
    document.getElementById("edit-intro").hidden = true;
  } else {
    const stamp = Math.floor(new Date(String(record.updated).replace(" ", "T")).getTime() / 1000);
    form.enableDrafts({
      key: `denbi_draft_edit_${record.id}_${stamp}`,
      ttlDays: site.submission.draft_ttl_days,
      sameEntryPrefix: `denbi_draft_edit_${record.id}_`,
    });
    const restored = form.restoreDraft();
    if (restored) form.showDraftBanner(restored);
    form.setupPrefill(site.features.biotools_prefill);
    form.onChangeHooks.push(updateReviewNotice);
    formEl.addEventListener("input", updateReviewNotice);
    updateReviewNotice();
    formEl.addEventListener("submit", onSubmit);
    document.getElementById("confirm-deprecate").addEventListener("click", deprecate);
    // the safe choice has the focus when the dialog opens
    const modal = document.getElementById("deprecate-modal");
    modal.addEventListener("shown.bs.modal", () => modal.querySelector(".modal-footer [data-bs-dismiss]")?.focus());
    setupKeys();
  }
  formEl.dataset.ready = "true";
}

start();
