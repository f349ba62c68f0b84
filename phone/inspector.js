// The inspector's phone: tasks, scan-in with the camera (Art. 24), the decision with its reasons,
// waiting for the second inspector (Art. 19), findings with photos, close. Scans taken offline wait
// in localStorage with their device time and location and go out, with the late reason, when online.
"use strict";

const QUEUE = "sheqi-scan-queue";
const state = {
  task: localStorage.getItem("sheqi-current-task"),
  visit: localStorage.getItem("sheqi-current-visit"),
  last: JSON.parse(localStorage.getItem("sheqi-last-scan") || "null"),   // {token, task_id}: for "再次核验"
  stream: null,
};

const requestId = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
const queued = () => JSON.parse(localStorage.getItem(QUEUE) || "[]");

// ---- tasks -----------------------------------------------------------------------------------------

function knownTasks() {
  return JSON.parse(localStorage.getItem("sheqi-known-tasks") || "[]");
}

async function myTasks() {
  // GET /tasks?mine=true lists an inspector's tasks; from an API without it, the tasks this phone was told
  // of (the demo sign-in, or a number added by hand).
  try {
    return (await api("/tasks?mine=true")).items;
  } catch (error) {
    if (error.status !== 404 && error.status !== 422) throw error;
  }
  const found = await Promise.all(knownTasks().map((id) => api(`/tasks/${id}`).catch(() => null)));
  return found.filter(Boolean);
}

// A task as GET /tasks?mine=true lists it (items, enterprises), or as GET /tasks/{id} gives it (participants, targets).
function itemNames(task) {
  return (task.items || task.participants.flatMap((p) => p.items)).map((i) => i.name).join("、");
}

function taskLine(task) {
  const items = itemNames(task);
  const now = new Date();
  const current = new Date(task.window_start) <= now && now <= new Date(task.window_end);
  return `<b>${esc(items)}</b> <span class="tag ${current ? "ok" : ""}">${current ? "今日可检查" : "待开始"}</span><br>
    <small>${localTime(task.window_start)} 至 ${localTime(task.window_end)} · 检查对象 ${(task.enterprises || task.targets).length} 家</small>`;
}

async function showTasks() {
  const tasks = await myTasks();
  tasks.sort((a, b) => a.window_start.localeCompare(b.window_start));
  $("#task-list").innerHTML = tasks.length ? "" : "<li>暂无任务：请输入本机关告知的任务编号</li>";
  for (const task of tasks) {
    const li = document.createElement("li");
    li.innerHTML = `${taskLine(task)}<button class="wide ${task.task_id === state.task ? "" : "secondary"}">选择此任务扫码</button>`;
    li.dataset.task = task.task_id;
    li.querySelector("button").addEventListener("click", () => chooseTask(task));
    $("#task-list").appendChild(li);
    if (task.task_id === state.task) chooseTask(task);
  }
}

function chooseTask(task) {
  state.task = task.task_id;
  localStorage.setItem("sheqi-current-task", task.task_id);
  $("#task-name").textContent = itemNames(task);
  $("#scan").hidden = false;
  document.querySelectorAll("#task-list button").forEach((b) => b.classList.toggle("secondary", b.parentElement.dataset.task !== task.task_id));
}

// ---- scanning --------------------------------------------------------------------------------------

function locate() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve({});
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ location: { latitude: +p.coords.latitude.toFixed(7), longitude: +p.coords.longitude.toFixed(7), accuracy_m: Math.round(p.coords.accuracy) } }),
      () => resolve({}), { timeout: 3000, maximumAge: 60000 });
  });
}

