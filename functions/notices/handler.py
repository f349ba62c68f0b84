"""The caller's own notices (outbox), newest first, and acknowledging one (a reminder taken in hand, a
result notice received)."""

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import PageQuery
from sheqi.reminders import notices

app = api.create_app()


@app.get("/notices")
def list_notices(caller: Identity, params: PageQuery):
    """本人（本单位）收到的通知"""
    return notices.list_for(caller.recipient, params.limit, params.cursor)


@app.post("/notices/<notice_id>/acknowledge")
def acknowledge(caller: Identity, notice_id: str):
    """确认收到一条通知"""
    return notices.view(notices.acknowledge(caller, notice_id))


handler = api.lambda_handler(app)
