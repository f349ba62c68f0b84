"""Inspection item lists (Art. 14): agencies maintain and publish them; the public reads published ones."""
from sheqi import api, clock, regions, registry
from sheqi.api import Query

app = api.create_app()


@app.post("/agencies/<agency_id>/items")
def create_item(agency_id: str):
    agency = registry.managed_agency(api.identity(app), agency_id)
    record = registry.create_item(agency, api.body(app, registry.ItemIn))
    return api.json_response(registry.item_view(record), 201)


@app.get("/agencies/<agency_id>/items")
def list_items(agency_id: str):
    registry.managed_agency(api.identity(app), agency_id)
    return api.json_response({"items": [registry.item_view(i) for i in registry.list_items(agency_id, False)]})


@app.post("/agencies/<agency_id>/items/<item_id>/publish")
def publish_item(agency_id: str, item_id: str):
    registry.managed_agency(api.identity(app), agency_id)
    record = registry.set_item_status(registry.get_item(agency_id, item_id), "published", clock.today())
    return api.json_response(registry.item_view(record))


@app.post("/agencies/<agency_id>/items/<item_id>/withdraw")
def withdraw_item(agency_id: str, item_id: str):
    registry.managed_agency(api.identity(app), agency_id)
    record = registry.set_item_status(registry.get_item(agency_id, item_id), "withdrawn", clock.today())
    return api.json_response(registry.item_view(record))


class RegionQuery(Query):
    region_code: str


@app.get("/public/items")
def published_items_of_region():
    """Every agency's published items in a region (Art. 14: the list is public)."""
    region_code = regions.validate(api.query(app, RegionQuery).region_code)
    return api.json_response({"region_code": region_code, "region_name": regions.name(region_code),
                              "agencies": registry.published_items_by_region(region_code)})


@app.get("/public/agencies/<agency_id>/items")
def published_items(agency_id: str):
    agency = registry.get_agency(agency_id)
    items = [registry.item_view(i) for i in registry.list_items(agency_id, True)]
    return api.json_response({"agency": {"agency_id": agency.agency_id, "name": agency.name}, "items": items})


handler = api.lambda_handler(app)
