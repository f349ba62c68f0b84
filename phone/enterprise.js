// The enterprise's phone: its inspections (accepted and refused) newest first, one visit in full with
// the chain check, rating with the Art. 27 flags, complaints, notices with acknowledgement, its poster.
"use strict";

const state = { enterprise: null, notices: [] };

function outcomeTag(row) {
  if (!row.visit) return `<span class="tag bad">${esc(label("scan_outcome", row.outcome))}</span>`;
  const visit = row.visit;
  if (visit.status !== "closed") return `<span class="tag warn">${esc(label("visit_status", visit.status))}</span>`;
  return `<span class="tag ok">${esc(visit.outcome ? visit.outcome.label || label("outcome", visit.outcome.outcome) : label("visit_status", "closed"))}</span>`;
}

async function showInspections() {
  const { items } = await api(`/enterprises/${state.enterprise}/inspections`);
  $("#inspections").innerHTML = items.length ? "" : "<li>暂无检查记录</li>";
  for (const row of items) {
    const li = document.createElement("li");
    li.innerHTML = `<b>${esc(row.agency ? row.agency.name : "")}</b> ${outcomeTag(row)}<br><small>${localTime(row.at)}</small>
      ${row.reasons.length ? `<ul>${reasonsHtml(row.reasons)}</ul>` : ""}`;
    if (row.visit) {
      li.dataset.visit = row.visit.visit_id;
      li.addEventListener("click", () => run(() => showVisit(row.visit.visit_id)));
    } else {
      li.dataset.scan = row.scan_id;
      const complain = document.createElement("button");
      complain.className = "secondary";
      complain.textContent = "对此次被拒绝的检查投诉";
      complain.addEventListener("click", () => complainAbout("refused_attempt", row.scan_id));
      li.appendChild(complain);
    }
    $("#inspections").appendChild(li);
  }
  ready("inspections");
}

async function showVisit(visitId) {
  const [visit, chain] = await Promise.all([api(`/visits/${visitId}`), api(`/visits/${visitId}/chain`)]);
  const notice = state.notices.find((n) => n.notice_id === `visit-result:${visitId}`);
  const outcome = visit.outcome_detail;
  $("#tab-inspections").hidden = true;
  $("#detail").hidden = false;
  $("#detail").dataset.visit = visitId;
  $("#detail-body").innerHTML = `
    <h2>${esc(visit.agencies.map((a) => a.name).join("、"))}</h2>
    <p><span class="tag">${esc(label("visit_status", visit.status))}</span> 入企 ${localTime(visit.entered_at)}${visit.ended_at ? `，结束 ${localTime(visit.ended_at)}` : ""}</p>
    ${visit.tasks.length ? `<h2>检查任务（第二十四条）</h2><ul id="visit-tasks">${tasksHtml(visit.tasks)}</ul>` : ""}
    <h2>执法人员（扫码时核验的证件）</h2><ul>${inspectorsHtml(visit.inspectors)}</ul>
    ${visit.assisted_by.length ? `<h2>协助检查的第三方（第二十条：只提供参考意见，不实施检查）</h2><ul id="visit-assisted">${assistedHtml(visit.assisted_by)}</ul>` : ""}
    <h2>检查事项</h2><ul>${visit.items.map((i) => `<li>${esc(i.name)}：<b>${esc(i.finding ? label("finding", i.finding.result) : "尚未记录")}</b>
      <br><small>依据：${esc(i.legal_basis)}</small>${i.finding && i.finding.notes ? `<br>${esc(i.finding.notes)}` : ""}
      ${i.finding && i.finding.evidence.length ? `<br><small>证据 ${i.finding.evidence.length} 份</small>` : ""}</li>`).join("")}</ul>
    ${outcome ? `<h2>检查结论</h2><p class="outcome" id="visit-outcome">${esc(label("outcome", outcome.outcome))}</p><p>${esc(outcome.summary)}</p>
      ${outcome.correction_deadline ? `<p>改正期限：${esc(outcome.correction_deadline)}</p>` : ""}` : ""}
    ${notice ? `<h2>结果告知书</h2><p>${esc(notice.body)}</p>` : ""}
    <h2>过程记录</h2><ul>${visit.timeline.map((e) => `<li>${localTime(e.at)} ${esc(label("event", e.kind))}</li>`).join("")}</ul>
    <h2>记录完整性核验</h2><p id="chain" class="${chain.intact ? "ok" : "bad"}">${chain.intact ? "记录完整，未被改动" : "记录校验未通过，请向司法行政机关反映"}</p>
    <p class="hash">链头哈希 ${esc(chain.head ? chain.head.hash : "")}</p>`;
  const rateable = visit.status === "closed" && !visit.rating;
  $("#rating-form").hidden = !rateable;
  $("#rated").innerHTML = visit.rating ? `<p class="ok" id="rating-done">已评价：执法规范 ${visit.rating.conduct} 分，程序合法 ${visit.rating.procedure} 分，效率 ${visit.rating.efficiency} 分</p>` : "";
  $("#rating-form").dataset.draft = `rating:${visitId}`;
  keepDrafts($("#detail"));
  $("#complain-visit").onclick = () => complainAbout("visit", visitId);
  ready("visit");
}

