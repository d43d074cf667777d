// The Registry page of the coordination office: review queue, details with
// change history, status actions, maturity tags, API keys, exports and sync
// status. Plain DOM, no dependencies, so the same module runs inside the
// PocketBase dashboard (main.js) and on the staff page (review.js). All
// data comes from the routes under /api/registry/admin/, which check the
// caller's role again: hiding a button is a courtesy, not the protection.

const API = "/api/registry/admin";

const STATUS_ACTIONS = [
    { action: "under_review", status: "under_review", label: "Start review" },
    { action: "approve", status: "approved", label: "Approve" },
    { action: "reject", status: "rejected", label: "Reject…" },
    { action: "deprecate", status: "deprecated", label: "Deprecate" },
    { action: "undeprecate", status: "submitted", label: "Undeprecate → Submitted" },
];

const PRIMARY_TAGS = [
    { value: "", label: "None" },
    { value: "mature", label: "Mature" },
    { value: "emerging", label: "Emerging" },
    { value: "legacy", label: "Legacy" },
];

// h builds an element: props are properties (className, textContent,
// onclick, disabled, ...) except "attrs" (attributes) and "dataset".
function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
        if (value === undefined || value === null) {
            continue;
        }
        if (key === "attrs") {
            for (const [name, v] of Object.entries(value)) {
                if (v !== undefined && v !== null && v !== false) {
                    el.setAttribute(name, v === true ? "" : String(v));
                }
            }
        } else if (key === "dataset") {
            Object.assign(el.dataset, value);
        } else {
            el[key] = value;
        }
    }
    append(el, children);
    return el;
}

