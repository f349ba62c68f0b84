"""Inspection item lists (Art. 14): agencies maintain and publish them; the public reads published ones."""

from sheqi import clock
from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import Query
from sheqi.registry import registers
from sheqi.rules import regions

app = api.create_app()
MANAGERS = ("platform_admin", "agency_admin")


class RegionQuery(Query):
    region_code: api.RegionCode


@app.post("/agencies/<agency_id>/items", roles=MANAGERS, status=201)
def create_item(caller: Identity, agency_id: str, body: registers.ItemIn):
    """新增检查事项（第十四条）"""
    agency = registers.managed_agency(caller, agency_id)
    return registers.item_view(registers.create_item(agency, body))


@app.get("/agencies/<agency_id>/items", roles=MANAGERS)
def list_items(caller: Identity, agency_id: str):
    """列出本机关的检查事项（含未公布的）"""
    registers.managed_agency(caller, agency_id)
    return {"items": [registers.item_view(i) for i in registers.list_items(agency_id, False)]}


@app.post("/agencies/<agency_id>/items/<item_id>/publish", roles=MANAGERS)
def publish_item(caller: Identity, agency_id: str, item_id: str):
    """公布检查事项"""
    registers.managed_agency(caller, agency_id)
    return registers.item_view(registers.set_item_status(registers.get_item(agency_id, item_id), "published", clock.today()))


@app.post("/agencies/<agency_id>/items/<item_id>/withdraw", roles=MANAGERS)
def withdraw_item(caller: Identity, agency_id: str, item_id: str):
    """撤回已公布的检查事项"""
    registers.managed_agency(caller, agency_id)
    return registers.item_view(registers.set_item_status(registers.get_item(agency_id, item_id), "withdrawn", clock.today()))


@app.get("/public/items")
def published_items_of_region(params: RegionQuery):
    """公开：某行政区划内各机关已公布的检查事项（第十四条）"""
    return {
        "region_code": params.region_code,
        "region_name": regions.name(params.region_code),
        "agencies": registers.published_items_by_region(params.region_code),
    }


@app.get("/public/agencies/<agency_id>/items")
def published_items(agency_id: str):
    """公开：某机关已公布的检查事项"""
    agency = registers.get_agency(agency_id)
    items = [registers.item_view(i) for i in registers.list_items(agency_id, True)]
    return {"agency": {"agency_id": agency.agency_id, "name": agency.name}, "items": items}


handler = api.lambda_handler(app)
