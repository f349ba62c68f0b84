"""Public: what a person at the door learns from a scanned code. No token needed; no internal data."""
from sheqi.edge import api
from sheqi.registry import registers

app = api.create_app()


@app.get("/public/codes/<token>")
def verify_code(token: str):
    return api.json_response(registers.door_view(token))


handler = api.lambda_handler(app)
