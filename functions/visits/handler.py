"""The visit record on the inspector's phone (findings, evidence, close, corrections: Art. 19), and its
reading by the enterprise, the agencies of the region (Art. 29) and the judicial bureau."""
from sheqi.edge import api
from sheqi.inputs import PageQuery
from sheqi.inspections import evidence, visits

app = api.create_app()


def _summary(visit, event) -> dict:
    return {"visit_id": visit.visit_id, "status": visit.status, "event": {"seq": event.seq, "kind": event.kind,
            "hash": event.hash}, "head": {"seq": int(visit.head_seq), "hash": visit.head_hash}}


@app.get("/visits/<visit_id>")
def get_visit(visit_id: str):
    return api.json_response(visits.detail(api.identity(app), visit_id))


@app.get("/visits/<visit_id>/chain")
def get_chain(visit_id: str):
    return api.json_response(visits.chain_view(api.identity(app), visit_id))


@app.post("/visits/<visit_id>/evidence-uploads")
def evidence_upload(visit_id: str):
    return api.json_response(visits.upload_url(api.identity(app), visit_id, api.body(app, evidence.UploadIn)), 201)


@app.post("/visits/<visit_id>/findings")
def record_finding(visit_id: str):
    visit, event = visits.record_finding(api.identity(app), visit_id, api.body(app, visits.FindingIn))
    return api.json_response(_summary(visit, event), 201)


@app.post("/visits/<visit_id>/close")
def close(visit_id: str):
    visit, event = visits.close(api.identity(app), visit_id, api.body(app, visits.CloseIn))
    return api.json_response({**_summary(visit, event), "outcome": visit.outcome}, 201)


@app.post("/visits/<visit_id>/corrections")
def correct(visit_id: str):
    visit, event = visits.correct(api.identity(app), visit_id, api.body(app, visits.CorrectionIn))
    return api.json_response(_summary(visit, event), 201)


@app.post("/visits/<visit_id>/transfer-completed")
def transfer_completed(visit_id: str):
    data = api.body(app, visits.TransferDoneIn)
    visit, event = visits.complete_transfer(api.identity(app), visit_id, data)
    return api.json_response({**_summary(visit, event), "transfer": visit.outcome["transfers"][data.transfer_no - 1]}, 201)


@app.get("/enterprises/<enterprise_id>/inspections")
def list_inspections(enterprise_id: str):
    params = api.query(app, PageQuery)
    return api.json_response(visits.list_inspections(api.identity(app), enterprise_id, params.limit, params.cursor))


@app.get("/enterprises/<enterprise_id>/visits")
def list_shared(enterprise_id: str):
    params = api.query(app, PageQuery)
    return api.json_response(visits.list_shared(api.identity(app), enterprise_id, params.limit, params.cursor))


handler = api.lambda_handler(app)
