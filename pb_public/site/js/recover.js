// /update/recover/: self-service key recovery in two steps.
//
// Without a link, the page asks for the service (name or id) and the
// internal contact email and sends them with a solved captcha to
// POST /api/registry/keys/recover, which always answers with the same
// neutral message: the page shows it and keeps nothing.
//
// Opened from the emailed link (?submission=…&token=…), the page reads both
// values, removes them from the address bar at once (so they do not stay in
// the history or reach a bookmark) and asks before it redeems the link with
// POST /api/registry/keys/recover/confirm, because that revokes every key of
// the entry. The new key is shown once and dropped when the page is left.
import "./chrome.js";
import { pb, siteInfo, describeError, fieldErrors, clearEditSession } from "./api.js";
import { h, clear, announce } from "./dom.js";
import { newKeyCard, forgetOnLeave, openEntryWithKey } from "./keys.js";

const REQUEST_PATH = "/api/registry/keys/recover";
const CONFIRM_PATH = "/api/registry/keys/recover/confirm";

const VIEWS = ["request-view", "sent-view", "confirm-view", "failed-view", "key-view", "gone-view"];
const TITLES = {
  "request-view": "Lost your API key?",
  "sent-view": "Check your email",
  "confirm-view": "Get a new API key",
  "failed-view": "This link does not work",
  "key-view": "Your new API key",
  "gone-view": "Your new API key",
};

const form = document.getElementById("recover-form");
const serviceInput = document.getElementById("service");
const emailInput = document.getElementById("email");
const requestButton = document.getElementById("request-submit");
const requestStatus = document.getElementById("request-status");
const requestError = document.getElementById("request-error");
const confirmButton = document.getElementById("confirm-button");
const confirmStatus = document.getElementById("confirm-status");
const confirmError = document.getElementById("confirm-error");
const keyView = document.getElementById("key-view");

let captcha = null;
let ready = false;
let busy = false;
let captchaRetried = false;

function show(view) {
  for (const id of VIEWS) document.getElementById(id).hidden = id !== view;
  const title = TITLES[view];
  document.getElementById("page-title").textContent = title;
  document.title = `${title} · de.NBI Service Registry`;
}

