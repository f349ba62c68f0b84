// 涉企行政检查 · 监督工作台: a small console over the same API the phones use, with the same tokens.
"use strict";

const API = window.SHEQI_API_BASE || "";          // same origin locally; set in config for object storage hosting
const PALETTE = ["#c0392b", "#2471a3", "#229954", "#d68910", "#7d3c98", "#17a589", "#5d6d7e", "#a04000"];
const state = { token: null, claims: null, view: "watch" };
const $ = (id) => document.getElementById(id);

function claimsOf(token) {
  const part = token.split(".")[1] || "";
  const json = decodeURIComponent(escape(atob(part.replace(/-/g, "+").replace(/_/g, "/"))));
  return JSON.parse(json);
}

async function api(path, options = {}) {
  const response = await fetch(API + path, {
    ...options,
    headers: { "Authorization": `Bearer ${state.token}`, "Content-Type": "application/json", ...(options.headers || {}) },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error((body.error && body.error.message) || body.message || `请求失败（${response.status}）`);
    error.status = response.status;
    throw error;
  }
  return body;
}

// The one table of codes to Chinese labels (sheqi/rules/labels.py, served as /phone/labels.js).
function label(group, code) {
  const labels = window.SHEQI_LABELS || {};
  return (labels[group] && labels[group][code]) || code;
}

function localTime(iso) {
  return iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "";
}

function enterprise(row) {
  return `<span title="统一社会信用代码 ${escapeHtml(row.enterprise_id)}">${escapeHtml(row.enterprise_name || row.enterprise_id)}</span>`;
}

function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function table(columns, rows) {
  if (!rows.length) return '<p class="empty">暂无</p>';
  const head = columns.map(([, label]) => `<th>${label}</th>`).join("");
  const body = rows.map((row) => `<tr>${columns.map(([key]) => `<td>${typeof key === "function" ? key(row) : escapeHtml(row[key])}</td>`).join("")}</tr>`).join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function scopeQuery() {
  const params = new URLSearchParams();
  if ($("region").value) params.set("region_code", $("region").value);
  params.set("year", $("year").value);
  return params.toString();
}

const WATCH = [
  ["frequency", "检查频次明显偏高的企业（第十二条、第十八条）", [
    [enterprise, "企业"], [(r) => escapeHtml(label("credit_tier", r.credit_tier)), "信用等级"], ["region_name", "地区"], ["total", "本年检查次数"], ["threshold", "提示阈值"],
    [(r) => r.by_agency.map((a) => `${escapeHtml(a.name)} ${a.count}次`).join("；"), "各机关"], ["exceptions", "例外情形次数"]]],
  ["exceptions", "依第十二条例外情形实施的检查，及同一机关短期内再次入企检查其他事项（第十七条）", [
    ["visit_date", "日期"], [enterprise, "企业"], ["reason_label", "情形"], ["reference", "依据/编号"],
    [(r) => (r.over_cap ? '<span class="bad">超出频次</span>' : "未超"), "频次"]]],
  ["refusals", "扫码被拒绝的检查，及企业反映的未扫码检查（第二十四条）", [
    [(r) => (r.kind === "refused_scan" ? "扫码被拒" : '<span class="bad">未扫码检查</span>'), "类型"],
    [(r) => escapeHtml(r.agency_name), "机关"], [(r) => escapeHtml(r.reason ? label("reason", r.reason) : r.description), "原因/情况"],
    [(r) => escapeHtml(r.count ?? r.occurred_on), "次数/日期"]]],
  ["ratings", "低分评价与第二十七条禁止行为", [
    [(r) => localTime(r.rated_at), "评价时间"], [enterprise, "企业"], [(r) => r.scores.join(" / "), "规范/程序/效率"],
    [(r) => `<span class="bad">${escapeHtml(r.prohibited_practices.join("；"))}</span>`, "反映的禁止行为"], ["comment", "意见"]]],
  ["complaints", "未办结的投诉", [[(r) => localTime(r.created_at), "收到时间"], [enterprise, "企业"], ["subject", "类型"], ["status", "状态"],
    [(r) => `<span class="${r.age_days >= 15 ? "bad" : ""}">${r.age_days} 天</span>`, "已历时"]]],
];

async function showWatch() {
  const parts = await Promise.all(WATCH.map(([name]) => api(`/supervision/watch/${name}?${scopeQuery()}`).catch((e) => e)));
  $("watch-lists").innerHTML = WATCH.map(([name, title, columns], i) => {
    const result = parts[i];
    const content = result instanceof Error ? `<p class="empty">${escapeHtml(result.message)}</p>` : table(columns, result.items);
    return `<h2 id="list-${name}">${title}</h2>${content}`;
  }).join("");
}

function drawBars(canvas, series, labels) {
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  const pad = { left: 40, right: 10, top: 14, bottom: 28 };
  ctx.clearRect(0, 0, width, height);
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const plotW = width - pad.left - pad.right, plotH = height - pad.top - pad.bottom;
  ctx.strokeStyle = "#999"; ctx.fillStyle = "#444"; ctx.font = "12px sans-serif";
  ctx.beginPath(); ctx.moveTo(pad.left, pad.top); ctx.lineTo(pad.left, pad.top + plotH); ctx.lineTo(pad.left + plotW, pad.top + plotH); ctx.stroke();
  for (let t = 0; t <= max; t += Math.max(1, Math.ceil(max / 5))) {
    const y = pad.top + plotH - (t / max) * plotH;
    ctx.fillText(String(t), 8, y + 4);
  }
  const group = plotW / labels.length, bar = Math.max(2, (group - 8) / Math.max(1, series.length));
  labels.forEach((label, i) => {
    ctx.fillStyle = "#444";
    ctx.fillText(label, pad.left + i * group + group / 2 - 10, height - 8);
    series.forEach((s, j) => {
      const h = (s.values[i] / max) * plotH;
      ctx.fillStyle = s.color;
      ctx.fillRect(pad.left + i * group + 4 + j * bar, pad.top + plotH - h, bar - 1, h);
    });
  });
}

async function showCharts() {
  const stats = await api(`/supervision/stats?${scopeQuery()}`);
  const months = Array.from({ length: 12 }, (_, i) => `${i + 1}月`);
  const series = stats.inspections_by_month.map((a, i) => ({ name: a.name || a.agency_id, values: a.months, color: PALETTE[i % PALETTE.length] }));
  drawBars($("chart-inspections"), series, months);
  $("legend-inspections").innerHTML = series.length
    ? series.map((s) => `<span><i style="background:${s.color}"></i>${escapeHtml(s.name)}</span>`).join("")
    : '<p class="empty">本年度暂无检查</p>';
  const ratings = stats.ratings_by_month;
  drawBars($("chart-ratings"), [
    { name: "评价数", values: ratings.map((r) => r.count), color: "#2471a3" },
    { name: "平均分", values: ratings.map((r) => r.average || 0), color: "#d68910" }], months);
  const flags = Object.entries(stats.prohibited_practices);
  $("flags").innerHTML = `<div class="legend"><span><i style="background:#2471a3"></i>评价数</span><span><i style="background:#d68910"></i>平均分（1–5）</span></div>`
    + (flags.length ? `<h3>企业反映的禁止行为</h3>` + table([[0, "行为"], [1, "次数"]], flags) : "");
}

async function showPlans() {
  const board = await api(`/supervision/watch/plans?${scopeQuery()}`);
  $("plan-board").innerHTML = table([
    ["name", "机关"], ["status_label", "状态"], ["versions", "版本数"],
    [(r) => (r.filed_late ? '<span class="bad">逾期报送</span>' : ""), "报送"],
    [(r) => (r.overdue ? '<span class="bad">已逾期未公布</span>' : '<span class="ok">正常</span>'), "期限"],
    ["returned_reason", "退回理由"]], board.items);
}

const QUESTIONS = [["showed_certificates", "出示执法证件"], ["scanned_in", "扫码入企登记"], ["told_result", "告知检查结果"]];

function answerForm(sampleId, entry) {
  if (entry.answered_at) {
    return entry.case_id ? `<span class="bad">已回访，已立案 ${escapeHtml(entry.case_id.slice(0, 8))}</span>` : '<span class="ok">已回访，未发现问题</span>';
  }
  const questions = QUESTIONS.map(([key, label]) =>
    `<label>${label} <select name="${key}"><option value="">未问</option><option value="true">是</option><option value="false">否</option></select></label>`).join("");
  return `<form class="answer" data-sample="${sampleId}" data-visit="${entry.visit_id}">
    <label><input type="checkbox" name="reached" checked> 已联系上</label>${questions}
    <label>满意度 <input name="satisfaction" type="number" min="1" max="5" value="5"></label>
    <input name="notes" placeholder="记录"><button>保存</button></form>`;
}

async function showSample(sampleId) {
  const sample = await api(`/return-visits/${sampleId}`);
  $("sample-info").textContent = `抽样编号 ${sample.sample_id}：${sample.entries.length} 家企业（按机关分层，种子“${sample.params.seed}”，同样的条件与种子可复现同样的抽样）`;
  $("sample-entries").innerHTML = table([[enterprise, "企业"], ["agency_id", "检查机关"], ["visit_id", "检查编号"],
    [(e) => answerForm(sample.sample_id, e), "回访记录"]], sample.entries);
  document.querySelectorAll("form.answer").forEach((form) => form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { reached: data.get("reached") === "on", notes: data.get("notes") || "" };
    QUESTIONS.forEach(([key]) => { if (data.get(key)) body[key] = data.get(key) === "true"; });
    if (data.get("satisfaction")) body.satisfaction = Number(data.get("satisfaction"));
    await run(() => api(`/return-visits/${form.dataset.sample}/visits/${form.dataset.visit}`, { method: "POST", body: JSON.stringify(body) }));
    await run(() => showSample(form.dataset.sample));
    await run(showCases);
  }));
}

