"""Reminders and obligations as their recipients see them; delivery addresses; dead letters."""
from sheqi.edge import api
from sheqi.inputs import Body, PageQuery, RegionPageQuery
from sheqi.reminders import delivery, notices, obligations

app = api.create_app()


class ObligationPage(RegionPageQuery):
    overdue: bool = False


class RetryIn(Body):
    recipient: str
    notice_id: str


@app.get("/reminders")
def pending():
    params = api.query(app, PageQuery)
    return api.json_response(notices.pending_reminders(api.identity(app).recipient, params.limit, params.cursor))


@app.get("/obligations")
def list_obligations():
    params = api.query(app, ObligationPage)
    return api.json_response(obligations.list_for(api.identity(app), params.region_code, params.overdue,
                                                  params.limit, params.cursor))


@app.put("/contacts/<recipient>")
def set_contact(recipient: str):
    return api.json_response(delivery.set_contact(api.identity(app), recipient, api.body(app, delivery.ContactIn)))


@app.get("/deliveries/dead-letters")
def dead_letters():
    params = api.query(app, PageQuery)
    return api.json_response(delivery.dead_letters(api.identity(app), params.limit, params.cursor))


@app.post("/deliveries/dead-letters/retry")
def retry():
    data = api.body(app, RetryIn)
    return api.json_response(delivery.retry(api.identity(app), data.recipient, data.notice_id))


handler = api.lambda_handler(app)
