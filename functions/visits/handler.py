"""The visit record on the inspector's phone (findings, evidence, close, corrections: Art. 19), and its
reading by the enterprise, the agencies of the region (Art. 29) and the judicial bureau."""

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import PageQuery
from sheqi.inspections import evidence, visits

app = api.create_app()


def _summary(visit, event) -> dict:
    return {
        "visit_id": visit.visit_id,
        "status": visit.status,
        "event": {"seq": event.seq, "kind": event.kind, "hash": event.hash},
        "head": {"seq": int(visit.head_seq), "hash": visit.head_hash},
    }


@app.get("/visits/<visit_id>")
def get_visit(caller: Identity, visit_id: str):
    """查看一次入企检查的记录（可见范围因身份而异）"""
    return visits.detail(caller, visit_id)


@app.get("/visits/<visit_id>/chain")
def get_chain(caller: Identity, visit_id: str):
    """检查记录的哈希链及其完整性核验结果"""
    return visits.chain_view(caller, visit_id)


@app.post("/visits/<visit_id>/evidence-uploads", status=201)
def evidence_upload(caller: Identity, visit_id: str, body: evidence.UploadIn):
    """申请上传一份证据文件（返回限时上传地址）

    仅限扫码入企的检查组成员（否则 not_visit_team）。"""
    return visits.upload_url(caller, visit_id, body)


@app.post("/visits/<visit_id>/findings", status=201)
def record_finding(caller: Identity, visit_id: str, body: visits.FindingIn):
    """记录一项检查发现（第十九条）

    仅限扫码入企的检查组成员（否则 not_visit_team）。"""
    return _summary(*visits.record_finding(caller, visit_id, body))


@app.post("/visits/<visit_id>/close", status=201)
def close(caller: Identity, visit_id: str, body: visits.CloseIn):
    """结束检查并作出处理结果

    仅限扫码入企的检查组成员（否则 not_visit_team）。"""
    visit, event = visits.close(caller, visit_id, body)
    return {**_summary(visit, event), "outcome": visit.outcome}


@app.post("/visits/<visit_id>/corrections", status=201)
def correct(caller: Identity, visit_id: str, body: visits.CorrectionIn):
    """更正已结束检查的记录（保留原记录）

    仅限扫码入企的检查组成员（否则 not_visit_team）。"""
    return _summary(*visits.correct(caller, visit_id, body))


@app.post("/visits/<visit_id>/transfer-completed", roles=("inspector", "agency_admin"), status=201)
def transfer_completed(caller: Identity, visit_id: str, body: visits.TransferDoneIn):
    """登记移送已办结（第二十六条）"""
    visit, event = visits.complete_transfer(caller, visit_id, body)
    return {**_summary(visit, event), "transfer": visit.outcome["transfers"][body.transfer_no - 1]}


@app.get("/enterprises/<enterprise_id>/inspections", roles=("enterprise", "judicial", "platform_admin"))
def list_inspections(caller: Identity, enterprise_id: str, params: PageQuery):
    """企业接受过的检查（企业本身、司法行政机关与平台）"""
    return visits.list_inspections(caller, enterprise_id, params.limit, params.cursor)


@app.get("/enterprises/<enterprise_id>/visits", roles=("inspector", "agency_admin", "judicial", "platform_admin"))
def list_shared(caller: Identity, enterprise_id: str, params: PageQuery):
    """区域内各机关共享的检查记录（第二十九条）"""
    return visits.list_shared(caller, enterprise_id, params.limit, params.cursor)


handler = api.lambda_handler(app)
