"""Inspector registry, certificate verification for the enterprise at the door (Art. 4, 19, 24), and
who the caller is (`GET /me`: the phone's first call)."""

from sheqi import auth, clock
from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import PageQuery
from sheqi.registry import registers
from sheqi.rules import regions

app = api.create_app()
MANAGERS = ("platform_admin", "agency_admin")


@app.post("/agencies/<agency_id>/inspectors", roles=MANAGERS, status=201)
def create_inspector(caller: Identity, agency_id: str, body: registers.InspectorIn):
    """登记本机关的执法人员及其执法证（第四条）"""
    agency = registers.managed_agency(caller, agency_id)
    return registers.inspector_view(registers.create_inspector(agency, body), agency)


@app.get("/agencies/<agency_id>/inspectors", roles=MANAGERS)
def list_inspectors(caller: Identity, agency_id: str, params: PageQuery):
    """列出本机关的执法人员"""
    registers.managed_agency(caller, agency_id)
    return registers.list_inspectors(agency_id, params.limit, params.cursor)


@app.get("/inspectors/<inspector_id>", roles=("inspector", "agency_admin", "judicial", "platform_admin"))
def get_inspector(caller: Identity, inspector_id: str):
    """查看执法人员（本人、本机关管理员、辖区司法行政机关或平台）"""
    record = registers.get_inspector(inspector_id)
    if not (
        caller.role == "inspector"
        and caller.subject == inspector_id
        or auth.can_manage_agency_staff(caller, record.agency_id)
        or caller.role == "judicial"
        and regions.covers(caller.region_code, record.region_code)
    ):
        raise auth.deny_scope("执法人员")
    return registers.inspector_view(record, registers.get_agency(record.agency_id))


@app.patch("/inspectors/<inspector_id>", roles=MANAGERS)
def set_inspector_status(caller: Identity, inspector_id: str, body: registers.InspectorPatch):
    """暂停或恢复执法人员的执法资格"""
    record = registers.get_inspector(inspector_id)
    agency = registers.managed_agency(caller, record.agency_id)
    return registers.inspector_view(registers.set_inspector_status(record, body), agency)


@app.post("/inspectors/<inspector_id>/conflicts", roles=MANAGERS)
def add_conflict(caller: Identity, inspector_id: str, body: registers.ConflictIn):
    """登记执法人员的回避关系（与某企业存在利害关系）"""
    record = registers.get_inspector(inspector_id)
    agency = registers.managed_agency(caller, record.agency_id)
    return registers.inspector_view(registers.add_conflict(record, body), agency)


@app.get("/me")
def whoami(caller: Identity):
    """我是谁：令牌所指的身份、角色、所属机关（执法人员另含执法证及其今日有效性）、企业概况或辖区"""
    return registers.whoami(caller)


@app.get("/certificates/<certificate_no>")
def verify_certificate(caller: Identity, certificate_no: str):
    """核验执法证（任何已登录角色；不含内部数据）"""
    record = registers.find_by_certificate(certificate_no)
    agency = registers.get_agency(record.agency_id)
    return registers.certificate_check(record, agency, clock.today())


handler = api.lambda_handler(app)
