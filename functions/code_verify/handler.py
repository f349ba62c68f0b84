"""Public: what a person at the door learns from a scanned code. No token needed; no internal data."""
from sheqi.edge import api
from sheqi.registry import registers

app = api.create_app()


@app.get("/public/codes/<token>")
def verify_code(token: str):
    """公开：核验扫描到的企业码（无需登录，不含内部数据）"""
    return registers.door_view(token)


handler = api.lambda_handler(app)
