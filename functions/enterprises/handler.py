"""Enterprise registry: platform admins register and edit; each role reads what it may see."""
from sheqi import auth
from sheqi.edge import api
from sheqi.inputs import PageQuery
from sheqi.registry import registers
from sheqi.rules import regions

app = api.create_app()


class ListQuery(PageQuery):
    region_code: str


@app.post("/enterprises")
def create_enterprise():
    auth.require_role(api.identity(app), "platform_admin")
    record = registers.create_enterprise(api.body(app, registers.EnterpriseIn))
    return api.json_response(registers.enterprise_view(record), 201)


@app.get("/enterprises/<enterprise_id>")
def get_enterprise(enterprise_id: str):
    record = registers.visible_enterprise(api.identity(app), enterprise_id)
    return api.json_response(registers.enterprise_view(record))


@app.patch("/enterprises/<enterprise_id>")
def update_enterprise(enterprise_id: str):
    auth.require_role(api.identity(app), "platform_admin")
    patch = api.body(app, registers.EnterprisePatch)
    record = registers.update_enterprise(registers.get_enterprise(enterprise_id), patch)
    return api.json_response(registers.enterprise_view(record))


@app.get("/enterprises")
def list_enterprises():
    caller = api.identity(app)
    auth.require_role(caller, "platform_admin", "judicial", "agency_admin", "science_bureau")
    params = api.query(app, ListQuery)
    if caller.role != "platform_admin" and not regions.covers(caller.region_code, params.region_code):
        raise auth.deny_scope("行政区划")
    return api.json_response(registers.list_enterprises(params.region_code, params.limit, params.cursor))


handler = api.lambda_handler(app)
