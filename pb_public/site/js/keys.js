// A newly issued API key, shown once: the card with the copy button that
// /update/recover/ and the keys section of /update/edit/ show after a
// recovery or a rotation (the same look as /register/success/), and the
// step from a new key straight into an edit session. The key lives only in
// the page: it is never written to any storage, and the pages drop it when
// they are left (see forgetOnLeave).
import { pb, saveEditSession } from "./api.js";
import { h } from "./dom.js";

// newKeyCard builds the card for key, worded like the one of
// /register/success/; intro is the sentence above the key (what it is for).
export function newKeyCard({ key, intro }) {
  const keyEl = h("code", { id: "api-key", class: "api-key", "aria-labelledby": "api-key-label", tabindex: "0" }, key);
  const copyStatus = h("span", { id: "copy-status", class: "small", role: "status" });
  const copyButton = h("button", { type: "button", class: "btn btn-primary", id: "copy-key" }, "Copy to clipboard");
  copyButton.addEventListener("click", () => copyKey(keyEl, copyButton, copyStatus));
  return h("section", { class: "card key-card mb-4", "aria-labelledby": "key-heading", id: "new-key-card" },
    h("div", { class: "card-body" },
      h("h2", { class: "h4", id: "key-heading" }, "Your new API key — save it now"),
      h("p", {}, intro, " ", h("strong", {}, "It is shown only this once."), " It is not in any email, and nobody can look it up for you."),
      h("p", { class: "form-label mb-1", id: "api-key-label" }, "API key"),
      keyEl,
      h("div", { class: "d-flex flex-wrap gap-2 align-items-center mt-2" }, copyButton, copyStatus),
      h("p", { class: "mt-3 mb-1" }, "Keep it where you keep passwords, for example in a password manager."),
      h("div", { class: "alert alert-warning mt-3 mb-0" },
        "If you lose this key, ask for a new one on the ", h("a", { href: "/update/recover/" }, "key recovery page"),
        ", with the internal contact email address of the entry.")));
}

// copyKey copies the key, or selects it where the clipboard is closed to
// the page, and says which of the two happened.
async function copyKey(keyEl, button, status) {
  let copied = false;
  try {
    await navigator.clipboard.writeText(keyEl.textContent);
    copied = true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(keyEl);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
  }
  status.textContent = copied
    ? "Copied. Paste it somewhere safe now."
    : "Copying did not work here: the key is selected, press Ctrl+C (or ⌘+C) to copy it.";
  button.textContent = copied ? "✓ Copied" : "Copy to clipboard";
  if (copied) setTimeout(() => (button.textContent = "Copy to clipboard"), 3000);
}

// forgetOnLeave calls forget when the page is left, and again when it
// comes back from the back-forward cache, so that a shown key is never
// shown a second time.
export function forgetOnLeave(forget) {
  window.addEventListener("pagehide", forget);
  window.addEventListener("pageshow", (ev) => {
    if (ev.persisted) forget();
  });
}

// openEntryWithKey trades key for an edit session of this tab (as /update/
// does) and opens the edit page. It rejects with the SDK's error.
export async function openEntryWithKey(key) {
  const auth = await pb.send("/api/collections/submission_keys/auth-with-key", {
    method: "POST", body: { key }, requestKey: null,
  });
  saveEditSession(auth);
  location.replace("/update/edit/");
}
