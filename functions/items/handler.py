"""Inspection item lists (Art. 14): agencies maintain and publish them; the public reads published ones."""
from sheqi import clock
from sheqi.edge import api
from sheqi.inputs import Query
from sheqi.registry import registers
from sheqi.rules import regions

app = api.create_app()


@app.post("/agencies/<agency_id>/items")
def create_item(agency_id: str):
    agency = registers.managed_agency(api.identity(app), agency_id)
    record = registers.create_item(agency, api.body(app, registers.ItemIn))
    return api.json_response(registers.item_view(record), 201)


@app.get("/agencies/<agency_id>/items")
def list_items(agency_id: str):
    registers.managed_agency(api.identity(app), agency_id)
    return api.json_response({"items": [registers.item_view(i) for i in registers.list_items(agency_id, False)]})


@app.post("/agencies/<agency_id>/items/<item_id>/publish")
def publish_item(agency_id: str, item_id: str):
    registers.managed_agency(api.identity(app), agency_id)
    record = registers.set_item_status(registers.get_item(agency_id, item_id), "published", clock.today())
    return api.json_response(registers.item_view(record))


@app.post("/agencies/<agency_id>/items/<item_id>/withdraw")
def withdraw_item(agency_id: str, item_id: str):
    registers.managed_agency(api.identity(app), agency_id)
    record = registers.set_item_status(registers.get_item(agency_id, item_id), "withdrawn", clock.today())
    return api.json_response(registers.item_view(record))


class RegionQuery(Query):
    region_code: str


@app.get("/public/items")
def published_items_of_region():
    """Every agency's published items in a region (Art. 14: the list is public)."""
    region_code = regions.validate(api.query(app, RegionQuery).region_code)
    return api.json_response({"region_code": region_code, "region_name": regions.name(region_code),
                              "agencies": registers.published_items_by_region(region_code)})


@app.get("/public/agencies/<agency_id>/items")
def published_items(agency_id: str):
    agency = registers.get_agency(agency_id)
    items = [registers.item_view(i) for i in registers.list_items(agency_id, True)]
    return api.json_response({"agency": {"agency_id": agency.agency_id, "name": agency.name}, "items": items})


handler = api.lambda_handler(app)
