"""The page a phone's camera opens from the poster (Art. 24): whether the code is genuine and current,
whose it is (name and region only, as `registers.door_view`), what scan-in means for the enterprise
and the inspector, and links to their phone pages. An app asking for JSON gets `door_view` instead."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from sheqi.registry import registers
from sheqi.rules.articles import ART
from sheqi.signing import codes

SUPERSEDED = ("code_superseded", "code_revoked")
PAGES = "/phone/"  # the phone pages, on the same origin as the code's URL (console bucket behind the API's domain)

VERDICTS = {
    "genuine": ("真实有效", "这是本系统签发的、当前有效的入企码。", "ok"),
    "superseded": ("已作废", "这是本系统签发的入企码，但已作废：请扫描企业现场张贴的最新入企码。", "warn"),
    "forged": ("无法核验", "这不是本系统签发的有效入企码，可能系伪造或被篡改：请勿据此登记检查。", "bad"),
}


def verdict(token: str) -> tuple[str, dict | None, codes.CodeRejected | None]:
    try:
        return "genuine", registers.door_view(token), None
    except codes.CodeRejected as rejected:
        return ("superseded" if rejected.code in SUPERSEDED else "forged"), None, rejected


def render(token: str) -> tuple[str, int]:
    """The page and its status: 200 for a genuine code, otherwise the JSON answer's (422)."""
    kind, view, rejected = verdict(token)
    title, summary, tone = VERDICTS[kind]
    who = ""
    if view is not None:
        who = f'<dl><dt>企业名称</dt><dd id="name">{escape(view["name"])}</dd><dt>所在地区</dt><dd>{escape(view["region_name"])}</dd></dl>'
    reason = f'<p class="reason">{escape(rejected.message)}</p>' if rejected else ""
    page = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>入企码核验 · {title}</title>
<style>body{{font:16px/1.6 system-ui,sans-serif;margin:0;color:#222;background:#f4f5f7}}main{{max-width:640px;margin:auto;padding:16px}}
.verdict{{border-radius:10px;padding:16px;color:#fff}}.ok{{background:#1e8449}}.warn{{background:#b9770e}}.bad{{background:#b03a2e}}
.verdict h1{{margin:0;font-size:24px}}section{{background:#fff;border-radius:10px;padding:12px 16px;margin-top:12px}}
dl{{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:12px 0 0}}dt{{opacity:.85}}dd{{margin:0;font-weight:600}}
h2{{font-size:17px;margin:4px 0}}a.button{{display:block;text-align:center;background:#2471a3;color:#fff;padding:12px;border-radius:8px;
text-decoration:none;margin-top:8px}}small{{color:#666}}</style></head>
<body><main>
<div class="verdict {tone}" id="verdict" data-verdict="{kind}"><h1>入企码{title}</h1><p>{summary}</p>{who}</div>
{reason}
<section><h2>企业须知（{ART[24]}）</h2>
<p>行政执法人员入企检查，须先用执法终端扫描本码登记，并出示执法证件；现场检查的执法人员不少于两人（{ART[19]}）。
未扫码登记、未出示证件或人数不足的检查，企业可以拒绝，并可投诉。检查结束后，企业可在手机上查看检查记录并作出评价。</p>
<a class="button" href="{PAGES}enterprise.html">企业登录：查看检查记录、评价、投诉</a></section>
<section><h2>执法人员须知</h2>
<p>入企前请用执法终端扫描本码完成登记（扫码入企），系统将核验检查任务、执法资格与检查频次；无网络时可先离线扫码，恢复网络后补传并说明原因。</p>
<a class="button" href="{PAGES}inspector.html#code={quote(token, safe="")}">执法人员登录：扫码入企</a></section>
<p><small>本页仅显示企业名称和所在地区，不显示其他企业信息。</small></p>
</main></body></html>"""
    return page, (rejected.status if rejected else 200)
