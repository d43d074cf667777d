package webtest_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/denbi/service-registry/internal/browsertest"
)

// a11yProblems lists what a page gets wrong for keyboard and screen reader
// users: controls without a name, radio buttons outside a fieldset with a
// legend, not exactly one h1, links and buttons without text, images
// without alt text, and ids used twice (labels and aria-describedby would
// point at the wrong element).
const a11yProblems = `(() => {
  const problems = [];
  const shown = (el) => { const s = getComputedStyle(el); return s.display !== "none" && s.visibility !== "hidden" && !el.closest("[hidden]") && !el.classList.contains("ts-hidden-accessible"); };
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!shown(el)) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!named) problems.push("no label: " + (el.id || el.name || el.outerHTML.slice(0, 80)));
  }
  for (const el of document.querySelectorAll("input[type=radio]")) {
    const fs = el.closest("fieldset");
    if (!fs || !fs.querySelector("legend")) problems.push("radio outside a fieldset with legend: " + el.id);
  }
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(h1 + " h1 elements");
  for (const el of document.querySelectorAll("a[href], button")) {
    if (!shown(el)) continue;
    if (!(el.textContent.trim() || el.getAttribute("aria-label") || el.getAttribute("title"))) problems.push("no text: " + el.outerHTML.slice(0, 80));
  }
  for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt")) problems.push("img without alt: " + img.src);
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) ids[el.id] = (ids[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(ids)) if (n > 1) problems.push("id used " + n + " times: " + id);
  if (!document.querySelector('link[rel=icon][href="/img/favicon.svg"]')) problems.push("no favicon link");
  if (document.documentElement.lang !== "en") problems.push("no lang");
  for (const href of ["/register/", "/update/", "/catalogue/", "/api/docs/"]) {
    if (!document.querySelector('.site-header a[href="' + href + '"]')) problems.push("navigation lacks " + href);
  }
  return JSON.stringify(problems);
})()`

// TestEveryPage opens each page at desktop and phone width: screenshots,
// basic accessibility, no sideways scrolling at 320 px, and nothing loaded
// from elsewhere or blocked by the Content-Security-Policy.
func TestEveryPage(t *testing.T) {
	r := startRegistry(t, "REGISTRY_CAPTCHA__MAX_NUMBER=1000")
	pages := []struct {
		name, path, ready, h1 string
	}{
		{"home", "/", `document.querySelector("[data-site=name]")`, "Service Registry"},
		{"register", "/register/", `document.getElementById("registration-form").dataset.ready === "true"`, "Register a service"},
		{"register-success-nokey", "/register/success/", `!document.getElementById("no-key").hidden`, "Registration sent"},
		{"update", "/update/", `document.getElementById("api_key")`, "Update a registration"},
		{"update-success-plain", "/update/success/", `document.getElementById("saved-message")`, "Changes saved"},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			r.checkPage(t, p.name, p.path, p.ready, p.h1)
		})
	}

	t.Run("the menu opens with the keyboard on a phone", func(t *testing.T) {
		r.page.SetViewport(t, 375, 800)
		r.open(t, "/")
		r.waitFor(t, "the page", `document.querySelector(".navbar-toggler")`)
		if r.visible(t, `.site-header a[href="/update/"]`) {
			t.Fatal("on a phone the menu starts closed")
		}
		r.eval(t, `(() => { document.querySelector(".navbar-toggler").focus(); return 1 })()`)
		r.page.Run(t, chromedp.KeyEvent(kb.Enter))
		r.waitFor(t, "the open menu", `document.querySelector("#main-nav").classList.contains("show")`)
		if got := r.eval(t, `document.querySelector(".navbar-toggler").getAttribute("aria-expanded")`); got != "true" {
			t.Errorf("aria-expanded %s", got)
		}
		r.page.Screenshot(t, "home-menu-375")
		r.page.SetViewport(t, 1280, 900)
	})

	t.Run("the edit page without a session leads to the key page", func(t *testing.T) {
		r.open(t, "/update/edit/")
		r.waitFor(t, "the key page", `location.pathname === "/update/" && document.getElementById("flash").textContent.includes("enter your API key again")`)
	})

	t.Run("the form's lists come from the collection API", func(t *testing.T) {
		r.open(t, "/register/")
		r.waitForForm(t, "registration-form")
		if got := r.eval(t, `document.querySelectorAll("#field-service_categories input[type=checkbox]").length`); got != "7" {
			t.Errorf("the seven demo categories must be offered, got %s", got)
		}
		if got := r.eval(t, `document.querySelectorAll("#f-service_center option").length`); got != "6" {
			t.Errorf("the five demo centres and the empty choice must be offered, got %s", got)
		}
	})

	r.page.AssertClean(t, r.srv.URL)

	// the 404 answer itself is logged by the browser: a tab of its own
	t.Run("not-found", func(t *testing.T) {
		lost := &registry{srv: r.srv, page: browsertest.NewPage(t), adminKey: r.adminKey}
		lost.checkPage(t, "not-found", "/no/such/page/", `document.querySelector("h1")`, "Page not found")
		expectOnlyFailedRequests(t, lost.page, r.srv.URL, "/no/such/page/")
	})
}

// checkPage opens path, waits for ready, and checks the heading, the
// accessibility basics and the width at 375 and 320 px; it saves
// screenshots under name.
func (r *registry) checkPage(t *testing.T, name, path, ready, h1 string) {
	t.Helper()
	r.page.SetViewport(t, 1280, 900)
	r.open(t, path)
	r.waitFor(t, name+" to be ready", ready)
	if got := r.text(t, "h1"); !strings.Contains(got, h1) {
		t.Errorf("h1 %q, want %q", got, h1)
	}
	if got := r.eval(t, a11yProblems); got != "[]" {
		t.Errorf("accessibility problems: %s", got)
	}
	r.screenshots(t, name)
	r.noSideways(t, name)
}

// noSideways checks that the page needs no sideways scrolling on phones.
func (r *registry) noSideways(t *testing.T, what string) {
	t.Helper()
	for _, width := range []int64{375, 320} {
		r.page.SetViewport(t, width, 800)
		if got := r.eval(t, `document.documentElement.scrollWidth - window.innerWidth`); got != "0" {
			t.Errorf("%s: at %d px the page scrolls sideways by %s px", what, width, got)
		}
	}
	r.page.SetViewport(t, 1280, 900)
}
