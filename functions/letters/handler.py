"""Supervision letters (Art. 30): the bureau's suggestion, its request for a decision when the agency
did not correct in time, the same-level government's issue (or refusal), the agency's reply, and the
printable document; and the bureau's accountability measures (Art. 31): summons, public reports and
orders to correct."""

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import PageQuery, RegionPageQuery
from sheqi.supervision import accountability, letters

app = api.create_app()
SUPERVISORS = ("judicial", "government", "platform_admin")
READERS = (*SUPERVISORS, "agency_admin")


@app.post("/letters", roles=("judicial",), status=201)
def suggest(caller: Identity, body: letters.LetterIn):
    """司法行政机关向被监督机关发出行政执法监督建议书（第三十条）"""
    return letters.view(letters.suggest(caller, body))


@app.get("/letters", roles=SUPERVISORS)
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
    """被监督机关书面答复监督文书，说明是否已纠正"""
    return letters.view(letters.reply(caller, letter_id, body))


@app.post("/letters/<letter_id>/decision-request", roles=("judicial",), status=201)
def request_decision(caller: Identity, letter_id: str, body: letters.DecisionRequestIn):
    """被监督机关不及时纠正的，司法行政机关提请同级人民政府作出行政执法监督决定（第三十条）"""
    return letters.view(letters.request_decision(caller, letter_id, body))


@app.post("/letters/<letter_id>/issue", roles=("government",))
def issue(caller: Identity, letter_id: str):
    """同级人民政府签发提请的行政执法监督决定书"""
    return letters.view(letters.issue_decision(caller, letter_id))


@app.post("/letters/<letter_id>/decline", roles=("government",))
def decline(caller: Identity, letter_id: str, body: letters.DeclineIn):
    """同级人民政府对提请的监督决定不予签发，并说明理由"""
    return letters.view(letters.decline(caller, letter_id, body))


@app.post("/accountability", roles=("judicial",), status=201)
def record_measure(caller: Identity, body: accountability.MeasureIn):
    """司法行政机关对行政执法主体负责人或相关责任人约谈、通报、责令改正（第三十一条）"""
    return accountability.view(accountability.record(caller, body))


@app.get("/accountability", roles=("judicial", "platform_admin"))
def list_measures(caller: Identity, params: RegionPageQuery):
    """列出辖区的约谈、通报、责令改正记录"""
    return accountability.list_for_region(caller, params.region_code, params.limit, params.cursor)


@app.get("/agencies/<agency_id>/accountability", roles=("judicial", "platform_admin", "agency_admin"))
def agency_measures(caller: Identity, agency_id: str, params: PageQuery):
    """本机关（或所监督机关）被约谈、通报、责令改正的记录"""
    return accountability.list_for_agency(caller, agency_id, params.limit, params.cursor)


@app.post("/agencies/<agency_id>/accountability/<measure_id>/correction-report", roles=("agency_admin",))
def report_correction(caller: Identity, agency_id: str, measure_id: str, body: accountability.CorrectionReportIn):
    """被责令改正的机关书面报告改正情况（第三十一条；每项责令改正报告一次）"""
    return accountability.view(accountability.report_correction(caller, agency_id, measure_id, body))


handler = api.lambda_handler(app)
