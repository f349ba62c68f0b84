"""Inspector registry, certificate verification for the enterprise at the door (Art. 4, 19, 24), and
who the caller is (`GET /me`: the phone's first call)."""
from sheqi import auth, clock
from sheqi.edge import api
from sheqi.inputs import PageQuery
from sheqi.registry import registers
from sheqi.rules import regions

app = api.create_app()


@app.post("/agencies/<agency_id>/inspectors")
def create_inspector(agency_id: str):
    agency = registers.managed_agency(api.identity(app), agency_id)
    record = registers.create_inspector(agency, api.body(app, registers.InspectorIn))
    return api.json_response(registers.inspector_view(record, agency), 201)


@app.get("/agencies/<agency_id>/inspectors")
def list_inspectors(agency_id: str):
    registers.managed_agency(api.identity(app), agency_id)
    params = api.query(app, PageQuery)
    return api.json_response(registers.list_inspectors(agency_id, params.limit, params.cursor))


@app.get("/inspectors/<inspector_id>")
def get_inspector(inspector_id: str):
    caller = api.identity(app)
    record = registers.get_inspector(inspector_id)
    if not (caller.role == "inspector" and caller.subject == inspector_id
            or auth.can_manage_agency_staff(caller, record.agency_id)
            or caller.role == "judicial" and regions.covers(caller.region_code, record.region_code)):
        raise auth.deny_scope("执法人员")
    return api.json_response(registers.inspector_view(record, registers.get_agency(record.agency_id)))


@app.patch("/inspectors/<inspector_id>")
def set_inspector_status(inspector_id: str):
    record = registers.get_inspector(inspector_id)
    agency = registers.managed_agency(api.identity(app), record.agency_id)
    record = registers.set_inspector_status(record, api.body(app, registers.InspectorPatch))
    return api.json_response(registers.inspector_view(record, agency))


@app.post("/inspectors/<inspector_id>/conflicts")
def add_conflict(inspector_id: str):
    record = registers.get_inspector(inspector_id)
    agency = registers.managed_agency(api.identity(app), record.agency_id)
    record = registers.add_conflict(record, api.body(app, registers.ConflictIn))
    return api.json_response(registers.inspector_view(record, agency))


@app.get("/me")
def whoami():
    return api.json_response(registers.whoami(api.identity(app)))


@app.get("/certificates/<certificate_no>")
def verify_certificate(certificate_no: str):
    api.identity(app)  # any signed-in role; the view carries no internal data
    record = registers.find_by_certificate(certificate_no)
    agency = registers.get_agency(record.agency_id)
    return api.json_response(registers.certificate_check(record, agency, clock.today()))


handler = api.lambda_handler(app)