async function showCases() {
  const region = $("region").value || state.claims.region_code;
  const cases = await api(`/supervision/cases?region_code=${region}`);
  $("cases").innerHTML = table([[(c) => localTime(c.created_at), "立案时间"], ["agency_id", "机关"], [(c) => escapeHtml(c.findings.join("；")), "发现的问题"],
    [(c) => escapeHtml(label("case_status", c.status)), "状态"]], cases.items);
}

async function showReturns() {
  await showCases();
}

// Art. 31: the bureau reads its region's measures; an agency's admin reads its own only.
async function showAccountability() {
  const region = $("region").value || state.claims.region_code;
  const measures = state.claims.role === "agency_admin"
    ? await api(`/agencies/${encodeURIComponent(state.claims.agency_id)}/accountability`)
    : await api(`/accountability?region_code=${region}`);
  const due = (m) => escapeHtml(m.kind === "summons" ? `约谈日期 ${m.held_on}` : m.kind === "report" ? `通报范围：${m.scope}` : `${m.correct_by} 前改正`);
  $("measures").innerHTML = table([[(m) => localTime(m.created_at), "记录时间"], [(m) => escapeHtml(label("accountability", m.kind)), "方式"],
    [(m) => escapeHtml(m.person_name), "对象"], ["issuer_name", "作出机关"], [(m) => escapeHtml(m.findings.join("；")), "违反规定的问题"],
    ["requirements", "要求"], [due, "日期/范围"], [correction, "改正情况"]], measures.items);
  document.querySelectorAll("form.correction").forEach((form) => form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { report: data.get("report"), corrected_on: data.get("corrected_on") };
    await run(() => api(`/agencies/${encodeURIComponent(state.claims.agency_id)}/accountability/${form.dataset.measure}/correction-report`,
      { method: "POST", headers: { "Idempotency-Key": form.dataset.key }, body: JSON.stringify(body) }));
    await run(showAccountability);
  }));
}