// append adds a child or a (nested) list of children; null, undefined and
// false are skipped, strings become text.
function append(el, children) {
    const list = Array.isArray(children) ? children.flat(Infinity) : [children];
    for (const child of list) {
        if (child === undefined || child === null || child === false) {
            continue;
        }
        el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
}

function clear(el) {
    while (el.firstChild) {
        el.firstChild.remove();
    }
    return el;
}

// formatTime shows an ISO timestamp as "YYYY-MM-DD HH:MM UTC".
function formatTime(iso) {
    if (!iso) {
        return "—";
    }
    const d = new Date(iso);
    if (isNaN(d)) {
        return iso;
    }
    return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

function statusPill(status, label) {
    return h("span", { className: "rg-pill rg-status-" + status, textContent: label || status });
}

// actorBadge shows who made a change, as the Django admin did.
function actorBadge(actor) {
    actor = actor || "system";
    if (actor === "submitter") {
        return h("span", { className: "rg-badge rg-actor-submitter", textContent: "Submitter" });
    }
    if (actor.startsWith("api:")) {
        return h("span", { className: "rg-badge rg-actor-api", textContent: "API: " + actor.slice(4) });
    }
    if (actor.startsWith("admin:")) {
        return h("span", { className: "rg-badge rg-actor-admin", textContent: "Admin: " + actor.slice(6) });
    }
    return h("span", { className: "rg-badge", textContent: actor === "system" ? "System" : actor });
}

function biotoolsBadge(state, id) {
    switch (state) {
        case "ok":
            return h("span", { className: "rg-badge rg-ok", textContent: "✓ " + (id || "synced") });
        case "error":
            return h("span", { className: "rg-badge rg-bad", textContent: "✗ " + (id || "failed") });
        case "pending":
            return h("span", { className: "rg-badge rg-wait", textContent: "… " + (id || "not synced") });
    }
    return "—";
}

// diffTable renders [{field,label,old,new}] as Field / Before / After.
function diffTable(changes) {
    const rows = (changes || []).map((c) =>
        h(
            "tr",
            null,
            h("td", { textContent: c.label || c.field }),
            h("td", { className: "rg-old", textContent: c.old ?? "—" }),
            h("td", { textContent: c.new ?? "—" }),
        )
    );
    return h(
        "div",
        { className: "rg-table-wrap" },
        h(
            "table",
            { className: "rg-table rg-diff" },
            h("thead", null, h("tr", null, h("th", { textContent: "Field" }), h("th", { textContent: "Before" }), h("th", { textContent: "After" }))),
            h("tbody", null, rows),
        ),
    );
}

// ApiError is a failed call, with the server's message.
class ApiError extends Error {
    constructor(status, message, data) {
        super(message || "The request failed (" + status + ").");
        this.status = status;
        this.data = data || {};
    }
}

/**
 * Mounts the Registry page into root.
 *
 * @param {HTMLElement} root
 * @param {Object}   options
 * @param {Function} options.token          returns the current auth token
 * @param {string}   [options.baseURL]      origin of the API ("" = same origin)
 * @param {Function} [options.onUnauthorized] called on a 401 answer
 * @param {string}   [options.initialId]    a submission to open at once
 * @param {Function} [options.onRoute]      told {id} when the view changes
 * @param {Function} [options.recordEditorURL] (collectionId, recordId) => URL of the plain record editor
 * @returns {{destroy: Function}}
 */
export function mountRegistry(root, options) {
    const opts = Object.assign({ baseURL: "", onUnauthorized: () => {}, onRoute: () => {} }, options);
    const state = {
        meta: null,
        view: "queue",
        filters: { status: "", center: "", category: "", maturity: "", biotools: "", elixir: "", q: "" },
        sort: "-submitted_at",
        page: 1,
        perPage: 30,
        list: null,
        selected: new Set(),
        detail: null,
        oneTimeKey: null,
        sync: null,
    };
    let destroyed = false;
    let searchTimer = null;

    root.classList.add("rg-root");
    clear(root);
    const tabs = h("nav", { className: "rg-tabs", attrs: { role: "tablist", "aria-label": "Registry views" } });
    const messages = h("div", { className: "rg-messages", attrs: { role: "status", "aria-live": "polite" } });
    const content = h("div", { className: "rg-content" });
    append(root, [tabs, messages, content]);

    // --- API -------------------------------------------------------------

    async function call(method, path, body) {
        const headers = { Accept: "application/json" };
        const token = opts.token();
        if (token) {
            headers.Authorization = token;
        }
        let payload;
        if (body !== undefined) {
            headers["Content-Type"] = "application/json";
            payload = JSON.stringify(body);
        }
        const res = await fetch(opts.baseURL + path, { method, headers, body: payload, credentials: "omit" });
        let data = null;
        try {
            data = await res.json();
        } catch (_) {
            data = null;
        }
        if (!res.ok) {
            if (res.status === 401) {
                opts.onUnauthorized();
            }
            throw new ApiError(res.status, data?.message, data?.data);
        }
        return data;
    }

    async function download(path, filename) {
        const token = opts.token();
        const res = await fetch(opts.baseURL + path, {
            headers: token ? { Authorization: token } : {},
            credentials: "omit",
        });
        if (!res.ok) {
            let data = null;
            try {
                data = await res.json();
            } catch (_) {
                data = null;
            }
            throw new ApiError(res.status, data?.message);
        }
        const url = URL.createObjectURL(await res.blob());
        const a = h("a", { href: url, download: filename, hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
    }

    // --- messages and dialogs -------------------------------------------

    function say(kind, text) {
        if (!text) {
            return;
        }
        messages.append(h("div", { className: "rg-message rg-" + kind, textContent: text }));
    }

    function clearMessages() {
        clear(messages);
    }

    function fail(err) {
        if (err instanceof ApiError) {
            let text = err.message;
            const details = Object.entries(err.data || {}).map(([k, v]) => k + ": " + (v?.message || v));
            if (details.length) {
                text += " (" + details.join("; ") + ")";
            }
            say("error", text);
        } else {
            say("error", "Something went wrong: " + (err?.message || err));
        }
    }

    // dialog opens a modal form; resolves with the form values, or null when
    // cancelled.
    function dialog({ title, body, confirmLabel, danger, fields }) {
        return new Promise((resolve) => {
            const form = h("form", { method: "dialog" });
            const confirm = h("button", {
                type: "submit",
                className: "rg-btn " + (danger ? "rg-danger" : "rg-primary"),
                textContent: confirmLabel || "OK",
                value: "ok",
            });
            const cancel = h("button", { type: "button", className: "rg-btn", textContent: "Cancel" });
            append(form, [h("h3", { textContent: title }), body || null, fields || null, h("div", { className: "rg-actions" }, cancel, confirm)]);
            const dlg = h("dialog", { className: "rg-dialog" }, form);
            let result = null;
            cancel.onclick = () => dlg.close();
            form.onsubmit = (e) => {
                e.preventDefault();
                result = Object.fromEntries(new FormData(form).entries());
                result.__all = new FormData(form);
                dlg.close();
            };
            dlg.addEventListener("close", () => {
                dlg.remove();
                resolve(result);
            });
            root.append(dlg);
            dlg.showModal();
        });
    }

    // --- navigation ------------------------------------------------------

    function renderTabs() {
        clear(tabs);
        const items = [
            { view: "queue", label: "Review queue" },
            { view: "sync", label: "Sync status" },
        ];
        for (const item of items) {
            const selected = state.view === item.view || (item.view === "queue" && state.view === "detail");
            append(tabs, h("button", {
                type: "button",
                className: "rg-tab",
                textContent: item.label,
                attrs: { role: "tab", "aria-selected": selected ? "true" : "false" },
                onclick: () => {
                    clearMessages();
                    if (item.view === "queue") {
                        showQueue();
                    } else {
                        showSync();
                    }
                },
            }));
        }
        append(tabs, h("span", { className: "rg-spacer" }));
        if (state.meta) {
            append(tabs, h("span", { className: "rg-hint", textContent: state.meta.email + " · " + state.meta.role }));
        }
    }

    function can(perm) {
        return !!state.meta?.permissions?.[perm];
    }

    async function start() {
        try {
            state.meta = await call("GET", API + "/meta");
        } catch (err) {
            fail(err);
            return;
        }
        if (opts.initialId) {
            await openDetail(opts.initialId);
        } else {
            await showQueue();
        }
    }

    // --- queue -------------------------------------------------------------

    function queueQuery(extra) {
        const params = new URLSearchParams();
        for (const [k, v] of Object.entries(state.filters)) {
            if (v) {
                params.set(k, v);
            }
        }
        params.set("sort", state.sort);
        for (const [k, v] of Object.entries(extra || {})) {
            params.set(k, v);
        }
        return params.toString();
    }

    async function loadQueue() {
        state.list = await call("GET", API + "/submissions?" + queueQuery({ page: state.page, perPage: state.perPage }));
    }

    async function showQueue() {
        state.view = "queue";
        state.detail = null;
        state.oneTimeKey = null;
        opts.onRoute({ id: "" });
        renderTabs();
        try {
            await loadQueue();
        } catch (err) {
            fail(err);
        }
        renderQueue();
    }

    async function refreshQueue() {
        try {
            await loadQueue();
            state.meta = await call("GET", API + "/meta");
        } catch (err) {
            fail(err);
        }
        renderQueue();
    }

    function select(name, label, choices, value) {
        const el = h("select", { name, attrs: { "aria-label": label } }, h("option", { value: "", textContent: label + ": all" }));
        for (const c of choices || []) {
            el.append(h("option", { value: c.value, textContent: c.label + (c.count !== undefined ? " (" + c.count + ")" : ""), selected: c.value === value }));
        }
        el.onchange = () => {
            state.filters[name] = el.value;
            state.page = 1;
            clearMessages();
            refreshQueue();
        };
        return el;
    }

    function renderQueue() {
        if (destroyed) {
            return;
        }
        clear(content);
        const meta = state.meta || {};

        const search = h("input", {
            type: "search",
            name: "q",
            value: state.filters.q,
            placeholder: "Search service, submitter, institute, PI, licence…",
            attrs: { "aria-label": "Search" },
        });
        search.oninput = () => {
            clearTimeout(searchTimer);
            searchTimer = setTimeout(() => {
                state.filters.q = search.value.trim();
                state.page = 1;
                refreshQueue().then(() => {
                    const again = content.querySelector('input[name="q"]');
                    again?.focus();
                    again?.setSelectionRange(again.value.length, again.value.length);
                });
            }, 350);
        };
        const filters = h(
            "div",
            { className: "rg-filters" },
            search,
            select("status", "Status", meta.statuses, state.filters.status),
            select("center", "Centre", meta.centers, state.filters.center),
            select("category", "Category", meta.categories, state.filters.category),
            select("maturity", "Maturity", meta.maturity, state.filters.maturity),
            select("biotools", "bio.tools", meta.biotools, state.filters.biotools),
            select("elixir", "ELIXIR", [{ value: "yes", label: "ELIXIR" }, { value: "no", label: "Not ELIXIR" }], state.filters.elixir),
            h("button", {
                type: "button",
                className: "rg-btn rg-link",
                textContent: "Clear filters",
                onclick: () => {
                    for (const k of Object.keys(state.filters)) {
                        state.filters[k] = "";
                    }
                    state.page = 1;
                    clearMessages();
                    refreshQueue();
                },
            }),
        );

        const list = state.list || { items: [], totalItems: 0, page: 1, perPage: state.perPage };
        // keep only selections that are still visible
        const visible = new Set(list.items.map((r) => r.id));
        for (const id of [...state.selected]) {
            if (!visible.has(id)) {
                state.selected.delete(id);
            }
        }

        append(content, [filters, renderToolbar(list), renderQueueTable(list), renderPages(list)]);
    }

    function renderToolbar(list) {
        const n = state.selected.size;
        const bar = h("div", { className: "rg-toolbar", attrs: { "aria-label": "Actions on the selected services" } });
        append(bar, h("span", { className: "rg-count", textContent: n ? n + " selected" : list.totalItems + " service(s)" }));
        if (can("status")) {
            for (const a of STATUS_ACTIONS) {
                append(bar, h("button", {
                    type: "button",
                    className: "rg-btn",
                    textContent: a.label,
                    disabled: !n,
                    dataset: { action: a.action },
                    onclick: () => bulkStatus(a),
                }));
            }
            append(bar, h("button", { type: "button", className: "rg-btn", textContent: "Maturity tags…", disabled: !n, onclick: bulkTags }));
        }
        append(bar, h("span", { className: "rg-spacer" }));
        const scope = n ? "selected" : "all matching";
        append(bar, h("button", { type: "button", className: "rg-btn", textContent: "Export " + scope + " as CSV", onclick: () => exportAs("csv") }));
        append(bar, h("button", { type: "button", className: "rg-btn", textContent: "Export " + scope + " as JSON", onclick: () => exportAs("json") }));
        return bar;
    }

    function sortHeader(label, key) {
        const active = state.sort === key || state.sort === "-" + key;
        const arrow = active ? (state.sort.startsWith("-") ? " ↓" : " ↑") : "";
        return h("th", {
            attrs: { "aria-sort": active ? (state.sort.startsWith("-") ? "descending" : "ascending") : null },
        }, h("button", {
            type: "button",
            className: "rg-btn rg-link",
            textContent: label + arrow,
            onclick: () => {
                state.sort = state.sort === "-" + key ? key : "-" + key;
                refreshQueue();
            },
        }));
    }

    function renderQueueTable(list) {
        if (!list.items.length) {
            return h("div", { className: "rg-table-wrap" }, h("div", { className: "rg-empty", textContent: "No service matches." }));
        }
        const all = h("input", {
            type: "checkbox",
            checked: list.items.every((r) => state.selected.has(r.id)),
            attrs: { "aria-label": "Select all on this page" },
        });
        all.onchange = () => {
            for (const r of list.items) {
                all.checked ? state.selected.add(r.id) : state.selected.delete(r.id);
            }
            renderQueue();
        };
        const head = h(
            "tr",
            null,
            h("th", null, all),
            sortHeader("Service", "service_name"),
            sortHeader("Submitter", "submitter"),
            sortHeader("Status", "status"),
            h("th", { textContent: "Maturity" }),
            sortHeader("Service centre", "service_center"),
            h("th", { textContent: "Licence(s)" }),
            h("th", { textContent: "ELIXIR" }),
            h("th", { textContent: "bio.tools" }),
            sortHeader("Submitted", "submitted_at"),
            h("th", { textContent: "API keys" }),
        );
        const rows = list.items.map((r) => {
            const box = h("input", { type: "checkbox", checked: state.selected.has(r.id), attrs: { "aria-label": "Select " + r.service_name } });
            box.onchange = () => {
                box.checked ? state.selected.add(r.id) : state.selected.delete(r.id);
                renderQueue();
            };
            return h(
                "tr",
                { dataset: { id: r.id } },
                h("td", null, box),
                h("td", { className: "rg-name" }, h("button", { type: "button", textContent: r.service_name, onclick: () => openDetail(r.id) })),
                h("td", { textContent: r.submitter || "—" }),
                h("td", { className: "rg-status" }, statusPill(r.status, r.status_label)),
                h("td", null, maturityCell(r)),
                h("td", { textContent: r.service_center || "—" }),
                h("td", { textContent: r.licenses || "—" }),
                h("td", { textContent: r.register_as_elixir ? "✓ ELIXIR" : "—" }),
                h("td", null, biotoolsBadge(r.biotools_state, r.biotools_id)),
                h("td", { className: "rg-num", textContent: formatTime(r.submitted_at) }),
                h("td", { className: "rg-num", textContent: r.keys_active + " / " + r.keys_total }),
            );
        });
        return h("div", { className: "rg-table-wrap" }, h("table", { className: "rg-table rg-queue" }, h("thead", null, head), h("tbody", null, rows)));
    }

    function maturityCell(r) {
        if (!r.primary_maturity_tag && !(r.secondary_maturity_tags || []).length) {
            return "—";
        }
        const primary = r.primary_maturity_tag ? PRIMARY_TAGS.find((t) => t.value === r.primary_maturity_tag)?.label : "";
        const secondary = (r.secondary_maturity_tags || []).map((t) => t.charAt(0).toUpperCase() + t.slice(1));
        return h("span", null, h("strong", { textContent: primary || "" }), secondary.length ? h("span", { className: "rg-hint", textContent: " (" + secondary.join(", ") + ")" }) : null);
    }

    function renderPages(list) {
        const pages = Math.max(1, Math.ceil(list.totalItems / list.perPage));
        return h(
            "div",
            { className: "rg-pages" },
            h("span", { className: "rg-hint", textContent: "Page " + list.page + " of " + pages + " · " + list.totalItems + " service(s)" }),
            h("button", {
                type: "button",
                className: "rg-btn",
                textContent: "‹ Previous",
                disabled: list.page <= 1,
                onclick: () => {
                    state.page--;
                    refreshQueue();
                },
            }),
            h("button", {
                type: "button",
                className: "rg-btn",
                textContent: "Next ›",
                disabled: list.page >= pages,
                onclick: () => {
                    state.page++;
                    refreshQueue();
                },
            }),
        );
    }

    // askReason asks for a rejection reason (sent to the submitter).
    async function askReason(count) {
        const textarea = h("textarea", { name: "reason", required: true, maxLength: 2000, attrs: { "aria-label": "Reason" } });
        const values = await dialog({
            title: count > 1 ? "Reject " + count + " services" : "Reject this service",
            body: h("p", { className: "rg-hint", textContent: "The reason is recorded in the change log and meant for the submitter." }),
            fields: h("label", null, "Reason", textarea),
            confirmLabel: "Reject",
            danger: true,
        });
        return values ? values.reason.trim() : null;
    }

    async function bulkStatus(a) {
        const ids = [...state.selected];
        if (!ids.length) {
            return;
        }
        const body = { ids, action: a.action };
        if (a.action === "reject") {
            const reason = await askReason(ids.length);
            if (reason === null) {
                return;
            }
            body.reason = reason;
        } else {
            const ok = await dialog({
                title: a.label.replace("…", "") + ": " + ids.length + " service(s)",
                body: h("p", { textContent: "Each service gets its own change-log entry, and its submitter is emailed about the new status." }),
                confirmLabel: a.label.replace("…", ""),
            });
            if (!ok) {
                return;
            }
        }
        clearMessages();
        try {
            const res = await call("POST", API + "/status", body);
            reportStatus(res);
            state.selected.clear();
        } catch (err) {
            fail(err);
        }
        await refreshQueue();
    }

    function reportStatus(res) {
        say("success", res.message);
        say("warning", res.warning);
        const skipped = res.results.filter((r) => r.skipped).map((r) => (r.service_name || r.id) + " (" + r.skipped + ")");
        if (skipped.length) {
            say("info", "Unchanged: " + skipped.join(", ") + ".");
        }
        const failed = res.results.filter((r) => r.error).map((r) => (r.service_name || r.id) + ": " + r.error);
        if (failed.length) {
            say("error", "Not changed: " + failed.join(" · "));
        }
    }

    function tagFields(primary, secondary) {
        const radios = PRIMARY_TAGS.map((t) =>
            h("label", null, h("input", { type: "radio", name: "primary_maturity_tag", value: t.value, checked: (primary || "") === t.value }), t.label)
        );
        const unstable = h("label", null, h("input", { type: "checkbox", name: "secondary_maturity_tags", value: "unstable", checked: (secondary || []).includes("unstable") }), "Unstable");
        return h(
            "div",
            null,
            h("div", { className: "rg-hint", textContent: "Primary tag — select one stage, or None to clear it." }),
            h("div", { className: "rg-choices" }, radios),
            h("div", { className: "rg-hint", textContent: "Secondary tags" }),
            h("div", { className: "rg-choices" }, unstable),
        );
    }

    async function bulkTags() {
        const ids = [...state.selected];
        const rows = (state.list?.items || []).filter((r) => state.selected.has(r.id));
        const notApproved = rows.filter((r) => r.status !== "approved").length;
        if (rows.length && notApproved === rows.length) {
            say("error", "No approved submissions selected. Tags can only be assigned to approved services.");
            return;
        }
        const values = await dialog({
            title: "Assign maturity tags",
            body: notApproved ? h("p", { className: "rg-warning", textContent: "Note: " + notApproved + " selected submission(s) are not approved and will be skipped." }) : null,
            fields: tagFields("", []),
            confirmLabel: "Assign tags",
        });
        if (!values) {
            return;
        }
        clearMessages();
        try {
            const res = await call("POST", API + "/maturity", {
                ids,
                primary_maturity_tag: values.primary_maturity_tag || "",
                secondary_maturity_tags: values.__all.getAll("secondary_maturity_tags"),
            });
            say("success", res.message);
            if (res.skipped) {
                say("info", res.skipped + " selected submission(s) were skipped (not approved).");
            }
            state.selected.clear();
        } catch (err) {
            fail(err);
        }
        await refreshQueue();
    }

    async function exportAs(format) {
        const extra = { format };
        if (state.selected.size) {
            extra.ids = [...state.selected].join(",");
        }
        const params = new URLSearchParams(queueQuery(extra));
        if (state.selected.size) {
            // the selection alone decides
            for (const k of Object.keys(state.filters)) {
                params.delete(k);
            }
        }
        clearMessages();
        try {
            await download(API + "/export?" + params.toString(), "submissions." + format);
        } catch (err) {
            fail(err);
        }
    }

    // --- detail ------------------------------------------------------------

    async function openDetail(id) {
        clearMessages();
        state.view = "detail";
        state.oneTimeKey = null;
        opts.onRoute({ id });
        renderTabs();
        try {
            state.detail = await call("GET", API + "/submissions/" + encodeURIComponent(id));
        } catch (err) {
            fail(err);
            state.detail = null;
        }
        renderDetail();
    }

    async function reloadDetail() {
        if (!state.detail) {
            return;
        }
        try {
            state.detail = await call("GET", API + "/submissions/" + encodeURIComponent(state.detail.id));
        } catch (err) {
            fail(err);
        }
        renderDetail();
    }

    function renderDetail() {
        if (destroyed) {
            return;
        }
        clear(content);
        const back = h("button", {
            type: "button",
            className: "rg-btn rg-link",
            textContent: "← Review queue",
            onclick: () => {
                clearMessages();
                showQueue();
            },
        });
        const d = state.detail;
        if (!d) {
            append(content, back);
            return;
        }
        const head = h(
            "div",
            { className: "rg-detail-head" },
            h("h2", { className: "rg-detail-title", textContent: d.service_name }),
            h("span", { className: "rg-detail-status" }, statusPill(d.status, d.status_label)),
            d.maturity ? h("span", { className: "rg-badge", textContent: d.maturity }) : null,
        );
        const facts = [
            "Submitted " + formatTime(d.submitted_at),
            "updated " + formatTime(d.updated_at),
            "id " + d.id,
        ];
        if (d.submission_ip !== undefined) {
            facts.push("Submission IP " + (d.submission_ip || "—"));
        }
        const editor = opts.recordEditorURL?.(d.collection_id, d.id);
        append(content, [
            back,
            head,
            h("div", { className: "rg-hint" }, facts.join(" · "), editor ? [" · ", h("a", { href: editor, textContent: "Open in the record editor" })] : null),
            renderStatusPanel(d),
            renderTagsPanel(d),
            renderSummary(d),
            renderHistory(d),
            renderFields(d),
            renderBiotools(d),
            renderKeys(d),
            can("delete") ? renderDelete(d) : null,
        ]);
    }

    function renderStatusPanel(d) {
        if (!can("status")) {
            return null;
        }
        const panel = h("section", { className: "rg-panel" }, h("h3", { textContent: "Change status" }));
        const buttons = h("div", { className: "rg-actions rg-status-actions" });
        for (const a of STATUS_ACTIONS) {
            const current = d.status === a.status;
            const disabled = current || (a.action === "undeprecate" && d.status !== "deprecated");
            append(buttons, h("button", {
                type: "button",
                className: "rg-btn" + (a.action === "approve" && !current ? " rg-primary" : ""),
                textContent: (current ? "✓ " : "") + a.label,
                disabled,
                dataset: { action: a.action },
                onclick: () => singleStatus(d, a),
            }));
        }
        append(panel, buttons);
        if (d.status === "approved" && d.maturity) {
            append(panel, h("p", { className: "rg-warning", textContent: "⚠ Unapproving will automatically clear maturity tags: " + d.maturity }));
        }
        append(panel, h("p", { className: "rg-hint", textContent: "The submitter is emailed about every status change." }));
        return panel;
    }

    async function singleStatus(d, a) {
        const body = { action: a.action };
        if (a.action === "reject") {
            const reason = await askReason(1);
            if (reason === null) {
                return;
            }
            body.reason = reason;
        }
        clearMessages();
        try {
            const res = await call("POST", API + "/submissions/" + encodeURIComponent(d.id) + "/status", body);
            reportStatus(res);
        } catch (err) {
            fail(err);
        }
        await reloadDetail();
    }

    function renderTagsPanel(d) {
        if (!can("status")) {
            return null;
        }
        const panel = h("section", { className: "rg-panel" }, h("h3", { textContent: "Maturity tags" }));
        if (d.status !== "approved") {
            append(panel, h("p", { className: "rg-hint", textContent: "Tags can only be assigned to approved services." }));
            return panel;
        }
        const form = h("form", null, tagFields(d.primary_maturity_tag, d.secondary_maturity_tags), h("button", { type: "submit", className: "rg-btn rg-primary", textContent: "Save tags" }));
        form.onsubmit = async (e) => {
            e.preventDefault();
            const fd = new FormData(form);
            clearMessages();
            try {
                const res = await call("POST", API + "/maturity", {
                    ids: [d.id],
                    primary_maturity_tag: fd.get("primary_maturity_tag") || "",
                    secondary_maturity_tags: fd.getAll("secondary_maturity_tags"),
                });
                say("success", res.message);
            } catch (err) {
                fail(err);
            }
            await reloadDetail();
        };
        append(panel, form);
        return panel;
    }

    function renderSummary(d) {
        const s = d.last_change_summary;
        const panel = h("section", { className: "rg-panel" }, h("h3", { textContent: "Last change" }));
        if (!s || !s.changes?.length) {
            append(panel, h("p", { className: "rg-hint", textContent: "No change history recorded yet." }));
            return panel;
        }
        append(panel, [h("p", null, "Changed by ", actorBadge(s.changed_by), " · " + formatTime(s.changed_at)), diffTable(s.changes)]);
        return panel;
    }

    function renderHistory(d) {
        const panel = h("section", { className: "rg-panel rg-history" }, h("h3", { textContent: "Change history (" + d.history.total + ")" }));
        if (!d.history.entries.length) {
            append(panel, h("p", { className: "rg-hint", textContent: "No change history recorded yet." }));
            return panel;
        }
        for (const entry of d.history.entries) {
            const n = (entry.changes || []).length;
            append(panel, h(
                "details",
                null,
                h("summary", null, actorBadge(entry.changed_by), " " + formatTime(entry.changed_at) + " · " + n + " field(s) changed"),
                diffTable(entry.changes),
            ));
        }
        if (d.history.total > d.history.entries.length) {
            append(panel, h("p", { className: "rg-hint", textContent: "Showing most recent " + d.history.entries.length + " of " + d.history.total + " entries." }));
        }
        return panel;
    }

    function renderFields(d) {
        return d.sections.map((sec) => {
            const dl = h("dl", { className: "rg-fields" });
            for (const f of sec.fields) {
                let value = f.value;
                if (Array.isArray(value)) {
                    value = value.length ? value.join("\n") : "—";
                } else if (value === "" || value === null || value === undefined) {
                    value = "—";
                }
                const dd = h("dd", { dataset: { field: f.field } });
                if (f.link && value !== "—") {
                    dd.append(h("a", { href: f.link, textContent: value, target: "_blank", rel: "noopener noreferrer" }));
                } else {
                    dd.textContent = value;
                }
                append(dl, [h("dt", { textContent: f.label }), dd]);
            }
            return h("section", { className: "rg-panel" }, h("h3", { textContent: sec.title }), dl);
        });
    }

    function renderBiotools(d) {
        const panel = h("section", { className: "rg-panel" }, h("h3", { textContent: "bio.tools" }));
        const b = d.biotools;
        if (!b) {
            append(panel, h("p", { className: "rg-hint", textContent: "No bio.tools record is linked." }));
            return panel;
        }
        const dl = h(
            "dl",
            { className: "rg-fields" },
            h("dt", { textContent: "Record" }),
            h("dd", null, h("a", { href: b.url, textContent: b.biotools_id, target: "_blank", rel: "noopener noreferrer" }), b.name ? " — " + b.name : ""),
            h("dt", { textContent: "Sync" }),
            h("dd", null, biotoolsBadge(b.state), " last synced " + formatTime(b.last_synced_at)),
        );
        if (b.sync_error) {
            append(dl, [h("dt", { textContent: "Last error" }), h("dd", { textContent: b.sync_error })]);
        }
        append(panel, dl);
        return panel;
    }

    function renderKeys(d) {
        const panel = h("section", { className: "rg-panel rg-keys" }, h("h3", { textContent: "API keys" }));
        if (state.oneTimeKey) {
            append(panel, h(
                "div",
                { className: "rg-onetime", attrs: { role: "alert" } },
                h("strong", { textContent: state.oneTimeKey.message }),
                h("code", { className: "rg-key", textContent: state.oneTimeKey.key }),
                h("span", { textContent: state.oneTimeKey.warning }),
                " ",
                h("button", {
                    type: "button",
                    className: "rg-btn",
                    textContent: "Copy",
                    onclick: async () => {
                        try {
                            await navigator.clipboard.writeText(state.oneTimeKey.key);
                            say("info", "The key is on the clipboard.");
                        } catch (_) {
                            say("warning", "Copying failed: select the key and copy it by hand.");
                        }
                    },
                }),
            ));
        }
        const rows = d.keys.map((k) =>
            h(
                "tr",
                null,
                h("td", null, h("code", { textContent: k.prefix })),
                h("td", { textContent: k.label || "—" }),
                h("td", { textContent: k.scope === "write" ? "✏ read-write" : "👁 read-only" }),
                h("td", { textContent: k.created_by || "—" }),
                h("td", { className: "rg-num", textContent: formatTime(k.created) }),
                h("td", { className: "rg-num", textContent: formatTime(k.last_used_at) }),
                h("td", { textContent: k.active ? "● Active" : "○ Revoked" }),
                h("td", null, can("keys") && k.active ? h("button", { type: "button", className: "rg-btn", textContent: "Revoke", onclick: () => keyAction("/keys/" + encodeURIComponent(k.id) + "/revoke", null, "Revoke the key " + k.prefix + "?") }) : null),
            )
        );
        append(panel, h(
            "div",
            { className: "rg-table-wrap" },
            d.keys.length
                ? h(
                    "table",
                    { className: "rg-table" },
                    h("thead", null, h("tr", null, ["Hash prefix", "Label", "Scope", "Created by", "Created", "Last used", "Status", ""].map((t) => h("th", { textContent: t })))),
                    h("tbody", null, rows),
                )
                : h("div", { className: "rg-empty", textContent: "This service has no keys." }),
        ));
        if (!can("keys")) {
            return panel;
        }
        const label = h("input", { type: "text", name: "label", placeholder: "New key label (optional)", maxLength: 100, attrs: { "aria-label": "New key label" } });
        const scope = h("select", { name: "scope", attrs: { "aria-label": "Scope" } }, h("option", { value: "write", textContent: "read-write" }), h("option", { value: "read", textContent: "read-only" }));
        const base = "/submissions/" + encodeURIComponent(d.id) + "/keys";
        append(panel, h(
            "div",
            { className: "rg-actions" },
            label,
            scope,
            h("button", { type: "button", className: "rg-btn rg-primary", textContent: "Issue new key", onclick: () => keyAction(base, { label: label.value, scope: scope.value }) }),
            h("button", { type: "button", className: "rg-btn", textContent: "Reset (revoke all + issue one)", onclick: () => keyAction(base + "/reset", { label: label.value, scope: scope.value }, "Revoke every active key of this service and issue one new key?") }),
            h("button", { type: "button", className: "rg-btn", textContent: "Revoke all keys", onclick: () => keyAction(base + "/revoke", null, "Revoke every active key of this service? Its owner can no longer edit it until a new key is issued.") }),
        ));
        return panel;
    }

    async function keyAction(path, body, question) {
        if (question) {
            const ok = await dialog({ title: "API keys", body: h("p", { textContent: question }), confirmLabel: "Yes", danger: true });
            if (!ok) {
                return;
            }
        }
        clearMessages();
        state.oneTimeKey = null;
        try {
            const res = await call("POST", API + path, body || {});
            if (res.key) {
                state.oneTimeKey = { key: res.key, message: res.message, warning: res.warning };
            } else {
                say("success", res.message);
            }
        } catch (err) {
            fail(err);
        }
        await reloadDetail();
    }

    function renderDelete(d) {
        const panel = h("section", { className: "rg-panel rg-danger-zone" }, h("h3", { textContent: "Delete" }));
        if (d.history.total > 0) {
            append(panel, h("p", { className: "rg-warning", textContent: deleteWarning(d.history.total) }));
        }
        append(panel, h(
            "div",
            { className: "rg-actions" },
            d.status !== "deprecated" && can("status")
                ? h("button", { type: "button", className: "rg-btn", textContent: "Deprecate instead", onclick: () => singleStatus(d, STATUS_ACTIONS[3]) })
                : null,
            h("button", { type: "button", className: "rg-btn rg-danger", textContent: "Delete permanently…", onclick: () => deleteService(d) }),
        ));
        return panel;
    }

    async function deleteService(d) {
        const ok = await dialog({
            title: "Delete “" + d.service_name + "”?",
            body: h("div", null, d.history.total > 0 ? h("p", { className: "rg-warning", textContent: deleteWarning(d.history.total) }) : null, h("p", { textContent: "This cannot be undone. A deletion audit record is kept." })),
            confirmLabel: "Delete",
            danger: true,
        });
        if (!ok) {
            return;
        }
        clearMessages();
        try {
            const res = await call("DELETE", API + "/submissions/" + encodeURIComponent(d.id));
            await showQueue();
            say("success", res.message);
        } catch (err) {
            fail(err);
        }
    }

    // --- sync status ---------------------------------------------------------

    async function showSync() {
        state.view = "sync";
        opts.onRoute({ id: "" });
        renderTabs();
        try {
            state.sync = await call("GET", API + "/sync");
        } catch (err) {
            fail(err);
            state.sync = null;
        }
        renderSync();
    }

    function lastRun(job) {
        const l = job.last_run;
        if (!l) {
            return "never";
        }
        if (l.running) {
            return "running since " + formatTime(l.started_at);
        }
        return (l.ok ? "✓ " : "✗ ") + formatTime(l.finished_at) + " (" + (l.trigger || "?") + ")" + (l.message ? " — " + l.message : "");
    }

    function card(title, job, facts) {
        const dl = h("dl");
        for (const [k, v] of facts) {
            append(dl, [h("dt", { textContent: k }), h("dd", { textContent: String(v) })]);
        }
        append(dl, [
            h("dt", { textContent: "Schedule" }),
            h("dd", { textContent: job.registered ? job.schedule : "not scheduled here" }),
            h("dt", { textContent: "Last run" }),
            h("dd", { className: "rg-last-run", textContent: lastRun(job) }),
        ]);
        const el = h("section", { className: "rg-panel rg-card", dataset: { job: job.job } }, h("h3", { textContent: title }), dl);
        if (state.sync.can_run) {
            append(el, h("button", {
                type: "button",
                className: "rg-btn rg-primary",
                textContent: job.job === "mail_outbox_send" ? "Send now" : "Sync now",
                disabled: !job.registered || job.last_run?.running,
                onclick: () => runJob(job.job),
            }));
        }
        return el;
    }

    function renderSync() {
        if (destroyed) {
            return;
        }
        clear(content);
        const s = state.sync;
        if (!s) {
            return;
        }
        const refresh = h("button", { type: "button", className: "rg-btn", textContent: "Refresh", onclick: () => showSync() });
        const cards = h(
            "div",
            { className: "rg-cards" },
            card("EDAM ontology", s.edam, [["Terms", s.edam.terms], ["Topics", s.edam.topics], ["Operations", s.edam.operations], ["Obsolete", s.edam.obsolete], ["Version", s.edam.version || "—"]]),
            card("SPDX licences", s.licenses, [["Licences", s.licenses.licenses], ["Deprecated", s.licenses.deprecated], ["Version", s.licenses.version || "—"]]),
            card("bio.tools", s.biotools, [["Records", s.biotools.records], ["Sync failed", s.biotools.failing], ["Not synced yet", s.biotools.pending]]),
            card("Mail outbox", s.outbox, [["Waiting", s.outbox.pending], ["Failed", s.outbox.failed]]),
        );
        append(content, [h("div", { className: "rg-actions" }, refresh), cards]);
        if (s.biotools.problems.length) {
            const rows = s.biotools.problems.map((p) =>
                h(
                    "tr",
                    null,
                    h("td", null, h("button", { type: "button", className: "rg-btn rg-link", textContent: p.service_name || p.submission, onclick: () => openDetail(p.submission) })),
                    h("td", { textContent: p.biotools_id }),
                    h("td", { textContent: p.sync_error }),
                    h("td", { className: "rg-num", textContent: formatTime(p.last_synced_at) }),
                )
            );
            append(content, h(
                "section",
                { className: "rg-panel" },
                h("h3", { textContent: "bio.tools records whose last sync failed" }),
                h("div", { className: "rg-table-wrap" }, h("table", { className: "rg-table" }, h("thead", null, h("tr", null, ["Service", "bio.tools id", "Error", "Last good sync"].map((t) => h("th", { textContent: t })))), h("tbody", null, rows))),
            ));
        }
    }

    async function runJob(job) {
        clearMessages();
        try {
            const res = await call("POST", API + "/sync/" + encodeURIComponent(job));
            say("success", res.message);
        } catch (err) {
            fail(err);
        }
        setTimeout(() => {
            if (!destroyed && state.view === "sync") {
                showSync();
            }
        }, 1500);
    }

    const deleteWarning = historyWarning;

    renderTabs();
    start();

    return {
        destroy() {
            destroyed = true;
            clearTimeout(searchTimer);
            clear(root);
        },
        openDetail,
    };
}

// historyWarning is the deletion warning for n change-log entries, for the
// record editor's delete guard (main.js).
export function historyWarning(n) {
    return "⚠ Permanent data loss: This submission has " + n + " change log " + (n === 1 ? "entry" : "entries")
        + " that will be permanently deleted along with the submission. A deletion audit record will be preserved, but the full field-level history will no longer be browsable from the Change Log. "
        + "Consider marking this submission as Deprecated instead — this preserves all history while hiding the service from active listings.";
}
