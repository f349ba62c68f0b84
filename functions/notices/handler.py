"""The caller's own notices (outbox), newest first."""
from sheqi import api, notices
from sheqi.api import PageQuery

app = api.create_app()


@app.get("/notices")
def list_notices():
    caller = api.identity(app)
    params = api.query(app, PageQuery)
    return api.json_response(notices.list_for(caller.recipient, params.limit, params.cursor))


handler = api.lambda_handler(app)
