"""Enterprise registry: platform admins register and edit; each role reads what it may see."""

from sheqi import auth
from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import RegionListQuery
from sheqi.registry import registers
from sheqi.rules import regions

app = api.create_app()


@app.post("/enterprises", roles=("platform_admin",), status=201)
def create_enterprise(body: registers.EnterpriseIn):
    """登记企业"""
    return registers.enterprise_view(registers.create_enterprise(body))


@app.get("/enterprises/<enterprise_id>")
def get_enterprise(caller: Identity, enterprise_id: str):
    """查看企业信息（企业本身、辖区机关与平台）"""
    return registers.enterprise_view(registers.visible_enterprise(caller, enterprise_id))


@app.patch("/enterprises/<enterprise_id>", roles=("platform_admin",))
def update_enterprise(enterprise_id: str, body: registers.EnterprisePatch):
    """修改企业信息（未提供的字段保持不变）"""
    return registers.enterprise_view(registers.update_enterprise(registers.get_enterprise(enterprise_id), body))


@app.get("/enterprises", roles=("platform_admin", "judicial", "agency_admin", "science_bureau"))
def list_enterprises(caller: Identity, params: RegionListQuery):
    """按行政区划列出企业"""
    if caller.role != "platform_admin" and not regions.covers(caller.region_code, params.region_code):
        raise auth.deny_scope("行政区划")
    return registers.list_enterprises(params.region_code, params.limit, params.cursor)


handler = api.lambda_handler(app)
