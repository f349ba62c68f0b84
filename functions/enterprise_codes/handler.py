"""An enterprise's scan-in code (Art. 24): the signed URL, its QR image, the printable poster, and
re-issue (which revokes every earlier code). The enterprise itself or a platform admin."""

from typing import Literal

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import Query
from sheqi.registry import registers
from sheqi.rules import regions

app = api.create_app()
OWNERS = ("enterprise", "platform_admin")


class PosterQuery(Query):
    format: Literal["png", "pdf"] = "png"


@app.get("/enterprises/<enterprise_id>/code", roles=OWNERS)
def get_code(caller: Identity, enterprise_id: str):
    """本企业当前的扫码入企码（签名链接）"""
    return registers.current_code(registers.visible_enterprise(caller, enterprise_id))


@app.get("/enterprises/<enterprise_id>/code.png", roles=OWNERS, content=("image/png",))
def get_code_png(caller: Identity, enterprise_id: str):
    """本企业当前的扫码入企码（二维码 PNG 图片）"""
    from sheqi.registry import qr_image

    code = registers.current_code(registers.visible_enterprise(caller, enterprise_id))
    return api.Response(200, content_type="image/png", body=qr_image.qr_png(code["url"]))


@app.get("/enterprises/<enterprise_id>/poster", roles=OWNERS, content=("image/png", "application/pdf"))
def get_poster(caller: Identity, enterprise_id: str, params: PosterQuery):
    """可打印张贴的扫码入企海报（PNG 或 PDF）"""
    from sheqi.registry import qr_image

    record = registers.visible_enterprise(caller, enterprise_id)
    url = registers.current_code(record)["url"]
    image = qr_image.poster(
        url,
        enterprise_name=record.name,
        uscc=record.enterprise_id,
        region_name=regions.name(record.region_code),
        fmt=params.format,
    )
    return api.Response(200, content_type="application/pdf" if params.format == "pdf" else "image/png", body=image)


@app.post("/enterprises/<enterprise_id>/code/reissue", roles=OWNERS, status=201)
def reissue_code(caller: Identity, enterprise_id: str):
    """重新签发企业码（此前的码全部作废）"""
    return registers.current_code(registers.reissue_code(registers.visible_enterprise(caller, enterprise_id)))


handler = api.lambda_handler(app)