// An Idempotency-Key for a form's POST, kept with the form so a resubmission is a retry (getRandomValues also works over a LAN's http).
const newKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

// An order to correct: reported (when, and whether late), or, for the agency's own admin, the report form.
function correction(m) {
  if (m.kind !== "order") return "—";
  if (m.reported_at) {
    return `<span class="${m.reported_late ? "bad" : "ok"}">${escapeHtml(m.corrected_on)} 已改正${m.reported_late ? "（逾期报告）" : ""}</span>：${escapeHtml(m.correction_report)}`;
  }
  if (state.claims.role !== "agency_admin") return '<span class="bad">未报告</span>';
  return `<form class="correction" data-measure="${escapeHtml(m.measure_id)}" data-key="${newKey()}">
    <input name="report" required minlength="4" placeholder="改正情况"><input name="corrected_on" type="date" required>
    <button>报告改正情况</button></form>`;
}

const VIEWS = { watch: showWatch, charts: showCharts, plans: showPlans, returns: showReturns, accountability: showAccountability };

async function run(action) {
  $("error").textContent = "";
  try {
    await action();
  } catch (error) {
    $("error").textContent = error.message;
  }
}

async function show(view) {
  state.view = view;
  document.querySelectorAll("nav button[data-view]").forEach((b) => b.classList.toggle("active", b.dataset.view === view));
  document.querySelectorAll(".view").forEach((v) => { v.hidden = v.id !== `view-${view}`; });
  delete document.body.dataset.ready;
  await run(VIEWS[view]);
  document.body.dataset.ready = view;       // for the browser tests: this view has rendered
}

function login(token) {
  try {
    state.claims = claimsOf(token);
  } catch (error) {
    $("login-error").textContent = "令牌格式不正确";
    return;
  }
  state.token = token;
  sessionStorage.setItem("sheqi-token", token);
  const roles = { judicial: "司法行政机关", agency_admin: "执法机关管理员", platform_admin: "平台管理员" };
  $("who").textContent = `${roles[state.claims.role] || state.claims.role} · ${state.claims.region_code || ""}`;
  $("region").value = state.claims.region_code || "";
  const today = new Date();
  $("year").value = today.getFullYear();
  $("login").hidden = true;
  $("app").hidden = false;
  const wanted = new URLSearchParams(location.hash.slice(1)).get("view");
  show(VIEWS[wanted] ? wanted : "watch");
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-button").addEventListener("click", () => login($("token").value.trim()));
  $("logout").addEventListener("click", () => { sessionStorage.removeItem("sheqi-token"); location.hash = ""; location.reload(); });
  $("refresh").addEventListener("click", () => show(state.view));
  document.querySelectorAll("nav button[data-view]").forEach((b) => b.addEventListener("click", () => show(b.dataset.view)));
  $("sample-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const body = { region_code: $("region").value || state.claims.region_code, period_from: data.get("period_from"),
                   period_to: data.get("period_to"), per_agency: Number(data.get("per_agency")), seed: data.get("seed") };
    run(async () => {
      const sample = await api("/return-visits", { method: "POST", body: JSON.stringify(body) });
      await showSample(sample.sample_id);
      document.body.dataset.ready = "sample";
    });
  });
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  const token = fromHash || sessionStorage.getItem("sheqi-token");
  if (token) login(token);
});
