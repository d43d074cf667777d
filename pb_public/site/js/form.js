// The registration form shared by /register/ and /update/edit/: rendering
// from fields.js, the pickers (Tom Select), conditional fields, the progress
// of required fields, the section navigation, server errors next to the
// fields, browser drafts and the bio.tools prefill.
import { SECTIONS, FIELDS, fieldByName } from "./fields.js";
import { pb, describeError } from "./api.js";
import { h, clear, formatDate, announce } from "./dom.js";

const TomSelect = window.TomSelect;

// Widgets backed by Tom Select.
const TOM_TYPES = new Set(["people", "institution", "edam", "licenses"]);
// Fields whose options come from searches and must be kept with a draft.
const SEARCHED_TYPES = new Set(["edam", "licenses"]);
// Never stored in a browser draft.
const NOT_IN_DRAFT = new Set(["data_protection_consent", "altcha", "logo"]);

const DRAFT_PREFIX = "denbi_draft_";

// accessionOf turns an EDAM URI into its accession (topic_0121).
function accessionOf(uri) {
  return String(uri || "").split("/").pop();
}

// isEmpty says whether a form value counts as not filled in.
function isEmpty(value) {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "boolean") return value === false;
  return String(value).trim() === "";
}

// today is the local date as YYYY-MM-DD.
function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// piLabel is how a PI is shown in the picker.
function piLabel(pi) {
  if (pi.is_associated_partner) return "Associated partner (name them below)";
  const name = [pi.last_name, pi.first_name].filter(Boolean).join(", ");
  return pi.institute ? `${name} — ${pi.institute}` : name;
}

function centreLabel(c) {
  return c.full_name ? `${c.short_name} — ${c.full_name}` : c.short_name;
}

// norm is how a search text is compared: trimmed, lower case.
function norm(q) {
  return String(q || "").trim().toLowerCase();
}

// freshOnly scores the options of a server search: only the results of the
// current query are offered, never those of an earlier one that are still
// loaded (the server's order is kept).
function freshOnly(search) {
  const q = norm(search);
  return (item) => (item._q === q ? 1 : 0);
}

function licenseOption(l) {
  return { id: l.id, license_id: l.license_id, name: l.name, deprecated: !!l.deprecated };
}

function edamOption(t) {
  return { id: String(t.id), label: t.label, accession: t.accession || accessionOf(t.uri) };
}

export class RegistryForm {
  // form is the <form>; mode "register" or "edit"; site the public settings.
  constructor(form, { mode = "register", site, readOnly = false } = {}) {
    this.form = form;
    this.mode = mode;
    this.site = site;
    this.readOnly = readOnly;
    this.ts = {};
    this.piRecords = new Map();
    this.initial = null;
    this.initialOptions = null;
    this.draftKey = null;
    this.restoring = false;
    this.onChangeHooks = [];
  }

  // ---- rendering ----------------------------------------------------------

  render() {
    const container = this.form.querySelector("#form-sections");
    clear(container);
    this.fieldset = this.form.querySelector("#form-fields");
    for (const section of SECTIONS) container.append(this.renderSection(section));
    this.renderSidebar();
    this.form.addEventListener("change", (ev) => this.onChange(ev));
    // Enter in a one-line field (a picker, a search) must never send this
    // long form by accident; the submit button does that
    const noEnterSubmit = (ev) => {
      if (ev.key === "Enter" && ev.target.matches("input:not([type=submit]):not([type=button])")) ev.preventDefault();
    };
    this.form.addEventListener("keydown", noEnterSubmit);
    this.form.addEventListener("keypress", noEnterSubmit);
    this.form.addEventListener("input", (ev) => this.onInput(ev));
  }

  renderSection(section) {
    const titleId = `section-${section.id}-title`;
    const body = h("div", { class: "card-body" });
    if (section.intro) {
      const intro = h("p", { class: "section-intro" }, section.intro);
      if (section.link) intro.append(" ", h("a", { href: section.link.href, target: "_blank", rel: "noopener" }, section.link.text));
      body.append(intro);
    }
    if (section.id === "a" && this.mode === "register" && this.site.features.biotools_prefill) {
      body.append(h("p", { class: "alert alert-light border small" },
        "Is the service already in bio.tools? Enter its ",
        h("a", { href: "#field-biotools_url" }, "bio.tools link in section D"),
        " first: the form then offers to fill in the name, description, publications and EDAM terms for you."));
    }
    for (const field of section.fields) body.append(this.renderItem(field));
    if (section.id === "g") body.append(this.renderCaptcha());
    return h("section", { class: "card form-section mb-4", id: `section-${section.id}`, "aria-labelledby": titleId },
      h("div", { class: "card-header" },
        h("h2", { class: "h5 mb-0", id: titleId },
          h("span", { class: "section-letter", "aria-hidden": "true" }, section.id.toUpperCase()),
          " ", section.title)),
      body);
  }

  renderItem(field) {
    if (field.heading) {
      const block = h("div", { class: "form-subheading" }, h("h3", { class: "h6" }, field.heading));
      if (field.text) {
        const p = h("p", { class: "small text-body-secondary mb-2" }, field.text);
        if (field.link) p.append(" ", h("a", { href: field.link.href, target: "_blank", rel: "noopener" }, field.link.text + " (opens in a new tab)"));
        block.append(p);
      }
      return block;
    }
    if (field.consentText) {
      const links = this.site.links;
      const p = h("p", {},
        "This form was made by the de.NBI office. Personal data you enter here is used only by the de.NBI administration office, for the registration of this service. ");
      if (links.data_protection) p.append(h("a", { href: links.data_protection, target: "_blank", rel: "noopener" }, "Data protection information"), " ");
      if (links.privacy_policy) p.append("and ", h("a", { href: links.privacy_policy, target: "_blank", rel: "noopener" }, "privacy policy"), " (open in a new tab).");
      return p;
    }
    if (field.createOnly && this.mode === "edit") return document.createDocumentFragment();
    return this.renderField(field);
  }

