// Sign-in: locally a demo identity (the local gateway's /local/ routes); in production the identity
// provider's OpenID Connect authorization code flow with PKCE (RFC 7636), configured in config.js.
"use strict";

const params = new URLSearchParams(location.search);
const PAGES = { enterprise: "enterprise.html", inspector: "inspector.html" };

function signedIn(token, extra = {}) {
  localStorage.setItem(TOKEN_KEY, token);
  if (extra.tasks) localStorage.setItem("sheqi-known-tasks", JSON.stringify(extra.tasks));
  const role = claims().role;
  const next = params.get("next") || sessionStorage.getItem("sheqi-next");
  location.href = next && next.startsWith(PAGES[role] || "-") ? next : (PAGES[role] || "index.html");
}

async function demo() {
  $("#demo").hidden = false;
  const { items } = await (await fetch(`${API}/local/identities`)).json();
  for (const who of items) {
    const li = document.createElement("li");
    li.innerHTML = `<button class="wide secondary" data-name="${esc(who.name)}">${esc(who.label)}</button>`;
    li.querySelector("button").addEventListener("click", () => run(async () => {
      const answer = await fetch(`${API}/local/token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: who.name }) });
      signedIn((await answer.json()).token, { tasks: who.tasks });
    }));
    $(`#demo-${who.role}`).appendChild(li);
  }
  ready("signin");
}

const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const hexBytes = (hex) => Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16));

async function discovery() {
  const oidc = CONFIG.oidc;
  return (await fetch(`${oidc.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`)).json();
}

async function startOidc() {
  const oidc = CONFIG.oidc;
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem("sheqi-pkce", JSON.stringify({ verifier, state }));
  if (params.get("next")) sessionStorage.setItem("sheqi-next", params.get("next"));
  const challenge = b64url(hexBytes(await sha256Hex(new TextEncoder().encode(verifier))));
  const meta = await discovery();
  const query = new URLSearchParams({ response_type: "code", client_id: oidc.client_id, redirect_uri: redirectUri(),
    scope: oidc.scope || "openid", state, code_challenge: challenge, code_challenge_method: "S256" });
  location.href = `${meta.authorization_endpoint}?${query}`;
}

function redirectUri() {
  return `${location.origin}${location.pathname}`;
}

async function finishOidc() {
  const saved = JSON.parse(sessionStorage.getItem("sheqi-pkce") || "{}");
  sessionStorage.removeItem("sheqi-pkce");
  if (!saved.state || saved.state !== params.get("state")) throw new Error("登录状态校验失败，请重新登录");
  const meta = await discovery();
  const answer = await fetch(meta.token_endpoint, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: params.get("code"), redirect_uri: redirectUri(),
                                client_id: CONFIG.oidc.client_id, code_verifier: saved.verifier }) });
  const tokens = await answer.json();
  if (!answer.ok || !tokens.access_token) throw new Error(`登录失败：${tokens.error_description || tokens.error || answer.status}`);
  signedIn(tokens.access_token);
}

document.addEventListener("DOMContentLoaded", () => run(async () => {
  if (CONFIG.local) return demo();
  if (!CONFIG.oidc) throw new Error("未配置登录方式（config.js）");
  $("#oidc").hidden = false;
  $("#oidc-login").addEventListener("click", () => run(startOidc));
  if (params.get("code")) await finishOidc();
  ready("signin");
}));
