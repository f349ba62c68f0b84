"""Agency registry (Art. 4: the registry records bodies without enforcement power too, and says so)."""
from sheqi import auth
from sheqi.edge import api
from sheqi.inputs import PageQuery
from sheqi.registry import registers
from sheqi.rules import regions

app = api.create_app()


class ListQuery(PageQuery):
    region_code: str


@app.post("/agencies")
def create_agency():
    auth.require_role(api.identity(app), "platform_admin")
    record = registers.create_agency(api.body(app, registers.AgencyIn))
    return api.json_response(registers.agency_view(record), 201)


@app.get("/agencies/<agency_id>")
def get_agency(agency_id: str):
    caller = api.identity(app)
    record = registers.get_agency(agency_id)
    if not auth.can_see_agency(caller, record.agency_id, record.region_code):
        raise auth.deny_scope("机关")
    return api.json_response(registers.agency_view(record))


@app.get("/agencies")
def list_agencies():
    caller = api.identity(app)
    auth.require_role(caller, "platform_admin", "judicial")
    params = api.query(app, ListQuery)
    if caller.role == "judicial" and not regions.covers(caller.region_code, params.region_code):
        raise auth.deny_scope("行政区划")
    return api.json_response(registers.list_agencies(params.region_code, params.limit, params.cursor))


handler = api.lambda_handler(app)
