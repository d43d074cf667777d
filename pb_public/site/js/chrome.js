// Shared page chrome: marks the current navigation link and fills the
// footer and contact links from the public site settings. Every page loads
// it; the static HTML already holds sensible defaults.
import { siteInfo } from "./api.js";

function markCurrentNav() {
  const path = location.pathname;
  for (const link of document.querySelectorAll(".site-header .nav-link")) {
    const href = link.getAttribute("href");
    if (href && href !== "/" && path.startsWith(href)) {
      link.classList.add("active");
      link.setAttribute("aria-current", "page");
    }
  }
}

// setLink points a link at url, or hides it (and its list item) without one.
function setLink(el, url) {
  const item = el.closest("li") || el;
  if (!url) {
    item.hidden = true;
    return;
  }
  el.href = url;
  item.hidden = false;
}

export async function applySiteInfo() {
  const site = await siteInfo();
  for (const el of document.querySelectorAll("[data-site=name]")) el.textContent = site.name;
  for (const el of document.querySelectorAll("[data-site=organisation]")) el.textContent = site.contact.organisation;
  for (const el of document.querySelectorAll("[data-site=office]")) {
    el.textContent = site.contact.office;
    const line = el.closest("[data-site-line]");
    if (line) line.hidden = !site.contact.office;
  }
  for (const el of document.querySelectorAll("[data-site=contact-email]")) {
    el.textContent = site.contact.email;
    if (el.tagName === "A") el.href = "mailto:" + site.contact.email;
  }
  for (const el of document.querySelectorAll("a[data-site=contact-link]")) el.href = "mailto:" + site.contact.email;
  for (const el of document.querySelectorAll("a[data-link]")) setLink(el, site.links[el.dataset.link]);
  for (const el of document.querySelectorAll("[data-feature]")) el.hidden = !site.features[el.dataset.feature];
  return site;
}

markCurrentNav();
applySiteInfo();
