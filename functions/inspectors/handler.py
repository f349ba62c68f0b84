"""Inspector registry, and certificate verification for the enterprise at the door (Art. 4, 19, 24)."""
from sheqi import api, auth, clock, regions, registry
from sheqi.api import PageQuery

app = api.create_app()


@app.post("/agencies/<agency_id>/inspectors")
def create_inspector(agency_id: str):
    agency = registry.managed_agency(api.identity(app), agency_id)
    record = registry.create_inspector(agency, api.body(app, registry.InspectorIn))
    return api.json_response(registry.inspector_view(record, agency), 201)


@app.get("/agencies/<agency_id>/inspectors")
def list_inspectors(agency_id: str):
    registry.managed_agency(api.identity(app), agency_id)
    params = api.query(app, PageQuery)
    return api.json_response(registry.list_inspectors(agency_id, params.limit, params.cursor))


@app.get("/inspectors/<inspector_id>")
def get_inspector(inspector_id: str):
    caller = api.identity(app)
    record = registry.get_inspector(inspector_id)
    if not (caller.role == "inspector" and caller.subject == inspector_id
            or auth.can_manage_agency_staff(caller, record.agency_id)
            or caller.role == "judicial" and regions.covers(caller.region_code, record.region_code)):
        raise auth.deny_scope("执法人员")
    return api.json_response(registry.inspector_view(record, registry.get_agency(record.agency_id)))


@app.patch("/inspectors/<inspector_id>")
def set_inspector_status(inspector_id: str):
    record = registry.get_inspector(inspector_id)
    agency = registry.managed_agency(api.identity(app), record.agency_id)
    record = registry.set_inspector_status(record, api.body(app, registry.InspectorPatch))
    return api.json_response(registry.inspector_view(record, agency))


@app.post("/inspectors/<inspector_id>/conflicts")
def add_conflict(inspector_id: str):
    record = registry.get_inspector(inspector_id)
    agency = registry.managed_agency(api.identity(app), record.agency_id)
    record = registry.add_conflict(record, api.body(app, registry.ConflictIn))
    return api.json_response(registry.inspector_view(record, agency))


@app.get("/certificates/<certificate_no>")
def verify_certificate(certificate_no: str):
    api.identity(app)  # any signed-in role; the view carries no internal data
    record = registry.find_by_certificate(certificate_no)
    agency = registry.get_agency(record.agency_id)
    return api.json_response(registry.certificate_check(record, agency, clock.today()))


handler = api.lambda_handler(app)
