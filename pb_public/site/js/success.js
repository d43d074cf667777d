// /register/success/: shows the new API key exactly once. The registration
// page hands it over through sessionStorage; this page removes it there
// before showing it, and blanks it when the page is left, so neither a
// reload nor the back button (back-forward cache) shows it again.
import "./chrome.js";
import { takeOver } from "./api.js";

const panel = document.getElementById("key-panel");
const none = document.getElementById("no-key");
const keyEl = document.getElementById("api-key");
const copyButton = document.getElementById("copy-key");
const copyStatus = document.getElementById("copy-status");

function showNoKey() {
  keyEl.textContent = "";
  panel.hidden = true;
  none.hidden = false;
}

const data = takeOver("new_key");
if (data && data.key) {
  keyEl.textContent = data.key;
  document.getElementById("service-name").textContent = data.name || "";
  document.getElementById("submission-id").textContent = data.id || "";
  panel.hidden = false;
  none.hidden = true;
  keyEl.focus();
} else {
  showNoKey();
}

// leaving the page forgets the key, also in the back-forward cache's copy
window.addEventListener("pagehide", showNoKey);
window.addEventListener("pageshow", (ev) => {
  if (ev.persisted) showNoKey();
});

function selectKey() {
  const range = document.createRange();
  range.selectNodeContents(keyEl);
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

copyButton.addEventListener("click", async () => {
  const key = keyEl.textContent;
  let copied = false;
  try {
    await navigator.clipboard.writeText(key);
    copied = true;
  } catch {
    selectKey();
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
  }
  copyStatus.textContent = copied
    ? "Copied. Paste it somewhere safe now."
    : "Copying did not work here: the key is selected, press Ctrl+C (or ⌘+C) to copy it.";
  copyButton.textContent = copied ? "✓ Copied" : "Copy to clipboard";
  if (copied) setTimeout(() => (copyButton.textContent = "Copy to clipboard"), 3000);
});
