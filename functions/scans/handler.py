"""Scan-in (扫码入企, Art. 24): the inspector's phone posts the scanned code; the answer says whether
the inspection may go ahead. Every scan is registered, accepted or refused; so is a visit that is
not an inspection (a service visit, Art. 27)."""
from sheqi.edge import api
from sheqi.inspections import scanin

app = api.create_app()


@app.post("/scans", key_in_body="client_request_id")
def scan():
    status, answer = scanin.scan(api.identity(app), api.body(app, scanin.ScanIn))
    return api.json_response(answer, status)


@app.post("/service-visits", key_in_body="client_request_id")
def service_visit():
    status, answer = scanin.register_service_visit(api.identity(app), api.body(app, scanin.ServiceVisitIn))
    return api.json_response(answer, status)


handler = api.lambda_handler(app)
