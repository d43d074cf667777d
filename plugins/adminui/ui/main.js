// Dashboard extension of the de.NBI Service Registry (plugins/adminui).
// PocketBase wraps this file in an async function and runs it before the
// dashboard's router starts, so routes and header links are added here
// synchronously; everything else loads when it is needed.
//
// It adds:
//   - the "Registry" page (#/registry, optionally ?id=<submission>), whose UI
//     lives in registry.js and talks to /api/registry/admin/;
//   - a warning before the record editor deletes a submission that has a
//     change log, suggesting Deprecate instead;
//   - first-visit defaults for the list columns of the busiest collections
//     and for the collections sidebar (pinned collections, shown from the
//     next page load on); a person's own choices are never overwritten.

const registryBase = new URL(app.pb.buildURL("/_/extensions/registry/"), window.location.href).href;

document.head.append(Object.assign(document.createElement("link"), {
    rel: "stylesheet",
    href: registryBase + "registry.css",
}));

app.store.headerLinks.splice(1, 0, {
    href: "#/registry",
    icon: "ri-inbox-archive-line",
    label: "Registry",
});

let loadedModule = null;
function registryModule() {
    loadedModule = loadedModule || import(registryBase + "registry.js");
    return loadedModule;
}

app.routes.superuserOnly("#/registry", async (route) => {
    app.store.title = "Registry";
    const { mountRegistry } = await registryModule();

    const root = document.createElement("div");
    root.className = "rg-dashboard";
    const page = document.createElement("div");
    page.className = "page page-registry";
    page.innerHTML = '<div class="page-content full-height"><header class="page-header">'
        + '<nav class="breadcrumbs"><div class="breadcrumb-item">Registry</div></nav></header>'
        + '<div class="wrapper rg-wide m-b-base"></div></div>';
    page.querySelector(".wrapper").append(root);

    mountRegistry(root, {
        token: () => app.pb.authStore.token,
        baseURL: new URL(app.pb.buildURL("/"), window.location.href).href.replace(/\/$/, ""),
        initialId: route.query?.id?.[0] || "",
        onUnauthorized: () => app.pb.authStore.clear(),
        onRoute: ({ id }) => app.utils.replaceHashQueryParams({ id: id || null }),
        recordEditorURL: (collectionId, recordId) =>
            "#/collections?collection=" + encodeURIComponent(collectionId) + "&record=" + encodeURIComponent(recordId),
    });
    return page;
});

// --- the record editor's delete guard ----------------------------------------

function isSubmissions(idOrName) {
    const c = app.store.collections?.find((c) => c.id === idOrName || c.name === idOrName);
    return (c?.name || idOrName) === "submissions";
}

async function changeLogCount(id) {
    const res = await fetch(app.pb.buildURL("/api/registry/admin/submissions/" + encodeURIComponent(id)), {
        headers: { Authorization: app.pb.authStore.token },
    });
    if (!res.ok) {
        return 0; // let PocketBase answer the delete itself
    }
    const data = await res.json();
    return data?.history?.total || 0;
}

// one question at a time, also when the list deletes many records at once
let guardQueue = Promise.resolve();

function askBeforeDeleting(id, count) {
    const ask = () => new Promise((resolve) => {
        registryModule().then(({ historyWarning }) => {
            const dlg = document.createElement("dialog");
            dlg.className = "rg-dialog rg-root";
            const text = document.createElement("p");
            text.className = "rg-warning";
            text.textContent = historyWarning(count);
            const title = document.createElement("h3");
            title.textContent = "Delete submission " + id + "?";
            const actions = document.createElement("div");
            actions.className = "rg-actions";
            const open = document.createElement("a");
            open.className = "rg-btn";
            open.href = "#/registry?id=" + encodeURIComponent(id);
            open.textContent = "Open on the Registry page to deprecate";
            const cancel = document.createElement("button");
            cancel.type = "button";
            cancel.className = "rg-btn";
            cancel.textContent = "Keep it";
            const confirm = document.createElement("button");
            confirm.type = "button";
            confirm.className = "rg-btn rg-danger";
            confirm.textContent = "Delete anyway";
            let answer = false;
            open.onclick = () => dlg.close();
            cancel.onclick = () => dlg.close();
            confirm.onclick = () => {
                answer = true;
                dlg.close();
            };
            dlg.addEventListener("close", () => {
                dlg.remove();
                resolve(answer);
            });
            actions.append(open, cancel, confirm);
            dlg.append(title, text, actions);
            document.body.append(dlg);
            dlg.showModal();
        }, () => resolve(window.confirm(
            "This submission has " + count + " change log entries that will be deleted with it. Deprecating it keeps the history. Delete anyway?",
        )));
    });
    const answer = guardQueue.then(ask);
    guardQueue = answer.catch(() => false);
    return answer;
}

const originalCollection = app.pb.collection;
app.pb.collection = function(idOrName) {
    const service = originalCollection.apply(this, arguments);
    if (service.__registryDeleteGuard || !isSubmissions(idOrName)) {
        return service;
    }
    service.__registryDeleteGuard = true;
    const originalDelete = service.delete;
    service.delete = async function(id) {
        const count = await changeLogCount(id);
        if (count > 0 && !(await askBeforeDeleting(id, count))) {
            const err = new Error("Deletion cancelled: the submission was kept.");
            err.isAbort = true; // the dashboard shows no error for aborted requests
            throw err;
        }
        return originalDelete.apply(service, arguments);
    };
    return service;
};

// --- first-visit defaults of the collection lists -------------------------------

const defaultColumns = {
    submissions: ["service_name", "status", "primary_maturity_tag", "service_center", "submitter_last_name", "created", "updated"],
    submission_changes: ["submission", "changed_by", "created"],
    submission_keys: ["submission", "label", "scope", "active", "created_by", "last_used_at", "created"],
    mail_outbox: ["subject", "to", "event", "status", "attempts", "next_attempt_at", "sent_at"],
    biotools_records: ["biotools_id", "submission", "name", "last_synced_at", "sync_error"],
    staff: ["email", "name", "role", "active"],
};
const pinnedByDefault = ["submissions", "submission_changes", "mail_outbox", "staff"];

function seedListDefaults(collections) {
    if (!collections?.length) {
        return;
    }
    for (const [name, visible] of Object.entries(defaultColumns)) {
        const c = collections.find((c) => c.name === name);
        const key = app.consts.COLUMNS_STORAGE_PREFIX + c?.id;
        if (!c || window.localStorage.getItem(key) !== null) {
            continue;
        }
        const prefs = {};
        for (const f of c.fields || []) {
            prefs[f.id] = visible.includes(f.name) || f.name === "id";
        }
        app.utils.saveLocalHistory(key, prefs);
    }
    // the sidebar stores "[]" as soon as it is shown, so "nothing pinned
    // yet" is the signal; the marker makes this happen once per browser
    const pinned = window.localStorage.getItem("pbPinnedCollections");
    if ((pinned === null || pinned === "[]") && window.localStorage.getItem("rgPinnedSeeded") === null) {
        const ids = pinnedByDefault.map((n) => collections.find((c) => c.name === n)?.id).filter(Boolean);
        app.utils.saveLocalHistory("pbPinnedCollections", JSON.stringify(ids));
        window.localStorage.setItem("rgPinnedSeeded", "1");
    }
}

watch(() => app.store.collections?.length, () => seedListDefaults(app.store.collections));
