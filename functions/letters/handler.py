"""Supervision letters (Art. 30): the bureau's suggestion, its request for a decision when the agency
did not correct in time, the same-level government's issue (or refusal), the agency's reply, and the
printable document."""
from sheqi.edge import api
from sheqi.inputs import RegionPageQuery
from sheqi.supervision import letters

app = api.create_app()


@app.post("/letters")
def suggest():
    return api.json_response(letters.view(letters.suggest(api.identity(app), api.body(app, letters.LetterIn))), 201)


@app.get("/letters")
def list_letters():
    params = api.query(app, RegionPageQuery)
    return api.json_response(letters.list_for(api.identity(app), params.region_code, params.limit, params.cursor))


@app.get("/letters/<letter_id>")
def get_letter(letter_id: str):
    return api.json_response(letters.view(letters.visible(api.identity(app), letter_id)))


@app.get("/letters/<letter_id>/document")
def document(letter_id: str):
    letter = letters.visible(api.identity(app), letter_id)
    return api.Response(200, content_type="application/pdf", body=letters.document(letter))


@app.post("/letters/<letter_id>/reply")
def reply(letter_id: str):
    return api.json_response(letters.view(letters.reply(api.identity(app), letter_id, api.body(app, letters.ReplyIn))))


@app.post("/letters/<letter_id>/decision-request")
def request_decision(letter_id: str):
    decision = letters.request_decision(api.identity(app), letter_id, api.body(app, letters.DecisionRequestIn))
    return api.json_response(letters.view(decision), 201)


@app.post("/letters/<letter_id>/issue")
def issue(letter_id: str):
    return api.json_response(letters.view(letters.issue_decision(api.identity(app), letter_id)))


@app.post("/letters/<letter_id>/decline")
def decline(letter_id: str):
    return api.json_response(letters.view(letters.decline(api.identity(app), letter_id, api.body(app, letters.DeclineIn))))


handler = api.lambda_handler(app)