// recoveryLink returns {submission, token} from the address (the query, or
// a fragment, which never reaches the server's logs), or null.
function recoveryLink() {
  for (const raw of [location.search, location.hash.replace(/^#/, "")]) {
    const params = new URLSearchParams(raw);
    if (params.get("token")) return { submission: params.get("submission") || "", token: params.get("token") };
  }
  return null;
}

// ---- step 1: ask for a link ------------------------------------------------

const FIELDS = { service: serviceInput, email: emailInput };

function setFieldError(name, message) {
  const errorEl = document.getElementById(`error-${name}`);
  if (!errorEl) return false;
  clear(errorEl);
  if (message) errorEl.append(h("span", { class: "visually-hidden" }, "Error: "), message);
  const wrapper = document.getElementById(`field-${name}`);
  wrapper.classList.toggle("has-error", !!message);
  if (message && wrapper.hidden) wrapper.hidden = false;
  const input = FIELDS[name];
  if (input) {
    input.classList.toggle("is-invalid", !!message);
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
  return true;
}

function clearErrors() {
  for (const name of ["service", "email", "altcha"]) setFieldError(name, "");
  requestError.hidden = true;
  clear(requestError);
}

// showErrors puts each message next to its field; the first field with a
// problem takes the focus.
function showErrors(errors) {
  let first = null;
  for (const [name, message] of Object.entries(errors)) {
    if (!setFieldError(name, message)) {
      showRequestError(message);
      continue;
    }
    first ||= FIELDS[name] || captcha;
  }
  first?.focus();
  announce(Object.values(errors).join(" "));
}

function showRequestError(message) {
  clear(requestError).append(message);
  requestError.hidden = false;
  requestError.focus();
}

function clientErrors(service, email) {
  const errors = {};
  if (!service) errors.service = "Enter the name of the service as registered, or its reference.";
  if (!email) errors.email = "Enter the internal contact email address of the registration.";
  else if (!/^[^\s@]+@[^\s@]+$/.test(email)) errors.email = "This is not an email address. Check for typing errors.";
  return errors;
}

function setBusy(on) {
  busy = on;
  requestButton.disabled = on;
  requestStatus.textContent = on ? "Sending…" : "";
}

function resetCaptcha() {
  if (captcha && typeof captcha.reset === "function") captcha.reset();
}

async function onRequest(ev) {
  ev.preventDefault(); // never the browser's own submit: it would put the address into the URL
  if (!ready) {
    requestStatus.textContent = "One moment: the page is still loading.";
    return;
  }
  if (busy) return;
  clearErrors();
  const service = serviceInput.value.trim();
  const email = emailInput.value.trim();
  const problems = clientErrors(service, email);
  if (Object.keys(problems).length) {
    showErrors(problems);
    return;
  }
  const body = { service, email };
  const altcha = form.querySelector('input[name="altcha"]')?.value;
  if (altcha) body.altcha = altcha;
  setBusy(true);
  try {
    const res = await pb.send(REQUEST_PATH, { method: "POST", body, requestKey: null });
    setBusy(false);
    form.reset(); // the page keeps nothing (this also resets the captcha)
    captchaRetried = false;
    const message = document.getElementById("sent-message");
    message.textContent = res?.message || "If the service and the address match a registration, a link is on its way.";
    show("sent-view");
    message.focus();
  } catch (err) {
    setBusy(false);
    resetCaptcha();
    const errors = fieldErrors(err);
    const names = Object.keys(errors);
    if (err?.status === 400 && names.length === 1 && names[0] === "altcha" && !captchaRetried) {
      // an expired or used puzzle: solve a new one and send again, once
      captchaRetried = true;
      form.requestSubmit(requestButton);
      return;
    }
    if (err?.status === 400 && names.length) showErrors(errors);
    else showRequestError(describeError(err, "Your request could not be sent."));
  }
}

function showRequestForm() {
  clearErrors();
  show("request-view");
}

function setupRequestForm(site) {
  if (site.captcha.enabled) {
    const widget = document.createElement("altcha-widget");
    // an attribute: the widget takes the id property for itself
    widget.setAttribute("id", "f-altcha");
    widget.setAttribute("challengeurl", site.captcha.challenge_url || "/captcha/");
    widget.setAttribute("workerurl", "/vendor/altcha/worker.js");
    widget.setAttribute("auto", "onsubmit");
    widget.setAttribute("hidelogo", "");
    document.getElementById("altcha-holder").append(widget);
    document.getElementById("field-altcha").hidden = false;
    captcha = widget;
  }
  ready = true;
  requestStatus.textContent = "";
  form.dataset.ready = "true";
}

// ---- step 2: redeem the link -------------------------------------------------

function showKey(res) {
  let key = res.api_key;
  const revoked = res.revoked_keys === 1 ? "The 1 earlier key" : `The ${res.revoked_keys} earlier keys`;
  const openButton = h("button", { type: "button", class: "btn btn-primary", id: "open-entry" }, "Open my entry now");
  const openError = h("div", { class: "alert alert-danger mt-3", id: "open-error", role: "alert", hidden: true });
  openButton.addEventListener("click", async () => {
    openButton.disabled = true;
    openError.hidden = true;
    try {
      await openEntryWithKey(key);
    } catch (err) {
      openButton.disabled = false;
      openError.textContent = describeError(err, "The entry could not be opened.") + " Use the key on the update page.";
      openError.hidden = false;
    }
  });
  clear(keyView).append(
    h("div", { class: "alert alert-success", role: "status", id: "recovered-message" },
      h("strong", {}, "Done. "),
      `You have a new key for “${res.service_name}”. `,
      res.revoked_keys > 0 ? `${revoked} of this entry no longer work.` : "The entry had no other active key."),
    newKeyCard({
      key,
      intro: "You need this key to view or change your entry, on the update page or through the API.",
    }),
    h("p", {}, "Reference of your entry (quote it when you write to the office): ", h("code", { id: "submission-id" }, res.submission_id)),
    h("div", { class: "d-flex flex-wrap gap-2" },
      openButton,
      h("a", { class: "btn btn-outline-secondary", href: "/update/" }, "Update page")),
    openError);
  show("key-view");
  document.getElementById("api-key").focus();
  announce("Your new API key is shown. Save it now: it is shown only once.");
  forgetOnLeave(() => {
    key = "";
    clear(keyView);
    show("gone-view");
  });
}

function setupConfirm(link) {
  show("confirm-view");
  confirmButton.addEventListener("click", async () => {
    if (busy || !link) return;
    busy = true;
    confirmButton.disabled = true;
    confirmError.hidden = true;
    confirmStatus.textContent = "Issuing the new key…";
    try {
      const res = await pb.send(CONFIRM_PATH, { method: "POST", body: link, requestKey: null });
      link = null; // used up: forget it
      clearEditSession(); // an open session in this tab belonged to a revoked key
      showKey(res);
    } catch (err) {
      busy = false;
      confirmButton.disabled = false;
      confirmStatus.textContent = "";
      if (err?.status === 400) {
        link = null;
        const message = document.getElementById("failed-message");
        message.textContent = err.response?.message || "This recovery link does not work.";
        show("failed-view");
        message.focus();
        return;
      }
      // the server could not finish: nothing changed, the link still works
      confirmError.textContent = describeError(err, "The new key could not be issued.");
      confirmError.hidden = false;
      confirmError.focus();
    }
  });
  confirmButton.focus();
}

// ---- start ------------------------------------------------------------------

form.addEventListener("submit", onRequest);
for (const [name, input] of Object.entries(FIELDS)) input.addEventListener("input", () => setFieldError(name, ""));
document.getElementById("request-again").addEventListener("click", () => {
  showRequestForm();
  serviceInput.focus();
});

// openLink shows the confirmation for a link in the address, if there is
// one: read once, then gone from the address bar and the history entry.
function openLink() {
  const link = recoveryLink();
  if (!link) return false;
  history.replaceState(null, "", location.pathname);
  setupConfirm(link);
  return true;
}

if (!openLink()) show("request-view");
// a link pasted into a tab that shows this page already only changes the
// fragment: no new page load
window.addEventListener("hashchange", openLink);
siteInfo().then(setupRequestForm);
