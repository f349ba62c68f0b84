"""An enterprise's scan-in code (Art. 24): the signed URL, its QR image, the printable poster, and
re-issue (which revokes every earlier code). The enterprise itself or a platform admin."""
from typing import Literal

from aws_lambda_powertools.event_handler import Response

from sheqi import auth
from sheqi.edge import api
from sheqi.inputs import Query
from sheqi.registry import registers
from sheqi.rules import regions

app = api.create_app()


class PosterQuery(Query):
    format: Literal["png", "pdf"] = "png"


def _owned(enterprise_id: str):
    caller = api.identity(app)
    auth.require_role(caller, "enterprise", "platform_admin")
    return registers.visible_enterprise(caller, enterprise_id)


@app.get("/enterprises/<enterprise_id>/code")
def get_code(enterprise_id: str):
    return api.json_response(registers.current_code(_owned(enterprise_id)))


@app.get("/enterprises/<enterprise_id>/code.png")
def get_code_png(enterprise_id: str):
    from sheqi.registry import qr_image

    code = registers.current_code(_owned(enterprise_id))
    return Response(status_code=200, content_type="image/png", body=qr_image.qr_png(code["url"]))


@app.get("/enterprises/<enterprise_id>/poster")
def get_poster(enterprise_id: str):
    from sheqi.registry import qr_image

    fmt = api.query(app, PosterQuery).format
    record = _owned(enterprise_id)
    url = registers.current_code(record)["url"]
    image = qr_image.poster(url, enterprise_name=record.name, uscc=record.enterprise_id,
                            region_name=regions.name(record.region_code), fmt=fmt)
    return Response(status_code=200, content_type="application/pdf" if fmt == "pdf" else "image/png", body=image)


@app.post("/enterprises/<enterprise_id>/code/reissue")
def reissue_code(enterprise_id: str):
    record = registers.reissue_code(_owned(enterprise_id))
    return api.json_response(registers.current_code(record), 201)


handler = api.lambda_handler(app)