// The task behind the visit as Art. 24 lets the enterprise check it: what kind, why, when, and which agency
// approved it when (the trigger's reference, e.g. a complaint's number, is not shown).
function tasksHtml(tasks) {
  return tasks.map((t) => `<li>${esc(t.type_label)}（${esc(t.method_label)}）${t.trigger ? `，起因：${esc(t.trigger.label)}` : ""}`
    + `${t.exception ? `，例外情形：${esc(t.exception.label)}` : ""}`
    + `<br><small>检查时间 ${localTime(t.window_start)} 至 ${localTime(t.window_end)}</small>`
    + `<br><small>批准：${t.approvals.map((a) => `${esc(a.agency_name || a.agency_id)}${a.approved_at ? ` ${localTime(a.approved_at)}` : "（未批准）"}`).join("；")}</small></li>`).join("");
}

function assistedHtml(helpers) {
  return helpers.map((a) => `<li>${esc(a.kind_label)}：${esc(a.name)}${a.organisation ? `（${esc(a.organisation)}）` : ""}`
    + `<br><small>邀请原因：${esc(a.reason)}</small><br><small>参考意见：${esc(a.advice)}</small></li>`).join("");
}

async function rate(form) {
  const visitId = $("#detail").dataset.visit;
  const body = { conduct: +form.elements.conduct.value, procedure: +form.elements.procedure.value, efficiency: +form.elements.efficiency.value,
                 comment: form.elements.comment.value,
                 prohibited_practices: [...form.querySelectorAll("input[name=practice]:checked")].map((i) => i.value) };
  try {
    await api(`/visits/${visitId}/rating`, { method: "POST", body: JSON.stringify(body) });
  } catch (error) {
    $("#rated").innerHTML = `<p class="bad">${esc(error.message)}</p>`;
    return;
  }
  dropDraft(`rating:${visitId}`);
  await showVisit(visitId);
}

function practices(name) {
  return Object.entries(LABELS.practice || {}).map(([code, text]) =>
    `<label><input type="checkbox" name="${name}" value="${code}"> ${esc(text)}</label>`).join("");
}

function complainAbout(subject, reference) {
  tab("complaint");
  const form = $("#complaint-form");
  form.elements.subject.value = subject;
  form.elements.reference.value = reference;
}

async function complain(form) {
  const subject = form.elements.subject.value;
  const body = { subject, description: form.elements.description.value,
                 prohibited_practices: [...form.querySelectorAll("input[name=complaint_practice]:checked")].map((i) => i.value) };
  if (subject === "visit") body.visit_id = form.elements.reference.value;
  if (subject === "refused_attempt") body.scan_id = form.elements.reference.value;
  if (subject === "unregistered_inspection") Object.assign(body, { agency_name: form.elements.agency_name.value, occurred_on: form.elements.occurred_on.value });
  await api("/complaints", { method: "POST", body: JSON.stringify(body) });
  dropDraft("complaint");
  form.reset();
  $("#complaint-result").innerHTML = '<span class="ok">投诉已提交，司法行政机关将处理并答复</span>';
  await showComplaints();
}