async function startCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new Error("此页面无法使用摄像头（需 https 访问）：请用“拍照识别入企码”");
  }
  state.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  const video = $("#camera");
  video.srcObject = state.stream;
  video.hidden = false;
  await video.play();
  const detector = "BarcodeDetector" in window ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
  document.body.dataset.camera = detector ? "barcode-detector" : "jsqr";
  while (state.stream) {
    const text = detector ? await detectNative(detector, video) : decodeFrame(video, video.videoWidth, video.videoHeight);
    if (text) {
      stopCamera();
      return scanIn(text);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function detectNative(detector, video) {
  const codes = await detector.detect(video).catch(() => []);
  return codes.length ? codes[0].rawValue : null;
}

function decodeFrame(source, width, height) {
  if (!width || !height) return null;
  const canvas = $("#frame");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(source, 0, 0, width, height);
  const found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height, { inversionAttempts: "dontInvert" });
  return found ? found.data : null;
}

function stopCamera() {
  if (state.stream) state.stream.getTracks().forEach((t) => t.stop());
  state.stream = null;
  $("#camera").hidden = true;
}

async function scanPhoto(file) {
  const image = await createImageBitmap(file);
  const scale = Math.min(1, 1600 / Math.max(image.width, image.height));
  const text = decodeFrame(image, Math.round(image.width * scale), Math.round(image.height * scale));
  if (!text) throw new Error("照片中未识别到二维码，请靠近入企码重拍");
  return scanIn(text);
}

async function scanIn(token) {
  if (!state.task) throw new Error("请先选择检查任务");
  const scan = { token, task_id: state.task, client_request_id: requestId(), device_time: deviceTime(), ...(await locate()) };
  state.last = { token, task_id: state.task };
  localStorage.setItem("sheqi-last-scan", JSON.stringify(state.last));
  return send(scan);
}

async function send(scan, late = false) {
  if (!navigator.onLine) return enqueue(scan);
  let answer;
  try {
    answer = await api("/scans", { method: "POST", body: JSON.stringify(late ? { ...scan, late_reason: lateReason() } : scan) });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    return enqueue(scan);    // no answer at all: the network dropped
  }
  showResult(answer, late);
  return answer;
}

function lateReason() {
  return $("#late-form select").value || "no_network";
}

function enqueue(scan) {
  localStorage.setItem(QUEUE, JSON.stringify([...queued().filter((s) => s.client_request_id !== scan.client_request_id), scan]));
  showOffline();
  $("#result").hidden = false;
  $("#recheck").hidden = true;
  $("#result-body").innerHTML = `<p class="outcome warn" data-outcome="queued">已离线保存</p>
    <p>扫码时间 ${localTime(scan.device_time)}${scan.location ? "，已记录定位" : ""}。恢复网络后自动补传。</p>`;
  ready("queued");
}

async function flushQueue() {
  for (const scan of queued()) {
    if (!navigator.onLine) break;
    const answer = await send(scan, true);
    if (!answer) break;     // queued again: still offline
    localStorage.setItem(QUEUE, JSON.stringify(queued().filter((s) => s.client_request_id !== scan.client_request_id)));
  }
  showOffline();
}

function showOffline() {
  $("#offline").hidden = navigator.onLine && !queued().length;
  $("#queued").textContent = queued().length;
}

function showResult(answer, late) {
  const tone = { refused: "bad", pending: "warn" }[answer.outcome] || "ok";
  $("#result").hidden = false;
  $("#result-body").innerHTML = `<p class="outcome ${tone}" data-outcome="${esc(answer.outcome)}">${esc(label("scan_outcome", answer.outcome))}</p>
    ${late ? "<p><span class=\"tag warn\">离线补传</span></p>" : ""}
    <p>${esc(answer.enterprise ? answer.enterprise.name : "")}</p><p>${esc(answer.message)}</p>
    ${answer.reasons.length ? `<h2>不予登记的原因</h2><ul>${reasonsHtml(answer.reasons)}</ul>` : ""}
    ${answer.flags.length ? `<h2>提示</h2><ul>${reasonsHtml(answer.flags)}</ul>` : ""}
    <h2>已核验的执法人员</h2><ul>${inspectorsHtml(answer.inspectors)}</ul>`;
  $("#recheck").hidden = answer.outcome !== "pending";
  if (answer.visit_id) openVisit(answer.visit_id);
  ready(`scan-${answer.outcome}`);
}

// ---- the visit -------------------------------------------------------------------------------------

async function openVisit(visitId) {
  state.visit = visitId;
  localStorage.setItem("sheqi-current-visit", visitId);
  const visit = await api(`/visits/${visitId}`);
  if (visit.status === "closed") return showClosed(visit.head, visit);
  $("#visit").hidden = false;
  $("#visit-enterprise").textContent = visit.enterprise.name;
  $("#visit-inspectors").innerHTML = inspectorsHtml(visit.inspectors);
  $("#items").innerHTML = visit.items.map((item, n) => item.finding
    ? `<div class="card" data-item="${esc(item.item_id)}"><b>${esc(item.name)}</b> <span class="tag ok">${esc(label("finding", item.finding.result))}</span>
       ${item.finding.evidence.length ? `<small>证据 ${item.finding.evidence.length} 份</small>` : ""}<br><small>${esc(item.legal_basis)}</small></div>`
    : `<form class="card finding" data-n="${n}" data-draft="finding:${visitId}:${esc(item.agency_id)}:${esc(item.item_id)}">
       <b>${esc(item.name)}</b><br><small>依据：${esc(item.legal_basis)}</small>
       <label>检查结果</label><select name="result">${Object.entries(LABELS.finding || {}).map(([code, text]) => `<option value="${code}">${esc(text)}</option>`).join("")}</select>
       <label>情况记录</label><textarea name="notes" rows="2"></textarea>
       <label><input type="checkbox" name="trade_secret" value="yes"> 含商业秘密</label>
       <label>现场照片</label><input name="photos" type="file" accept="image/*" capture="environment" multiple>
       <button class="wide">保存此项</button></form>`).join("");
  document.querySelectorAll("form.finding").forEach((form) => form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(() => saveFinding(visitId, visit.items[form.dataset.n], form));
  }));
  keepDrafts($("#items"));
  ready("visit");
}

