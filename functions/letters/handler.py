"""Supervision letters (Art. 30): suggestion, decision on an unanswered suggestion, the agency's reply,
and the printable document."""
from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import RegionPageQuery
from sheqi.supervision import letters

app = api.create_app()
READERS = ("judicial", "agency_admin", "platform_admin")


@app.post("/letters", roles=("judicial",), status=201)
def suggest(caller: Identity, body: letters.LetterIn):
    """司法行政机关向被监督机关发出行政执法监督意见书（第三十条）"""
    return letters.view(letters.suggest(caller, body))


@app.get("/letters", roles=("judicial", "platform_admin"))
def list_letters(caller: Identity, params: RegionPageQuery):
    """列出辖区的监督文书"""
    return letters.list_for(caller, params.region_code, params.limit, params.cursor)


@app.get("/letters/<letter_id>", roles=READERS)
def get_letter(caller: Identity, letter_id: str):
    """查看一份监督文书"""
    return letters.view(letters.visible(caller, letter_id))


@app.get("/letters/<letter_id>/document", roles=READERS, content=("application/pdf",))
def document(caller: Identity, letter_id: str):
    """监督文书的可打印 PDF"""
    return api.Response(200, content_type="application/pdf", body=letters.document(letters.visible(caller, letter_id)))


@app.post("/letters/<letter_id>/reply", roles=("agency_admin",))
def reply(caller: Identity, letter_id: str, body: letters.ReplyIn):
    """被监督机关书面回复监督意见"""
    return letters.view(letters.reply(caller, letter_id, body))


@app.post("/letters/<letter_id>/escalate", roles=("judicial",), status=201)
def escalate(caller: Identity, letter_id: str, body: letters.EscalateIn):
    """逾期未回复的，作出行政执法监督决定书"""
    return letters.view(letters.escalate(caller, letter_id, body))


handler = api.lambda_handler(app)
