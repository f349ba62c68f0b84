"""Annual inspection plans (Art. 11, 16) and special campaigns (Art. 13): agencies draft, file and
publish; the judicial bureau of the same level acknowledges or returns; the public reads what is published."""

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.errors import ValidationError
from sheqi.plans import campaigns, filing

app = api.create_app()
MANAGERS = ("platform_admin", "agency_admin")
SUPERVISORS = ("platform_admin", "judicial")
VERSION = "/agencies/<agency_id>/plans/<year>/<version>"


def _version(agency_id: str, year: str, version: str):
    if not version.isdigit():
        raise ValidationError("版本号应为正整数", field="version", code="invalid_field")
    return filing.get_version(agency_id, api.year(year), int(version))


@app.post("/agencies/<agency_id>/plans", roles=MANAGERS, status=201)
def draft_plan(caller: Identity, agency_id: str, body: filing.PlanIn):
    """起草年度行政检查计划（第十一条、第十六条）"""
    return filing.view(filing.draft(caller, agency_id, body))


@app.get("/agencies/<agency_id>/plans/<year>", roles=(*MANAGERS, "judicial"))
def list_plan_versions(caller: Identity, agency_id: str, year: str):
    """列出机关某年度计划的各个版本"""
    filing.visible(caller, agency_id)
    return {"versions": filing.list_versions(agency_id, api.year(year))}


@app.put(VERSION, roles=MANAGERS)
def edit_plan(caller: Identity, agency_id: str, year: str, version: str, body: filing.PlanIn):
    """修改计划草稿"""
    return filing.view(filing.edit(caller, _version(agency_id, year, version), body))


@app.post(f"{VERSION}/file", roles=MANAGERS)
def file_plan(caller: Identity, agency_id: str, year: str, version: str):
    """把计划报送同级司法行政机关备案"""
    return filing.view(filing.file(caller, _version(agency_id, year, version)))


@app.post(f"{VERSION}/acknowledge", roles=SUPERVISORS)
def acknowledge_plan(caller: Identity, agency_id: str, year: str, version: str):
    """司法行政机关确认备案"""
    return filing.view(filing.acknowledge(caller, _version(agency_id, year, version)))


@app.post(f"{VERSION}/return", roles=SUPERVISORS)
def return_plan(caller: Identity, agency_id: str, year: str, version: str, body: filing.ReturnIn):
    """司法行政机关退回计划并说明理由"""
    return filing.view(filing.return_(caller, _version(agency_id, year, version), body))


@app.post(f"{VERSION}/publish", roles=MANAGERS)
def publish_plan(caller: Identity, agency_id: str, year: str, version: str):
    """公布已备案的计划"""
    return filing.view(filing.publish(caller, _version(agency_id, year, version)))


@app.get("/public/agencies/<agency_id>/plans/<year>")
def published_plans(agency_id: str, year: str):
    """公开：机关某年度已公布的检查计划与专项检查"""
    return campaigns.published(agency_id, api.year(year))


@app.put("/agencies/<agency_id>/campaign-quota", roles=("platform_admin",))
def set_campaign_quota(caller: Identity, agency_id: str, body: campaigns.QuotaIn):
    """设定机关某年度专项检查的次数上限（第十三条）"""
    return campaigns.set_quota(caller, agency_id, body)


@app.post("/agencies/<agency_id>/campaigns", roles=MANAGERS, status=201)
def file_campaign(caller: Identity, agency_id: str, body: campaigns.CampaignIn):
    """报备专项检查（第十三条）"""
    return campaigns.view(campaigns.file(caller, agency_id, body))


@app.post("/agencies/<agency_id>/campaigns/<campaign_id>/publish", roles=MANAGERS)
def publish_campaign(caller: Identity, agency_id: str, campaign_id: str):
    """公布专项检查"""
    return campaigns.view(campaigns.publish(caller, agency_id, campaign_id))


handler = api.lambda_handler(app)
