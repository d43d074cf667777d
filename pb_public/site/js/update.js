// /update/: the owner pastes the API key; it is exchanged once for a
// short-lived token (POST /api/collections/submission_keys/auth-with-key)
// and only the token is kept, for this tab, by the edit page.
import "./chrome.js";
import { pb, describeError, saveEditSession, clearEditSession, takeOver } from "./api.js";
import { h, clear } from "./dom.js";

const form = document.getElementById("key-form");
const input = document.getElementById("api_key");
const errorEl = document.getElementById("error-api_key");
const button = document.getElementById("key-submit");
const status = document.getElementById("key-status");
const flash = document.getElementById("flash");

function showFlash(kind, text) {
  clear(flash).append(h("div", { class: `alert alert-${kind}` }, text));
}

const params = new URLSearchParams(location.search);
if (params.get("session") === "expired") {
  showFlash("warning", "Your editing session has ended (sessions last an hour and end with each save). Please enter your API key again.");
}
const note = takeOver("update_flash");
if (note?.text) showFlash(note.kind || "info", note.text);
clearEditSession();

function setError(message) {
  clear(errorEl);
  if (message) errorEl.append(h("span", { class: "visually-hidden" }, "Error: "), message);
  input.classList.toggle("is-invalid", !!message);
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

input.addEventListener("input", () => setError(""));

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const key = input.value.trim();
  if (!key) {
    setError("Paste your API key.");
    input.focus();
    return;
  }
  if (key.length < 20 || key.length > 200 || /\s/.test(key)) {
    setError("This does not look like a registry key: it is 64 characters long, without spaces. Check that you copied all of it.");
    input.focus();
    return;
  }
  setError("");
  button.disabled = true;
  status.textContent = "Checking the key…";
  try {
    const auth = await pb.send("/api/collections/submission_keys/auth-with-key", {
      method: "POST", body: { key }, requestKey: null,
    });
    saveEditSession(auth);
    input.value = "";
    location.assign("/update/edit/");
  } catch (err) {
    button.disabled = false;
    status.textContent = "";
    if (err?.status === 403) {
      setError("This key was not accepted. Check that you copied all of it. If it was revoked or lost, get a new one with “Lost your key?” below.");
    } else {
      setError(describeError(err, "The key could not be checked."));
    }
    input.focus();
  }
});
