// 涉企行政检查 · 手机端: what the enterprise's and the inspector's pages share. Only the public API is called.
"use strict";

const CONFIG = window.SHEQI_CONFIG || {};
const API = CONFIG.api_base || "";
const LABELS = window.SHEQI_LABELS || {};
const TOKEN_KEY = "sheqi-phone-token";
const $ = (selector) => document.querySelector(selector);

function label(group, code) {
  return (LABELS[group] && LABELS[group][code]) || code;
}

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function localTime(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString("zh-CN", { hour12: false, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
}

// The phone's own time with its offset, as the API takes instants (device_time).
function deviceTime(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `${offset >= 0 ? "+" : "-"}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

function claims() {
  const token = localStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch (error) {
    return null;
  }
}

// Signed in as `role`, or sent to the sign-in page, which brings the person back here.
function requireRole(role) {
  const who = claims();
  if (!who || who.role !== role || (who.exp && who.exp * 1000 < Date.now())) {
    location.replace(`index.html?role=${role}&next=${encodeURIComponent(location.pathname.split("/").pop() + location.hash)}`);
    return null;
  }
  return who;
}

function signOut() {
  localStorage.removeItem(TOKEN_KEY);
  location.href = "index.html";
}

class ApiError extends Error {}

async function api(path, options = {}) {
  const headers = { "Authorization": `Bearer ${localStorage.getItem(TOKEN_KEY)}`, ...(options.body ? { "Content-Type": "application/json" } : {}) };
  const response = await fetch(API + path, { ...options, headers: { ...headers, ...(options.headers || {}) } });
  if (response.status === 401) {
    signOut();
    throw new ApiError("登录已失效，请重新登录");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new ApiError(body.error ? body.error.message + (body.error.article ? `（${body.error.article}）` : "") : `请求失败（${response.status}）`);
    error.status = response.status;
    error.code = body.error && body.error.code;
    throw error;
  }
  response.status === 202 && (body.accepted = true);
  return body;
}

async function run(action, where = "#error") {
  const box = $(where);
  if (box) box.textContent = "";
  try {
    return await action();
  } catch (error) {
    if (box) box.textContent = error.message;
    return undefined;
  }
}

// Nothing typed is lost on reload: every field of a form[data-draft] is kept in localStorage until sent.
function keepDrafts(root = document) {
  root.querySelectorAll("form[data-draft]").forEach((form) => {
    const key = `sheqi-draft:${form.dataset.draft}`;
    const saved = JSON.parse(localStorage.getItem(key) || "{}");
    for (const element of form.elements) {
      if (!element.name || !(element.name in saved) || element.type === "file") continue;
      if (element.type === "checkbox") element.checked = saved[element.name].includes(element.value);
      else element.value = saved[element.name];
    }
    form.addEventListener("input", () => {
      const values = {};
      for (const element of form.elements) {
        if (!element.name || element.type === "file") continue;
        if (element.type === "checkbox") (values[element.name] = values[element.name] || []).push(...(element.checked ? [element.value] : []));
        else values[element.name] = element.value;
      }
      localStorage.setItem(key, JSON.stringify(values));
    });
  });
}

function dropDraft(name) {
  localStorage.removeItem(`sheqi-draft:${name}`);
}

async function sha256Hex(buffer) {
  if (window.crypto && crypto.subtle) {
    const digest = await crypto.subtle.digest("SHA-256", buffer);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  return window.sha256(buffer);   // vendored js-sha256: crypto.subtle exists only on https (a phone on the LAN uses http)
}

function reasonsHtml(items) {
  return (items || []).map((r) => `<li><b>${esc(label("reason", r.code))}</b>：${esc(r.message)}<br><small>${esc(r.article)}</small></li>`).join("");
}

function inspectorsHtml(inspectors) {
  return (inspectors || []).map((i) => `<li>${esc(i.name)} · ${esc(i.certificate_label || "无执法证件")} ${esc(i.certificate_no || "")}`
    + (i.valid_until ? `<br><small>有效期 ${esc(i.valid_from)} 至 ${esc(i.valid_until)}（扫码时已核验）</small>` : "") + "</li>").join("");
}

function ready(name) {
  document.body.dataset.ready = name;   // for the browser tests: this view has rendered
}
