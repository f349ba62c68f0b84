"""Supervision letters (Art. 30): suggestion, decision on an unanswered suggestion, the agency's reply,
and the printable document."""
from aws_lambda_powertools.event_handler import Response

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
    return Response(status_code=200, content_type="application/pdf", body=letters.document(letter))


@app.post("/letters/<letter_id>/reply")
def reply(letter_id: str):
    return api.json_response(letters.view(letters.reply(api.identity(app), letter_id, api.body(app, letters.ReplyIn))))


@app.post("/letters/<letter_id>/escalate")
def escalate(letter_id: str):
    decision = letters.escalate(api.identity(app), letter_id, api.body(app, letters.EscalateIn))
    return api.json_response(letters.view(decision), 201)


handler = api.lambda_handler(app)