async function upload(visitId, file) {
  const bytes = await file.arrayBuffer();
  const sha256 = await sha256Hex(bytes);
  const grant = await api(`/visits/${visitId}/evidence-uploads`, { method: "POST",
    body: JSON.stringify({ kind: "photo", content_type: file.type || "image/jpeg", size: bytes.byteLength, sha256 }) });
  const headers = Object.fromEntries(Object.entries(grant.headers).filter(([name]) => name.toLowerCase() !== "content-length"));
  const put = await fetch(grant.upload_url, { method: "PUT", headers, body: bytes });
  if (!put.ok) throw new Error(`照片上传失败（${put.status}）`);
  return { key: grant.key, kind: "photo", size: bytes.byteLength, sha256 };
}

async function saveFinding(visitId, item, form) {
  const button = form.querySelector("button");
  button.disabled = true;
  button.textContent = "正在上传…";
  try {
    const evidence = [];
    for (const file of form.elements.photos.files) evidence.push(await upload(visitId, file));
    await api(`/visits/${visitId}/findings`, { method: "POST", body: JSON.stringify({
      agency_id: item.agency_id, item_id: item.item_id, result: form.elements.result.value, notes: form.elements.notes.value,
      trade_secret: form.elements.trade_secret.checked, evidence }) });
    dropDraft(form.dataset.draft);
  } finally {
    button.disabled = false;
    button.textContent = "保存此项";
  }
  await openVisit(visitId);
}

async function closeVisit(form) {
  const body = { ended_at: deviceTime(), outcome: form.elements.outcome.value, summary: form.elements.summary.value };
  if (form.elements.correction_deadline.value) body.correction_deadline = form.elements.correction_deadline.value;
  const closed = await api(`/visits/${state.visit}/close`, { method: "POST", body: JSON.stringify(body) });
  dropDraft("close");
  showClosed(closed.head);
}

function showClosed(head) {
  $("#visit").hidden = false;
  $("#close-form").hidden = true;
  $("#items").innerHTML = "";
  $("#closed").innerHTML = `<p class="outcome ok" data-outcome="closed">检查已结束，结果已告知企业</p>
    <p>记录链头哈希（企业留存以核验记录未被改动）：</p><p class="hash">${esc(head.hash)}</p>`;
  localStorage.removeItem("sheqi-current-visit");
  state.visit = null;
  ready("closed");
}

// ---- start -----------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  const who = requireRole("inspector");
  if (!who) return;
  $("#who").textContent = who.sub;
  $("#sign-out").addEventListener("click", signOut);
  $("#outcome").innerHTML = Object.entries(LABELS.outcome || {}).map(([code, text]) => `<option value="${code}">${esc(text)}</option>`).join("");
  $("#late-form select").innerHTML = Object.entries(LABELS.late_reason || {}).map(([code, text]) => `<option value="${code}">${esc(text)}</option>`).join("");
  keepDrafts();
  $("#task-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = event.target.elements.task_id.value.trim();
    localStorage.setItem("sheqi-known-tasks", JSON.stringify([...new Set([...knownTasks(), id])]));
    dropDraft("task-id");
    run(showTasks);
  });
  $("#start-camera").addEventListener("click", () => run(startCamera));
  $("#photo-code").addEventListener("change", (event) => event.target.files[0] && run(() => scanPhoto(event.target.files[0])));
  $("#recheck").addEventListener("click", () => run(() => { state.task = state.last.task_id; return scanIn(state.last.token); }));
  $("#close-form").addEventListener("submit", (event) => { event.preventDefault(); run(() => closeVisit(event.target)); });
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("code");
  if (fromLink) {
    $("#code-from-link").hidden = false;
    $("#scan-link").addEventListener("click", () => run(() => scanIn(fromLink)));
  }
  window.addEventListener("online", () => run(flushQueue));
  window.addEventListener("offline", showOffline);
  showOffline();
  run(async () => {
    await showTasks();
    if (state.visit) await openVisit(state.visit);
    if (navigator.onLine && queued().length) await flushQueue();
    if (!document.body.dataset.ready) ready("tasks");
  });
});
