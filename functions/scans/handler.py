"""Scan-in (扫码入企, Art. 24): the inspector's phone posts the scanned code; the answer says whether
the inspection may go ahead. Every scan is registered, accepted or refused."""
from sheqi import api, scanin

app = api.create_app()


@app.post("/scans")
def scan():
    status, answer = scanin.scan(api.identity(app), api.body(app, scanin.ScanIn))
    return api.json_response(answer, status)


handler = api.lambda_handler(app)