async function showComplaints() {
  const { items } = await api("/complaints");
  $("#complaints").innerHTML = items.map((c) => `<li>${esc(label("complaint_subject", c.subject))} <span class="tag">${esc(label("complaint_status", c.status))}</span>
    <br><small>${localTime(c.created_at)}</small><br>${esc(c.description)}</li>`).join("") || "<li>暂无投诉</li>";
}

async function showNotices() {
  state.notices = (await api("/notices")).items;
  $("#notices").innerHTML = "";
  for (const n of state.notices) {
    const li = document.createElement("li");
    li.innerHTML = `<b>${esc(n.title)}</b> <span class="tag">${esc(n.acknowledged_at ? "已确认" : "未确认")}</span><br><small>${localTime(n.created_at)}</small><p>${esc(n.body)}</p>`;
    if (!n.acknowledged_at) {
      const button = document.createElement("button");
      button.textContent = "确认收到";
      button.addEventListener("click", () => run(async () => {
        await api(`/notices/${encodeURIComponent(n.notice_id)}/acknowledge`, { method: "POST", body: "{}" });
        await showNotices();
      }));
      li.appendChild(button);
    }
    $("#notices").appendChild(li);
  }
}

async function blobUrl(path) {
  const response = await fetch(API + path, { headers: { "Authorization": `Bearer ${localStorage.getItem(TOKEN_KEY)}` } });
  if (!response.ok) throw new Error(`下载失败（${response.status}）`);
  return URL.createObjectURL(await response.blob());
}

async function showPoster() {
  const base = `/enterprises/${state.enterprise}`;
  $("#code-image").src = await blobUrl(`${base}/code.png`);
  $("#poster-png").href = await blobUrl(`${base}/poster?format=png`);
  $("#poster-pdf").href = await blobUrl(`${base}/poster?format=pdf`);
  ready("poster");
}

const TABS = { inspections: showInspections, notices: showNotices, complaint: showComplaints, poster: showPoster };

function tab(name) {
  document.querySelectorAll("nav.tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll(".tab").forEach((t) => { t.hidden = t.id !== `tab-${name}`; });
  $("#detail").hidden = true;
  return run(TABS[name]);
}

document.addEventListener("DOMContentLoaded", () => {
  const who = requireRole("enterprise");
  if (!who) return;
  state.enterprise = who.enterprise_id;
  $("#sign-out").addEventListener("click", signOut);
  for (const name of ["conduct", "procedure", "efficiency"]) {
    $(`#rating-form select[name=${name}]`).innerHTML = [5, 4, 3, 2, 1].map((n) => `<option value="${n}">${n} 分</option>`).join("");
  }
  $("#practices").innerHTML = practices("practice");
  $("#complaint-practices").innerHTML = `<label>检查中是否有以下行为（第二十七条）</label>${practices("complaint_practice")}`;
  $("#subject").innerHTML = Object.entries(LABELS.complaint_subject || {}).map(([code, text]) => `<option value="${code}">${esc(text)}</option>`).join("");
  $("#rating-form").addEventListener("submit", (event) => { event.preventDefault(); run(() => rate(event.target)); });
  $("#complaint-form").addEventListener("submit", (event) => { event.preventDefault(); run(() => complain(event.target)); });
  $("#back").addEventListener("click", () => tab("inspections"));
  document.querySelectorAll("nav.tabs button").forEach((b) => b.addEventListener("click", () => tab(b.dataset.tab)));
  keepDrafts();
  run(async () => {
    const enterprise = await api(`/enterprises/${state.enterprise}`);
    $("#who").textContent = enterprise.name;
    state.notices = (await api("/notices")).items;
    await tab("inspections");
  });
});
