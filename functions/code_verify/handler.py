"""Public: what a person at the door learns from a scanned code. No token needed; no internal data.
The poster's URL (PUBLIC_CODE_URL, `/c/<token>`) answers a browser with a page and an app with JSON."""

from sheqi.edge import api
from sheqi.registry import door_page, registers

app = api.create_app()
NEGOTIATED = ("application/json", "text/html")


@app.get("/c/<token>", content=NEGOTIATED)
@app.get("/public/codes/<token>", content=NEGOTIATED)
def verify_code(token: str):
    """公开：核验扫描到的企业码（无需登录，不含内部数据）

    浏览器（Accept 优先 text/html）得到一页说明；应用得到 JSON。"""
    if api.prefers_html(app):
        return api.html_response(*door_page.render(token))
    return registers.door_view(token)


handler = api.lambda_handler(app)
