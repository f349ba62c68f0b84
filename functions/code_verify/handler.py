"""Public: what a person at the door learns from a scanned code. No token needed; no internal data."""
from sheqi import api, registry

app = api.create_app()


@app.get("/public/codes/<token>")
def verify_code(token: str):
    return api.json_response(registry.door_view(token))


handler = api.lambda_handler(app)
