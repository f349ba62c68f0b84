"""Complaints by enterprises, handled by the judicial bureau of their region (Art. 24, 27)."""

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import RegionPageQuery
from sheqi.inspections import complaints

app = api.create_app()
READERS = ("enterprise", "judicial", "platform_admin")


@app.post("/complaints", roles=("enterprise",), status=201)
def file_complaint(caller: Identity, body: complaints.ComplaintIn):
    """企业投诉违规检查（第二十四条、第二十七条），由所在地司法行政机关办理"""
    return complaints.view(complaints.file(caller, body))


@app.get("/complaints", roles=READERS)
def list_complaints(caller: Identity, params: RegionPageQuery):
    """列出投诉：企业看本企业的，司法行政机关看辖区的"""
    return complaints.list_for(caller, params.region_code, params.limit, params.cursor)


@app.get("/complaints/<complaint_id>", roles=READERS)
def get_complaint(caller: Identity, complaint_id: str):
    """查看一件投诉"""
    return complaints.view(complaints.visible(caller, complaint_id))


@app.post("/complaints/<complaint_id>/status", roles=("judicial",))
def move(caller: Identity, complaint_id: str, body: complaints.StatusIn):
    """司法行政机关推进投诉的办理状态"""
    return complaints.view(complaints.move(caller, complaint_id, body))


handler = api.lambda_handler(app)
