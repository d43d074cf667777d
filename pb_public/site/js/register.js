// /register/: the registration form. Sends the form to the collection API
// (the captcha widget solves its puzzle first), shows the server's messages
// next to the fields, and hands the new API key to /register/success/.
import "./chrome.js";
import { pb, siteInfo, describeError, fieldErrors, handOver } from "./api.js";
import { RegistryForm } from "./form.js";
import { h, clear } from "./dom.js";

const DRAFT_KEY = "denbi_draft_register";

const formEl = document.getElementById("registration-form");
const submitButton = document.getElementById("submit-button");
const status = document.getElementById("submit-status");
const pageError = document.getElementById("page-error");

let form;
let busy = false;
let captchaRetried = false;

function setBusy(on) {
  busy = on;
  submitButton.disabled = on;
  status.textContent = on ? status.dataset.busyText : "";
}

// buildBody returns what the create request sends: JSON, or multipart with
// every value in @jsonPayload and the logo as the only file part (so that
// PocketBase does not guess types from multipart text).
function buildBody() {
  const values = form.values();
  delete values.internal_contact_email_confirm;
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
  if (busy) return;
  form.clearErrors();
  const problems = form.clientErrors();
  if (Object.keys(problems).length) {
    form.showErrors(problems);
    return;
  }
  setBusy(true);
  try {
    const record = await pb.collection("submissions").create(buildBody(), { requestKey: null });
    form.finishDrafts();
    handOver("new_key", {
      key: record.api_key,
      warning: record.api_key_warning,
      id: record.id,
      name: record.service_name,
    });
    location.replace("/register/success/");
  } catch (err) {
    setBusy(false);
    form.resetCaptcha();
    const errors = fieldErrors(err);
    const names = Object.keys(errors);
    if (err?.status === 400 && names.length === 1 && names[0] === "altcha" && !captchaRetried) {
      // an expired or used puzzle: solve a new one and send again, once
      captchaRetried = true;
      formEl.requestSubmit(submitButton);
      return;
    }
    if (err?.status === 400 && names.length) {
      form.showErrors(errors);
    } else {
      form.showFormError(describeError(err, "The registration could not be sent."), "Not sent");
    }
  }
}

function showPageError(message, retry) {
  clear(pageError).append(h("p", { class: "mb-2" }, message));
  if (retry) {
    pageError.append(h("button", { type: "button", class: "btn btn-sm btn-outline-danger", onclick: () => location.reload() }, "Try again"));
  }
  pageError.hidden = false;
}

async function start() {
  const site = await siteInfo();
  form = new RegistryForm(formEl, { mode: "register", site });
  form.render();
  try {
    await form.loadReferenceData();
  } catch (err) {
    showPageError("The lists this form needs (categories, service centres, PIs) could not be loaded. " + describeError(err), true);
    submitButton.disabled = true;
    return;
  }
  form.setValues(form.defaults());
  form.snapshot();
  form.enableDrafts({ key: DRAFT_KEY, ttlDays: site.submission.draft_ttl_days });
  const restored = form.restoreDraft();
  if (restored) form.showDraftBanner(restored);
  form.setupPrefill(site.features.biotools_prefill);
  formEl.addEventListener("submit", onSubmit);
  formEl.dataset.ready = "true";
}

start();
