// Small DOM helpers. Elements are built with createElement and textContent,
// never from HTML strings, so text from the server or a user cannot become
// markup. No style attributes: the pages' CSP forbids them.

// h builds an element: h("a", {href: "/", class: "x"}, "text", child).
// Attributes with the values undefined, null or false are left out; true
// sets an empty attribute; "on<event>" adds a listener.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "style") throw new Error("style attributes are not allowed under the CSP");
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// clear removes every child of el.
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// escapeText is for the few places that must hand HTML strings to a
// library (Tom Select's templates): it escapes the five special characters.
export function escapeText(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// formatDate shows a date (Date or parseable string) in the reader's locale.
export function formatDate(value, withTime = true) {
  const d = value instanceof Date ? value : new Date(String(value).replace(" ", "T"));
  if (Number.isNaN(d.getTime())) return String(value ?? "");
  const opts = withTime
    ? { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }
    : { year: "numeric", month: "short", day: "numeric" };
  return d.toLocaleString(undefined, opts);
}

// announce says text through the page's polite live region.
export function announce(text) {
  const region = document.getElementById("live-status");
  if (!region) return;
  region.textContent = "";
  // a fresh text node after a tick makes screen readers read it again
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}