  // requiredHere says whether the field must be filled in on this page.
  requiredHere(field) {
    if (this.mode === "edit" && (field.writeOnly || field.createOnly)) return false;
    return !!field.required;
  }

  renderField(field) {
    const id = `f-${field.name}`;
    const helpId = `help-${field.name}`;
    const errorId = `error-${field.name}`;
    const required = this.requiredHere(field) || field.requiredWhenShown;
    let help = this.mode === "edit" && field.editHelp ? field.editHelp : field.help;
    if (this.mode === "edit" && field.writeOnly) {
      help = "Not shown here, to protect it. Leave it empty to keep the current contact; fill in both email fields to change it.";
    }
    if (field.name === "logo") {
      const mb = Math.round(this.site.uploads.logo_max_bytes / (1024 * 1024));
      help = `Optional. PNG, JPEG or SVG, at most ${mb} MB.` + (this.mode === "edit" ? " Choose a file only to replace the current logo." : "");
    }
    const describedBy = [help ? helpId : null, field.counter ? `count-${field.name}` : null, errorId].filter(Boolean).join(" ");
    const helpEl = help ? h("div", { class: "form-text", id: helpId }, help) : null;
    const errorEl = h("div", { class: "field-error", id: errorId });
    const mark = required ? [" ", h("span", { class: "required-mark", "aria-hidden": "true" }, "*")] : [];

    const grouped = field.type === "yesno" || field.type === "checkboxes";
    if (grouped) {
      const legend = h("legend", { class: "form-label" }, field.label, mark);
      const group = h("fieldset", {
        class: "field mb-4", id: `field-${field.name}`, "data-field": field.name, "aria-describedby": describedBy,
        "aria-required": required ? "true" : null,
      }, legend);
      if (field.type === "yesno") {
        for (const [value, label] of [["true", "Yes"], ["false", "No"]]) {
          group.append(h("div", { class: "form-check form-check-inline" },
            h("input", { class: "form-check-input", type: "radio", name: field.name, id: `${id}-${label.toLowerCase()}`, value }),
            h("label", { class: "form-check-label", for: `${id}-${label.toLowerCase()}` }, label)));
        }
      } else {
        group.append(h("div", { class: "checkbox-list", id: `${id}-list` },
          h("p", { class: "text-body-secondary small mb-0" }, "Loading the categories…")));
      }
      group.append(helpEl, errorEl);
      return group;
    }

    if (field.type === "consent") {
      return h("div", { class: "field mb-4", id: `field-${field.name}`, "data-field": field.name },
        h("div", { class: "form-check" },
          h("input", { class: "form-check-input", type: "checkbox", id, name: field.name, value: "true",
            required: required || null, "aria-describedby": errorId }),
          h("label", { class: "form-check-label", for: id }, field.label, mark)),
        errorEl);
    }

    const common = {
      id, name: field.name, "aria-describedby": describedBy,
      required: required && !TOM_TYPES.has(field.type) ? true : null,
      "aria-required": required && TOM_TYPES.has(field.type) ? "true" : null,
    };
    let control;
    switch (field.type) {
      case "textarea":
        control = h("textarea", { ...common, class: "form-control", rows: field.rows || 3, maxlength: field.maxlength,
          placeholder: field.placeholder });
        break;
      case "select": {
        control = h("select", { ...common, class: "form-select" },
          h("option", { value: "" }, field.emptyOption || "Choose…"),
          (field.options || []).map((o) => h("option", { value: o.value }, o.label)));
        break;
      }
      case "people":
      case "edam":
      case "licenses":
        control = h("select", { ...common, multiple: true, placeholder: field.placeholder });
        break;
      case "institution":
        control = h("select", { ...common }, h("option", { value: "" }, ""));
        break;
      case "file":
        control = h("input", { ...common, class: "form-control", type: "file", accept: field.accept });
        break;
      default:
        control = h("input", { ...common, class: "form-control", type: field.type === "number" ? "number" : field.type,
          maxlength: field.maxlength, placeholder: field.placeholder, autocomplete: field.autocomplete,
          inputmode: field.inputmode, min: field.min, max: field.max,
          spellcheck: ["url", "email"].includes(field.type) ? "false" : null });
    }
    const wrapper = h("div", { class: "field mb-4", id: `field-${field.name}`, "data-field": field.name },
      h("label", { class: "form-label", for: id }, field.label, mark),
      control);
    if (field.counter) wrapper.append(h("div", { class: "form-text char-counter", id: `count-${field.name}` }));
    wrapper.append(helpEl);
    if (field.name === "logo") wrapper.append(h("div", { id: "current-logo", class: "current-logo", hidden: true }));
    wrapper.append(errorEl);
    if (field.prefill) {
      wrapper.append(h("div", { id: "prefill-banner", class: "prefill-banner", role: "status", "aria-live": "polite" }));
    }
    return wrapper;
  }

  renderCaptcha() {
    const block = h("div", { class: "field mb-3", id: "field-altcha", "data-field": "altcha" });
    if (!this.site.captcha.enabled || this.readOnly) {
      block.hidden = true;
      return block;
    }
    const widget = document.createElement("altcha-widget");
    // the widget claims the id property for itself: set the attribute
    widget.setAttribute("id", "f-altcha");
    widget.setAttribute("challengeurl", this.site.captcha.challenge_url || "/captcha/");
    widget.setAttribute("workerurl", "/vendor/altcha/worker.js");
    widget.setAttribute("auto", "onsubmit");
    widget.setAttribute("hidelogo", "");
    this.captcha = widget;
    block.append(
      h("p", { class: "form-label mb-1" }, "Spam protection"),
      widget,
      h("div", { class: "form-text", id: "help-altcha" },
        "When you send the form, your browser solves a short puzzle to show it is not a spam robot. Nothing to click, no cookies, nothing about you is stored."),
      h("div", { class: "field-error", id: "error-altcha" }));
    return block;
  }

