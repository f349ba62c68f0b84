"""Agency registry (Art. 4: the registry records bodies without enforcement power too, and says so)."""

from sheqi import auth
from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import RegionListQuery
from sheqi.registry import registers
from sheqi.rules import regions

app = api.create_app()


@app.post("/agencies", roles=("platform_admin",), status=201)
def create_agency(body: registers.AgencyIn):
    """登记行政检查机关（含无执法权的单位，第四条）"""
    return registers.agency_view(registers.create_agency(body))


@app.get("/agencies/<agency_id>", roles=("platform_admin", "judicial", "agency_admin", "inspector"))
def get_agency(caller: Identity, agency_id: str):
    """查看机关信息（本机关、监督该区划的司法行政机关或平台）"""
    record = registers.get_agency(agency_id)
    if not auth.can_see_agency(caller, record.agency_id, record.region_code):
        raise auth.deny_scope("机关")
    return registers.agency_view(record)


@app.get("/agencies", roles=("platform_admin", "judicial"))
def list_agencies(caller: Identity, params: RegionListQuery):
    """按行政区划列出机关"""
    if caller.role == "judicial" and not regions.covers(caller.region_code, params.region_code):
        raise auth.deny_scope("行政区划")
    return registers.list_agencies(params.region_code, params.limit, params.cursor)


handler = api.lambda_handler(app)
