// The pages' connection to the registry: one PocketBase SDK client, the
// public site settings, error texts for people, and the edit session.
import PocketBase, { BaseAuthStore, getTokenPayload } from "/vendor/pocketbase/pocketbase.es.js";

// pb keeps its auth token in memory only; the edit page restores it from
// sessionStorage (see loadEditSession), so it ends with the tab.
export const pb = new PocketBase("/", new BaseAuthStore());
// Requests to the same path (the reference lists) must not cancel each other.
pb.autoCancellation(false);

// DEFAULT_SITE is used until (or when) /api/registry/site cannot be read.
const DEFAULT_SITE = {
  name: "de.NBI Service Registry",
  contact: { email: "servicecoordination@denbi.de", organisation: "German Network for Bioinformatics Infrastructure", office: "" },
  links: {
    website: "https://www.denbi.de",
    privacy_policy: "https://www.denbi.de/privacy-policy",
    imprint: "https://www.denbi.de/imprint",
    data_protection: "https://www.denbi.de/privacy-policy",
    user_guide: "",
  },
  features: { catalogue: true, biotools_prefill: true },
  submission: { draft_ttl_days: 7, no_reset_fields: [] },
  captcha: { enabled: true, challenge_url: "/captcha/" },
  uploads: { logo_max_bytes: 10 * 1024 * 1024 },
  statuses: {},
  fallback: true,
};

let sitePromise = null;

// siteInfo resolves to the public settings; it never rejects.
export function siteInfo() {
  if (!sitePromise) {
    sitePromise = pb
      .send("/api/registry/site", { method: "GET" })
      .then((info) => ({ ...DEFAULT_SITE, ...info, fallback: false }))
      .catch(() => DEFAULT_SITE);
  }
  return sitePromise;
}

// Messages for failures that are not about a single field.
export const UNREACHABLE =
  "The registry could not be reached. Check your internet connection and try again in a moment — nothing you entered is lost.";

// describeError turns an SDK error into a sentence for people.
export function describeError(err, fallback = "Something went wrong. Please try again.") {
  if (!err) return fallback;
  if (err.isAbort) return "The request was cancelled. Please try again.";
  const status = err.status ?? 0;
  if (status === 0) return UNREACHABLE;
  if (status === 429) return "Too many attempts from your network in a short time. Please wait a few minutes and try again.";
  if (status >= 500) {
    return "The registry ran into a problem on its side (error " + status + "). Please try again in a few minutes; if it keeps happening, contact the administration office.";
  }
  const message = err.response?.message || err.message;
  return message && message !== "Something went wrong." ? message : fallback;
}

// fieldErrors returns {field: message} from a 400 answer of the collection API.
export function fieldErrors(err) {
  const data = err?.response?.data;
  const out = {};
  if (!data || typeof data !== "object") return out;
  for (const [field, value] of Object.entries(data)) {
    if (value && typeof value === "object" && typeof value.message === "string") {
      out[field] = value.message;
    } else if (typeof value === "string") {
      out[field] = value;
    }
  }
  return out;
}

// ---- edit session -------------------------------------------------------

const SESSION_KEY = "registry_edit_session";

// saveEditSession keeps the token of an exchanged key for this tab only.
export function saveEditSession(auth) {
  const record = auth.record || {};
  sessionStorage.setItem(
    SESSION_KEY,
    JSON.stringify({ token: auth.token, submission: record.submission, scope: record.scope, keyId: record.id }),
  );
}

// loadEditSession returns {token, submission, scope} when a usable session
// exists (it puts the token into pb), else null.
export function loadEditSession() {
  let session = null;
  try {
    session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  } catch {
    session = null;
  }
  if (!session || !session.token || !session.submission) return null;
  const payload = getTokenPayload(session.token);
  // a minute of margin, so a save does not start with a token about to end
  if (!payload.exp || payload.exp * 1000 < Date.now() + 60 * 1000) {
    clearEditSession();
    return null;
  }
  pb.authStore.save(session.token, { id: session.keyId, collectionName: "submission_keys" });
  return { ...session, expiresAt: new Date(payload.exp * 1000) };
}

// clearEditSession forgets the token.
export function clearEditSession() {
  sessionStorage.removeItem(SESSION_KEY);
  pb.authStore.clear();
}

// ---- one-time messages between pages --------------------------------------

// handOver stores data for the next page, which takes it exactly once.
export function handOver(name, data) {
  sessionStorage.setItem("registry_handover_" + name, JSON.stringify(data));
}

// takeOver returns and removes what the previous page handed over.
export function takeOver(name) {
  const key = "registry_handover_" + name;
  const raw = sessionStorage.getItem(key);
  sessionStorage.removeItem(key);
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}