  renderSidebar() {
    const nav = document.getElementById("section-nav");
    if (nav) {
      const list = h("ol", { class: "section-nav-list" });
      for (const s of SECTIONS) {
        list.append(h("li", {}, h("a", { href: `#section-${s.id}`, class: "section-nav-link", "data-section": s.id },
          h("span", { class: "section-letter", "aria-hidden": "true" }, s.id.toUpperCase()), " ", s.title)));
      }
      clear(nav).append(list);
      this.observeSections(list);
    }
    const progress = document.getElementById("form-progress");
    if (progress) {
      this.progressBar = h("div", { class: "progress-bar" });
      this.progressOuter = h("div", { class: "progress", role: "progressbar", "aria-labelledby": "progress-title",
        "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0" }, this.progressBar);
      this.progressText = h("p", { class: "small mb-0 mt-2", id: "progress-text" });
      clear(progress).append(h("h2", { class: "h6", id: "progress-title" }, "Required fields filled in"), this.progressOuter, this.progressText);
    }
  }

  observeSections(list) {
    if (!("IntersectionObserver" in window)) return;
    const links = new Map([...list.querySelectorAll("a")].map((a) => [a.dataset.section, a]));
    const visible = new Set();
    const observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const id = e.target.id.replace("section-", "");
        if (e.isIntersecting) visible.add(id);
        else visible.delete(id);
      }
      const first = SECTIONS.find((s) => visible.has(s.id));
      for (const [id, a] of links) {
        const current = first && id === first.id;
        a.classList.toggle("active", !!current);
        if (current) a.setAttribute("aria-current", "true");
        else a.removeAttribute("aria-current");
      }
    }, { rootMargin: "-10% 0px -60% 0px" });
    for (const s of SECTIONS) {
      const el = document.getElementById(`section-${s.id}`);
      if (el) observer.observe(el);
    }
  }

  // ---- reference data and pickers ---------------------------------------

  // loadReferenceData fills the categories, centres and PIs (active ones,
  // plus inactive ones already on the record being edited) and starts the
  // pickers. It throws when the lists cannot be loaded.
  async loadReferenceData(record = null) {
    const [categories, centres, pis] = await Promise.all([
      pb.collection("categories").getFullList({ filter: "active = true", sort: "name", requestKey: null }),
      pb.collection("service_centers").getFullList({ filter: "active = true", sort: "short_name", requestKey: null }),
      pb.collection("pis").getFullList({ filter: "active = true", sort: "last_name,first_name", requestKey: null }),
    ]);
    const expand = record?.expand || {};
    const addMissing = (list, extra) => {
      for (const item of [].concat(extra || [])) if (item && !list.some((x) => x.id === item.id)) list.push(item);
    };
    addMissing(categories, expand.service_categories);
    addMissing(centres, expand.service_center);
    addMissing(pis, expand.responsible_pis);

    this.renderCategories(categories);
    const centre = this.control("service_center");
    for (const c of centres) centre.append(h("option", { value: c.id }, centreLabel(c)));
    for (const p of pis) this.piRecords.set(p.id, p);

    const institutes = [...new Set(pis.map((p) => (p.institute || "").trim()).filter(Boolean))]
      .sort((a, b) => a.localeCompare(b, undefined, { sensitivity: "base" }));
    this.initPickers(pis, institutes);
  }

  renderCategories(categories) {
    const list = clear(document.getElementById("f-service_categories-list"));
    for (const c of categories) {
      const id = `f-service_categories-${c.id}`;
      list.append(h("div", { class: "form-check" },
        h("input", { class: "form-check-input", type: "checkbox", name: "service_categories", id, value: c.id }),
        h("label", { class: "form-check-label", for: id }, c.name)));
    }
    if (!categories.length) list.append(h("p", { class: "text-body-secondary small mb-0" }, "No categories are available yet."));
  }

  initPickers(pis, institutes) {
    if (typeof TomSelect !== "function") throw new Error("Tom Select did not load");
    const common = (field) => ({
      plugins: field.type === "institution" ? [] : ["remove_button"],
      maxOptions: 50,
      // no delay between a key and the list: a delayed refresh would open
      // the list (and take the focus back) after a quick pick
      refreshThrottle: 0,
      closeAfterSelect: field.type !== "people",
      placeholder: field.placeholder || "",
      onChange: () => this.fieldChanged(field.name),
    });
    for (const field of FIELDS) {
      if (!TOM_TYPES.has(field.type)) continue;
      const el = this.control(field.name);
      let settings;
      if (field.type === "people") {
        settings = {
          ...common(field),
          options: pis.map((p) => ({ value: p.id, text: piLabel(p) })),
          searchField: ["text"],
        };
      } else if (field.type === "institution") {
        settings = {
          ...common(field),
          options: institutes.map((name) => ({ value: name, text: name })),
          create: true, createOnBlur: true, persist: false, maxItems: 1, allowEmptyOption: false,
          render: {
            option_create: (d, esc) => `<div class="create">Use “<strong>${esc(d.input)}</strong>”</div>`,
            no_results: () => `<div class="no-results">Not in the list: type the full name.</div>`,
          },
        };
      } else if (field.type === "edam") {
        settings = {
          ...common(field),
          valueField: "id", labelField: "label", searchField: [], maxItems: field.max,
          loadThrottle: 150,
          shouldLoad: (q) => q.trim().length >= 2,
          score: freshOnly,
          load: (query, callback) => this.searchEdam(field, query, callback),
          render: {
            option: (d, esc) => `<div class="term-option"><span class="term-label">${esc(d.label)}</span> <span class="term-accession">${esc(d.accession)}</span></div>`,
            item: (d, esc) => `<div>${esc(d.label)} <span class="term-accession">${esc(d.accession)}</span></div>`,
            not_loading: () => `<div class="no-results">Type at least 2 letters to search.</div>`,
            no_results: () => `<div class="no-results">No EDAM term matches. Try another word.</div>`,
            loading: () => `<div class="loading-text">Searching…</div>`,
          },
        };
      } else if (field.type === "licenses") {
        settings = {
          ...common(field),
          valueField: "id", labelField: "license_id", searchField: [], maxItems: field.max,
          loadThrottle: 150,
          shouldLoad: (q) => q.trim().length >= 1,
          score: freshOnly,
          load: (query, callback) => this.searchLicenses(query, callback),
          render: {
            option: (d, esc) => `<div class="term-option"><span class="term-label">${esc(d.name)}</span> <span class="term-accession">${esc(d.license_id)}</span></div>`,
            item: (d, esc) => `<div>${esc(d.name)} <span class="term-accession">(${esc(d.license_id)})</span></div>`,
            not_loading: () => `<div class="no-results">Type a license name or identifier.</div>`,
            no_results: () => `<div class="no-results">No SPDX license matches. Describe it in the license note instead.</div>`,
            loading: () => `<div class="loading-text">Searching…</div>`,
          },
        };
      }
      const ts = new TomSelect(el, settings);
      // the visible input carries the help and error texts too
      ts.control_input.setAttribute("aria-describedby", el.getAttribute("aria-describedby") || "");
      if (el.getAttribute("aria-required")) ts.control_input.setAttribute("aria-required", "true");
      this.ts[field.name] = ts;
    }
  }

  async searchEdam(field, query, callback) {
    const ts = this.ts[field.name];
    try {
      const terms = await pb.send("/api/v1/edam/", {
        method: "GET", query: { branch: field.branch, q: query.trim(), limit: 20 }, requestKey: `edam-${field.name}`,
      });
      ts.clearOptions();
      callback((terms || []).map((term) => ({ ...edamOption(term), _q: norm(query) })));
    } catch (err) {
      if (!err?.isAbort) announce("The EDAM search failed: " + describeError(err));
      callback();
    }
  }

  async searchLicenses(query, callback) {
    const ts = this.ts.licenses;
    try {
      const page = await pb.collection("licenses").getList(1, 30, {
        filter: pb.filter("deprecated = false && (license_id ~ {:q} || name ~ {:q})", { q: query.trim() }),
        sort: "license_id", requestKey: "license-search",
      });
      // exact identifiers first ("MIT" before "Apple MIT License"), then
      // identifiers that start with the query, then the rest
      const q = query.trim().toLowerCase();
      const rank = (l) => (l.license_id.toLowerCase() === q ? 0 : l.license_id.toLowerCase().startsWith(q) ? 1 : 2);
      const items = page.items.map((l) => ({ ...licenseOption(l), _q: norm(query) })).sort((a, b) => rank(a) - rank(b));
      ts.clearOptions();
      callback(items);
    } catch (err) {
      if (!err?.isAbort) announce("The license search failed: " + describeError(err));
      callback();
    }
  }

  // ---- values -------------------------------------------------------------

  control(name) {
    return this.form.querySelector(`#f-${name}`);
  }

  // isShown says whether a conditional field is visible now.
  isShown(field) {
    if (!field.showIf) return true;
    return !!field.showIf(this.quickValues(), this);
  }

  quickValues() {
    const radio = (name) => {
      const checked = this.form.querySelector(`input[name="${name}"]:checked`);
      return checked ? checked.value === "true" : null;
    };
    return { is_toolbox: radio("is_toolbox"), kpi_monitoring: this.control("kpi_monitoring")?.value || "" };
  }

  hasAssociatedPartner() {
    const ts = this.ts.responsible_pis;
    if (!ts) return false;
    return [].concat(ts.getValue()).some((id) => this.piRecords.get(id)?.is_associated_partner);
  }

  readField(field) {
    const name = field.name;
    if (TOM_TYPES.has(field.type)) {
      const ts = this.ts[name];
      if (!ts) return field.type === "institution" ? "" : [];
      const v = ts.getValue();
      return field.type === "institution" ? String(v || "").trim() : [].concat(v || []);
    }
    switch (field.type) {
      case "yesno": {
        const checked = this.form.querySelector(`input[name="${name}"]:checked`);
        return checked ? checked.value === "true" : !!field.initial;
      }
      case "checkboxes":
        return [...this.form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
      case "consent":
        return !!this.control(name)?.checked;
      case "number": {
        const raw = (this.control(name)?.value || "").trim();
        return raw === "" ? null : Number(raw);
      }
      case "file":
        return this.control(name)?.files?.[0] || null;
      default: {
        const el = this.control(name);
        return el ? el.value.trim() : "";
      }
    }
  }

  // values returns the form as the API's field values. Hidden conditional
  // fields are sent empty; the logo and consent are left out in edit mode.
  values() {
    const out = {};
    for (const field of FIELDS) {
      if (field.type === "file") continue;
      if (field.createOnly && this.mode === "edit") continue;
      let value = this.readField(field);
      if (!this.isShown(field)) value = field.type === "number" ? null : "";
      out[field.name] = value;
    }
    return out;
  }

  logoFile() {
    return this.readField(fieldByName("logo"));
  }

  // optionData returns the option objects of the selected values of the
  // searched pickers, so they can be shown again (drafts, resets).
  optionData() {
    const out = {};
    for (const field of FIELDS) {
      if (!SEARCHED_TYPES.has(field.type) || !this.ts[field.name]) continue;
      const ts = this.ts[field.name];
      out[field.name] = [].concat(ts.getValue()).map((v) => ts.options[v]).filter(Boolean)
        .map(({ $order, $id, _q, ...rest }) => rest);
    }
    return out;
  }

  // setValues puts values (API field names) into the form. options holds
  // option objects for the searched pickers ({edam_topics: [...]}).
  setValues(values, options = {}) {
    for (const field of FIELDS) {
      if (!(field.name in values) || field.type === "file") continue;
      const value = values[field.name];
      const name = field.name;
      if (TOM_TYPES.has(field.type)) {
        const ts = this.ts[name];
        if (!ts) continue;
        for (const o of options[name] || []) if (!ts.options[o.id ?? o.value]) ts.addOption(o);
        if (field.type === "institution") {
          const text = String(value || "");
          if (text && !ts.options[text]) ts.addOption({ value: text, text });
          ts.setValue(text, true);
        } else {
          ts.setValue([].concat(value || []).map(String).filter((v) => ts.options[v]), true);
        }
        continue;
      }
      switch (field.type) {
        case "yesno":
          for (const r of this.form.querySelectorAll(`input[name="${name}"]`)) r.checked = r.value === String(!!value);
          break;
        case "checkboxes": {
          const wanted = new Set([].concat(value || []).map(String));
          for (const c of this.form.querySelectorAll(`input[name="${name}"]`)) c.checked = wanted.has(c.value);
          break;
        }
        case "consent": {
          const el = this.control(name);
          if (el) el.checked = !!value;
          break;
        }
        case "date": {
          const el = this.control(name);
          if (el) el.value = String(value || "").slice(0, 10);
          break;
        }
        case "number": {
          const el = this.control(name);
          if (el) el.value = value === null || value === undefined || value === 0 || value === "" ? "" : String(value);
          break;
        }
        default: {
          const el = this.control(name);
          if (el) el.value = value ?? "";
        }
      }
    }
    this.refresh();
  }

  // defaults are the values of a new registration.
  defaults() {
    const out = { date_of_entry: today() };
    for (const field of FIELDS) if (field.type === "yesno") out[field.name] = !!field.initial;
    return out;
  }

  // snapshot remembers the current values as the starting point (for the
  // edit page's change list and for "Clear draft").
  snapshot() {
    this.initial = this.values();
    this.initialOptions = this.optionData();
  }

  resetToInitial() {
    if (!this.initial) return;
    const blank = {};
    for (const field of FIELDS) {
      if (field.type === "file") continue;
      blank[field.name] = ["people", "edam", "licenses", "checkboxes"].includes(field.type) ? [] : field.type === "consent" ? false : "";
    }
    this.setValues({ ...blank, ...this.initial }, this.initialOptions);
    const logo = this.control("logo");
    if (logo) logo.value = "";
    this.clearErrors();
  }

  // ---- display values (the edit page's change list) ---------------------

  optionLabel(field, id) {
    const ts = this.ts[field.name];
    if (ts) {
      const o = ts.options[id];
      if (!o) return String(id);
      if (field.type === "edam") return `${o.label} (${o.accession})`;
      if (field.type === "licenses") return o.license_id;
      return o.text ?? String(id);
    }
    if (field.type === "checkboxes") {
      const label = this.form.querySelector(`label[for="f-${field.name}-${id}"]`);
      return label ? label.textContent : String(id);
    }
    if (field.type === "select") {
      const opt = [...this.control(field.name).options].find((o) => o.value === id);
      return opt ? opt.textContent : String(id);
    }
    return String(id);
  }

  displayValue(field, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return "—";
    if (typeof value === "boolean") return value ? "Yes" : "No";
    if (Array.isArray(value)) return value.map((v) => this.optionLabel(field, v)).join("; ");
    if (field.type === "select") return this.optionLabel(field, value);
    return String(value);
  }

  // changes lists the fields whose value differs from the snapshot.
  changes() {
    const now = this.values();
    const out = [];
    for (const field of FIELDS) {
      if (!(field.name in now) || field.clientOnly) continue;
      const before = this.initial?.[field.name];
      const after = now[field.name];
      const same = Array.isArray(after)
        ? JSON.stringify([...after].sort()) === JSON.stringify([...(before || [])].sort())
        : (after ?? "") === (before ?? "");
      if (!same) out.push({ field: field.name, label: field.label, old: this.displayValue(field, before), new: this.displayValue(field, after), value: after });
    }
    if (this.logoFile()) out.push({ field: "logo", label: fieldByName("logo").label, old: "current logo", new: this.logoFile().name, value: this.logoFile() });
    return out;
  }

  // ---- live updates ---------------------------------------------------------

  onChange(ev) {
    const name = ev.target?.name;
    if (name) this.fieldChanged(name);
  }

  onInput(ev) {
    const name = ev.target?.name;
    if (name === "service_description") this.updateCounter();
    if (name) this.clearFieldError(name);
    this.updateProgress();
    clearTimeout(this.inputTimer);
    this.inputTimer = setTimeout(() => this.saveDraft(), 800);
  }

  fieldChanged(name) {
    if (this.restoring) return;
    this.clearFieldError(name);
    if (name === "logo") this.checkLogo();
    if (name === "internal_contact_email_confirm" || name === "internal_contact_email") this.checkEmailConfirm(false);
    this.refresh();
    this.saveDraft();
    for (const hook of this.onChangeHooks) hook(name);
  }

  refresh() {
    for (const field of FIELDS) {
      if (!field.showIf) continue;
      const wrapper = this.form.querySelector(`#field-${field.name}`);
      if (wrapper) wrapper.hidden = !this.isShown(field);
    }
    this.updateCounter();
    this.updateProgress();
  }

  updateCounter() {
    const el = this.form.querySelector("#count-service_description");
    const input = this.control("service_description");
    if (!el || !input) return;
    const n = input.value.trim().length;
    el.textContent = `${n} of 5000 characters` + (n < 50 ? ` (at least 50; ${50 - n} to go)` : "");
  }

  // requiredItems lists what the progress bar counts: each required field
  // that is shown, and "a license or a license note" once.
  requiredItems() {
    const items = [];
    for (const field of FIELDS) {
      if (field.oneOf) continue;
      if (field.createOnly && this.mode === "edit") continue;
      const required = this.requiredHere(field) || (field.requiredWhenShown && this.isShown(field));
      if (required && this.isShown(field)) items.push(field);
    }
    return items;
  }

  updateProgress() {
    if (!this.progressBar) return;
    const items = this.requiredItems();
    const missing = items.filter((f) => isEmpty(this.readField(f))).map((f) => f.name);
    if (isEmpty(this.readField(fieldByName("licenses"))) && isEmpty(this.readField(fieldByName("license_note")))) missing.push("licenses");
    const total = items.length + 1; // + a license or a license note
    const done = total - missing.length;
    this.progressOuter.dataset.missing = missing.join(" ");
    const pct = Math.round((done / total) * 100);
    this.progressBar.style.width = pct + "%"; // CSSOM: allowed by the CSP
    this.progressOuter.setAttribute("aria-valuenow", String(pct));
    this.progressOuter.setAttribute("aria-valuetext", `${done} of ${total} required fields filled in`);
    this.progressBar.classList.toggle("bg-success", done === total);
    this.progressText.textContent = `${done} of ${total} filled in` + (done === total ? " — ready to send." : ".");
  }

  // ---- client-side checks ---------------------------------------------------

  checkLogo() {
    const file = this.logoFile();
    if (!file) return true;
    const max = this.site.uploads.logo_max_bytes;
    if (file.size > max) {
      this.showFieldError("logo", `This file is ${(file.size / 1048576).toFixed(1)} MB; the logo may have at most ${Math.round(max / 1048576)} MB.`);
      return false;
    }
    if (file.size === 0) {
      this.showFieldError("logo", "This file is empty.");
      return false;
    }
    return true;
  }

  // checkEmailConfirm compares the two internal email fields; on submit
  // (final) an empty confirmation counts too.
  checkEmailConfirm(final) {
    const email = this.readField(fieldByName("internal_contact_email"));
    const confirm = this.readField(fieldByName("internal_contact_email_confirm"));
    if (this.mode === "edit" && !email && !confirm) return null;
    if (!confirm) {
      return final ? "Please type the internal contact email a second time." : null;
    }
    if (email !== confirm) {
      const msg = "The two email addresses are not the same.";
      if (!final) this.showFieldError("internal_contact_email_confirm", msg, true);
      return msg;
    }
    this.clearFieldError("internal_contact_email_confirm");
    return null;
  }

  // clientErrors returns the problems found before anything is sent: empty
  // required fields, the license rule, the email confirmation (which only
  // this page knows) and the logo size. Everything else is the server's
  // to judge; its messages appear in the same places.
  clientErrors() {
    const errors = {};
    for (const field of this.requiredItems()) {
      if (field.clientOnly || !isEmpty(this.readField(field))) continue;
      errors[field.name] = {
        checkboxes: "Choose at least one.",
        people: "Choose at least one person.",
        select: "Choose one of the options.",
        institution: "Choose a name from the list or type one.",
        consent: "Please agree to the data protection information to send the form.",
      }[field.type] || "Please fill in this field.";
    }
    if (this.mode === "register" && isEmpty(this.readField(fieldByName("licenses"))) && isEmpty(this.readField(fieldByName("license_note")))) {
      errors.licenses = "Choose at least one license, or describe the licensing in the license note.";
    }
    const confirm = this.checkEmailConfirm(true);
    if (confirm) errors.internal_contact_email_confirm = confirm;
    if (!this.checkLogo()) errors.logo = this.form.querySelector("#error-logo").textContent;
    return errors;
  }

  // ---- errors -----------------------------------------------------------------

  focusTarget(name) {
    if (this.ts[name]) return this.ts[name].control_input;
    if (name === "altcha") return this.captcha?.querySelector("input[type=checkbox]") || this.captcha;
    const el = this.control(name);
    if (el) return el;
    return this.form.querySelector(`input[name="${name}"]`);
  }

  showFieldError(name, message, announceIt = false) {
    const errorEl = this.form.querySelector(`#error-${name}`);
    if (!errorEl) return false;
    clear(errorEl).append(h("span", { class: "visually-hidden" }, "Error: "), message);
    errorEl.classList.add("active");
    const wrapper = this.form.querySelector(`#field-${name}`);
    wrapper?.classList.add("has-error");
    if (wrapper?.hidden) wrapper.hidden = false;
    const target = this.focusTarget(name);
    target?.setAttribute("aria-invalid", "true");
    this.ts[name]?.wrapper.classList.add("is-invalid");
    if (target && !this.ts[name] && target.classList.contains("form-control")) target.classList.add("is-invalid");
    if (target && target.classList.contains("form-select")) target.classList.add("is-invalid");
    wrapper?.closest(".form-section")?.classList.add("section-has-error");
    if (announceIt) announce(message);
    return true;
  }

  clearFieldError(name) {
    const errorEl = this.form.querySelector(`#error-${name}`);
    if (!errorEl || !errorEl.classList.contains("active")) return;
    clear(errorEl);
    errorEl.classList.remove("active");
    const wrapper = this.form.querySelector(`#field-${name}`);
    wrapper?.classList.remove("has-error");
    const target = this.focusTarget(name);
    target?.removeAttribute("aria-invalid");
    target?.classList.remove("is-invalid");
    this.ts[name]?.wrapper.classList.remove("is-invalid");
    const section = wrapper?.closest(".form-section");
    if (section && !section.querySelector(".has-error")) section.classList.remove("section-has-error");
  }

  clearErrors() {
    for (const el of this.form.querySelectorAll(".field-error.active")) {
      this.clearFieldError(el.id.replace("error-", ""));
    }
    const summary = document.getElementById("error-summary");
    if (summary) {
      summary.hidden = true;
      clear(summary);
    }
  }

  // showErrors puts each message next to its field and lists them all in
  // the error summary, which takes the focus (and is announced: role=alert).
  showErrors(errors, heading) {
    const summary = document.getElementById("error-summary");
    const items = [];
    const order = [...FIELDS.map((f) => f.name), "altcha"];
    const names = Object.keys(errors).sort((a, b) => {
      const ia = order.indexOf(a), ib = order.indexOf(b);
      return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib);
    });
    for (const name of names) {
      const message = errors[name];
      const shown = this.showFieldError(name, message);
      const field = fieldByName(name);
      const label = field ? field.label : name === "altcha" ? "Spam protection" : null;
      if (shown) {
        const link = h("a", { href: `#field-${name}` }, label ? `${label}: ` : "", message);
        link.addEventListener("click", (ev) => {
          ev.preventDefault();
          const wrapper = this.form.querySelector(`#field-${name}`);
          wrapper?.scrollIntoView({ block: "center" });
          this.focusTarget(name)?.focus();
        });
        items.push(h("li", {}, link));
      } else {
        items.push(h("li", {}, label ? `${label}: ` : "", message));
      }
    }
    if (!summary) return;
    const count = items.length;
    clear(summary).append(
      h("h2", { class: "h6" }, heading || (count === 1 ? "Please correct 1 problem before sending:" : `Please correct ${count} problems before sending:`)),
      h("ul", { class: "mb-0" }, items));
    summary.hidden = false;
    summary.focus();
    summary.scrollIntoView({ block: "start" });
  }

  // showFormError shows one message that is about no particular field.
  showFormError(message, heading = "Not sent") {
    const summary = document.getElementById("error-summary");
    if (!summary) return;
    clear(summary).append(h("h2", { class: "h6" }, heading), h("p", { class: "mb-0" }, message));
    summary.hidden = false;
    summary.focus();
    summary.scrollIntoView({ block: "start" });
  }

  // ---- captcha --------------------------------------------------------------

  captchaPayload() {
    const input = this.form.querySelector('input[name="altcha"]');
    return input ? input.value : "";
  }

  resetCaptcha() {
    if (this.captcha && typeof this.captcha.reset === "function") this.captcha.reset();
  }

  // ---- read-only --------------------------------------------------------------

  setReadOnly() {
    this.readOnly = true;
    if (this.fieldset) this.fieldset.disabled = true;
    for (const ts of Object.values(this.ts)) ts.disable();
    this.form.classList.add("form-readonly");
  }

  // ---- drafts -----------------------------------------------------------------

  // enableDrafts turns on saving to localStorage under key; stale drafts
  // (older than ttlDays, unreadable, or other versions of the same entry:
  // keys starting with sameEntryPrefix) are removed first.
  enableDrafts({ key, ttlDays = 7, sameEntryPrefix = null }) {
    this.draftKey = key;
    this.draftTTL = Math.max(1, ttlDays) * 86400 * 1000;
    try {
      const now = Date.now();
      for (let i = localStorage.length - 1; i >= 0; i--) {
        const k = localStorage.key(i);
        if (!k || !k.startsWith(DRAFT_PREFIX)) continue;
        let stale = false;
        try {
          const d = JSON.parse(localStorage.getItem(k));
          stale = !d || typeof d._savedAt !== "number" || now - d._savedAt > this.draftTTL;
        } catch {
          stale = true;
        }
        if (!stale && sameEntryPrefix && k.startsWith(sameEntryPrefix) && k !== key) stale = true;
        if (stale) localStorage.removeItem(k);
      }
    } catch {
      this.draftKey = null; // storage blocked: no drafts
    }
  }

  saveDraft() {
    if (!this.draftKey || this.restoring || this.readOnly) return;
    const data = { _savedAt: Date.now(), _options: this.optionData() };
    const values = this.values();
    for (const [k, v] of Object.entries(values)) if (!NOT_IN_DRAFT.has(k)) data[k] = v;
    // nothing typed yet: no draft
    if (this.initial && JSON.stringify(this.stripDraft(values)) === JSON.stringify(this.stripDraft(this.initial))) {
      localStorage.removeItem(this.draftKey);
      return;
    }
    try {
      localStorage.setItem(this.draftKey, JSON.stringify(data));
    } catch {
      // full or blocked storage: drafts are a convenience only
    }
  }

  stripDraft(values) {
    const out = {};
    for (const [k, v] of Object.entries(values)) if (!NOT_IN_DRAFT.has(k)) out[k] = v;
    return out;
  }

  // restoreDraft applies a saved draft; it returns the time it was saved,
  // or null when there was none.
  restoreDraft() {
    if (!this.draftKey) return null;
    let data = null;
    try {
      data = JSON.parse(localStorage.getItem(this.draftKey) || "null");
    } catch {
      data = null;
    }
    if (!data || typeof data._savedAt !== "number") return null;
    this.restoring = true;
    try {
      const { _savedAt, _options, ...values } = data;
      for (const name of NOT_IN_DRAFT) delete values[name];
      this.setValues(values, _options || {});
    } finally {
      this.restoring = false;
    }
    this.refresh();
    return new Date(data._savedAt);
  }

  dropDraft() {
    if (this.draftKey) localStorage.removeItem(this.draftKey);
  }

  // finishDrafts deletes the draft for good once the form was sent: no
  // pending autosave may bring it back.
  finishDrafts() {
    clearTimeout(this.inputTimer);
    this.dropDraft();
    this.draftKey = null;
  }

  // showDraftBanner tells that a draft was restored and offers to clear it.
  showDraftBanner(savedAt) {
    const banner = document.getElementById("draft-banner");
    if (!banner) return;
    const button = h("button", { type: "button", class: "btn btn-sm btn-outline-secondary", id: "clear-draft" }, "Clear draft");
    button.addEventListener("click", () => {
      this.dropDraft();
      this.resetToInitial();
      this.resetCaptcha();
      clear(banner).append(h("p", { class: "mb-0" }, "The draft was deleted and the form starts afresh."));
      banner.className = "alert alert-secondary";
      this.control("submitter_first_name")?.focus();
    });
    clear(banner).append(
      h("div", { class: "d-flex flex-wrap gap-2 align-items-center justify-content-between" },
        h("p", { class: "mb-0" }, h("strong", {}, "Draft restored. "),
          `The entries you made on ${formatDate(savedAt)} were loaded again. Drafts stay in this browser for ${Math.round(this.draftTTL / 86400000)} days.`),
        button));
    banner.className = "alert alert-info";
    banner.hidden = false;
  }

  // ---- bio.tools prefill ----------------------------------------------------

  setupPrefill(enabled) {
    const input = this.control("biotools_url");
    if (!input || !enabled) return;
    this.lastPrefillId = null;
    input.addEventListener("blur", () => this.lookUpBiotools());
  }

  // biotoolsId takes the id out of what was typed: a bio.tools URL or an id.
  static biotoolsId(raw) {
    let id = String(raw || "").trim();
    id = id.replace(/^https?:\/\/(www\.)?bio\.tools\//i, "").replace(/^bio\.tools\//i, "");
    return id.replace(/\/+$/, "");
  }

  async lookUpBiotools() {
    const id = RegistryForm.biotoolsId(this.control("biotools_url").value);
    const banner = this.form.querySelector("#prefill-banner");
    if (!id || id === this.lastPrefillId) return;
    clear(banner);
    banner.append(h("p", { class: "small text-body-secondary mb-0" }, `Looking up “${id}” in bio.tools…`));
    let data;
    try {
      data = await pb.send("/biotools/prefill/", { method: "GET", query: { id }, requestKey: "prefill" });
    } catch (err) {
      if (err?.isAbort) return;
      const message = err?.status === 0 ? "bio.tools could not be reached just now. Please fill in the fields yourself." : err?.response?.error || describeError(err, "The lookup failed.");
      this.showPrefillWarning(banner, message);
      return;
    }
    if (!data || !data.found) {
      this.showPrefillWarning(banner, data?.error || "The lookup failed.");
      return;
    }
    this.lastPrefillId = id;
    this.prefillData = data;
    const available = [];
    if (data.name) available.push("name");
    if (data.description) available.push("description");
    if (data.homepage) available.push("website");
    if (data.license) available.push("license");
    if (data.publications) available.push("publications");
    if (data.github_url) available.push("GitHub repository");
    const topics = (data.edam_topics || []).filter((t) => t.id).length;
    const operations = (data.edam_operations || []).filter((t) => t.id).length;
    if (topics) available.push(`${topics} EDAM topic${topics === 1 ? "" : "s"}`);
    if (operations) available.push(`${operations} EDAM operation${operations === 1 ? "" : "s"}`);

    const apply = h("button", { type: "button", class: "btn btn-sm btn-primary", id: "apply-prefill" }, "Apply prefill");
    const dismiss = h("button", { type: "button", class: "btn btn-sm btn-outline-secondary" }, "Dismiss");
    apply.addEventListener("click", () => this.applyPrefill(banner));
    dismiss.addEventListener("click", () => clear(banner));
    clear(banner).append(h("div", { class: "alert alert-info mb-0", id: "prefill-found" },
      h("p", { class: "mb-1" }, h("strong", {}, "Metadata found in bio.tools"), ` for “${data.name || data.biotools_id}”.`),
      h("p", { class: "mb-2 small" }, available.length
        ? `Available: ${available.join(", ")}. Apply prefill fills in only the fields that are still empty and adds the EDAM terms to your selection; nothing you entered is overwritten.`
        : "The entry has nothing the form can use."),
      h("div", { class: "d-flex gap-2" }, available.length ? apply : null, dismiss)));
  }

  showPrefillWarning(banner, message) {
    const dismiss = h("button", { type: "button", class: "btn btn-sm btn-outline-secondary" }, "Dismiss");
    dismiss.addEventListener("click", () => clear(banner));
    clear(banner).append(h("div", { class: "alert alert-warning mb-0", id: "prefill-warning" },
      h("p", { class: "mb-2" }, h("strong", {}, "bio.tools lookup failed: "), message),
      dismiss));
  }

  applyPrefill(banner) {
    const data = this.prefillData;
    if (!data) return;
    const filled = [];
    const fillText = (name, value) => {
      const el = this.control(name);
      if (!el || !value || el.value.trim() !== "") return;
      el.value = value;
      filled.push(fieldByName(name).label);
    };
    fillText("service_name", data.name);
    fillText("service_description", data.description);
    fillText("website_url", data.homepage);
    fillText("github_url", data.github_url);
    fillText("publications_pmids", data.publications);

    const licenses = this.ts.licenses;
    const match = data.license_match;
    if (licenses && [].concat(licenses.getValue()).length === 0 && match && !match.deprecated) {
      licenses.addOption(licenseOption(match));
      licenses.addItem(match.id, true);
      filled.push(`license ${match.license_id}`);
    } else if (data.license && !this.control("license_note").value.trim() && [].concat(licenses?.getValue() || []).length === 0) {
      this.control("license_note").value = data.license.slice(0, 200);
      filled.push("License note");
    }

    for (const [name, terms] of [["edam_topics", data.edam_topics], ["edam_operations", data.edam_operations]]) {
      const ts = this.ts[name];
      if (!ts) continue;
      let added = 0;
      for (const t of terms || []) {
        if (!t.id) continue;
        const current = [].concat(ts.getValue());
        if (current.includes(t.id) || current.length >= fieldByName(name).max) continue;
        ts.addOption(edamOption({ id: t.id, label: t.label || t.term, uri: t.uri }));
        ts.addItem(t.id, true);
        added++;
      }
      if (added) filled.push(`${added} ${fieldByName(name).label}`);
    }
    this.refresh();
    this.saveDraft();
    const summary = filled.length
      ? `Filled in from bio.tools: ${filled.join(", ")}. Please check them before you send the form.`
      : "Nothing was filled in: the fields bio.tools could fill already have values.";
    const dismiss = h("button", { type: "button", class: "btn btn-sm btn-outline-secondary" }, "Dismiss");
    dismiss.addEventListener("click", () => clear(banner));
    const note = h("div", { class: "alert alert-success mb-0", id: "prefill-applied", tabindex: "-1" },
      h("p", { class: "mb-2" }, summary), dismiss);
    clear(banner).append(note);
    note.focus();
  }
}

