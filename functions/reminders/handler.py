"""Reminders and obligations as their recipients see them; delivery addresses; dead letters."""

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import Body, PageQuery, RegionPageQuery
from sheqi.reminders import delivery, notices, obligations

app = api.create_app()


class ObligationPage(RegionPageQuery):
    overdue: bool = False


class RetryIn(Body):
    recipient: api.Key
    notice_id: api.Key


@app.get("/reminders")
def pending(caller: Identity, params: PageQuery):
    """本人（本单位）待处理的提醒"""
    return notices.pending_reminders(caller.recipient, params.limit, params.cursor)


@app.get("/obligations", roles=("judicial", "platform_admin", "agency_admin", "enterprise", "science_bureau"))
def list_obligations(caller: Identity, params: ObligationPage):
    """本单位的法定期限事项；司法行政机关看辖区的（可只看逾期的）"""
    return obligations.list_for(caller, params.region_code, params.overdue, params.limit, params.cursor)


@app.put("/contacts/<recipient>", roles=delivery.CONTACT_ROLES)
def set_contact(caller: Identity, recipient: str, body: delivery.ContactIn):
    """设置接收通知的短信号码与电子邮箱"""
    return delivery.set_contact(caller, recipient, body)


@app.get("/deliveries/dead-letters", roles=("platform_admin",))
def dead_letters(caller: Identity, params: PageQuery):
    """多次投递失败的通知（死信）"""
    return delivery.dead_letters(caller, params.limit, params.cursor)


@app.post("/deliveries/dead-letters/retry", roles=("platform_admin",))
def retry(caller: Identity, body: RetryIn):
    """重新投递一条死信通知"""
    return delivery.retry(caller, body.recipient, body.notice_id)


handler = api.lambda_handler(app)
