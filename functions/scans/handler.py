"""Scan-in (扫码入企, Art. 24): the inspector's phone posts the scanned code; the answer says whether
the inspection may go ahead. Every scan is registered, accepted or refused; so is a visit that is
not an inspection (a service visit, Art. 27)."""

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inspections import scanin

app = api.create_app()


@app.post("/scans", roles=("inspector",), status=(201, 202), key_in_body="client_request_id")
def scan(caller: Identity, body: scanin.ScanIn):
    """扫码入企（第二十四条）：登记每一次扫码，答复可否开展检查；202 表示待核验"""
    status, answer = scanin.scan(caller, body)
    return api.json_response(answer, status)


@app.post("/service-visits", roles=("inspector",), status=201, key_in_body="client_request_id")
def service_visit(caller: Identity, body: scanin.ServiceVisitIn):
    """登记非检查类的入企服务（第二十七条）"""
    status, answer = scanin.register_service_visit(caller, body)
    return api.json_response(answer, status)


handler = api.lambda_handler(app)
