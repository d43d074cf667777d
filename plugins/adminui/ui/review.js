// The Registry page for office staff who are not superusers (/review/):
// they log in against the "staff" collection with the PocketBase SDK
// (password, then an emailed one-time code when MFA is on) and get the
// same page as the dashboard, limited by their role on the server.

import PocketBase, { BaseAuthStore } from "/vendor/pocketbase/pocketbase.es.js";
import { mountRegistry } from "./registry.js";

const STORAGE_KEY = "registry_staff_auth";

// the token lives as long as the tab (sessionStorage), not in localStorage
const authStore = new BaseAuthStore();
try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "null");
    if (saved?.token) {
        authStore.save(saved.token, saved.record);
    }
} catch (_) {
    sessionStorage.removeItem(STORAGE_KEY);
}
authStore.onChange((token, record) => {
    if (token) {
        sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ token, record }));
    } else {
        sessionStorage.removeItem(STORAGE_KEY);
    }
});
const pb = new PocketBase("/", authStore);
const staff = pb.collection("staff");

const form = document.getElementById("rg-login");
const passwordStep = document.getElementById("rg-login-password");
const otpStep = document.getElementById("rg-login-otp");
const errorBox = form.querySelector(".rg-login-error");
const appRoot = document.getElementById("rg-app");
const userBox = document.getElementById("rg-user");
const logout = document.getElementById("rg-logout");

let mfaId = "";
let otpId = "";
let mounted = null;

function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
}

function showLogin() {
    mounted?.destroy();
    mounted = null;
    mfaId = "";
    otpId = "";
    passwordStep.hidden = false;
    otpStep.hidden = true;
    form.reset();
    form.hidden = false;
    userBox.hidden = true;
    logout.hidden = true;
}

function showApp() {
    form.hidden = true;
    userBox.textContent = pb.authStore.record?.email || "";
    userBox.hidden = false;
    logout.hidden = false;
    const id = new URLSearchParams(window.location.hash.slice(1)).get("id") || "";
    mounted = mountRegistry(appRoot, {
        token: () => pb.authStore.token,
        initialId: id,
        onUnauthorized: () => pb.authStore.clear(),
        onRoute: ({ id }) => history.replaceState(null, "", id ? "#id=" + encodeURIComponent(id) : window.location.pathname),
    });
}

form.addEventListener("submit", async (e) => {
    e.preventDefault();
    showError("");
    const data = new FormData(form);
    const email = String(data.get("email") || "").trim();
    try {
        if (otpId) {
            await staff.authWithOTP(otpId, String(data.get("otp") || "").trim(), { mfaId });
        } else {
            await staff.authWithPassword(email, String(data.get("password") || ""));
        }
    } catch (err) {
        if (err?.status === 401 && err.response?.mfaId) {
            // right password; the second factor is an emailed code
            mfaId = err.response.mfaId;
            try {
                otpId = (await staff.requestOTP(email)).otpId;
                passwordStep.hidden = true;
                otpStep.hidden = false;
                form.querySelector('input[name="otp"]').focus();
            } catch (otpErr) {
                showError(otpErr?.response?.message || "The one-time code could not be sent.");
            }
            return;
        }
        showError(err?.status === 429 ? (err.response?.message || "Too many attempts; try again later.") : "Wrong email, password or code.");
        return;
    }
    showApp();
});

logout.addEventListener("click", () => pb.authStore.clear());

pb.authStore.onChange((token) => {
    if (!token) {
        showLogin();
    }
});

if (pb.authStore.isValid && pb.authStore.record?.collectionName === "staff") {
    showApp();
    // a deactivated member or a changed password ends the session here
    staff.authRefresh().catch((err) => {
        if (err?.status === 401 || err?.status === 403) {
            pb.authStore.clear();
        }
    });
} else {
    pb.authStore.clear();
    showLogin();
}
