"""Public: what a person at the door learns from a scanned code. No token needed; no internal data.
The poster's URL (PUBLIC_CODE_URL, `/c/<token>`) answers a browser with a page and an app with JSON."""
from sheqi.edge import api
from sheqi.registry import door_page, registers

app = api.create_app()


@app.get("/c/<token>")
@app.get("/public/codes/<token>")
def verify_code(token: str):
    if api.prefers_html(app):
        return api.html_response(*door_page.render(token))
    return api.json_response(registers.door_view(token))


handler = api.lambda_handler(app)
