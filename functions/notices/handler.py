"""The caller's own notices (outbox), newest first, and acknowledging one (a reminder taken in hand, a
result notice received)."""
from sheqi.edge import api
from sheqi.inputs import PageQuery
from sheqi.reminders import notices

app = api.create_app()


@app.get("/notices")
def list_notices():
    caller = api.identity(app)
    params = api.query(app, PageQuery)
    return api.json_response(notices.list_for(caller.recipient, params.limit, params.cursor))


@app.post("/notices/<notice_id>/acknowledge")
def acknowledge(notice_id: str):
    return api.json_response(notices.view(notices.acknowledge(api.identity(app), notice_id)))


handler = api.lambda_handler(app)
