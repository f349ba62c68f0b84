"""Annual inspection plans (Art. 11, 16) and special campaigns (Art. 13): agencies draft, file and
publish; the judicial bureau of the same level acknowledges or returns; the public reads what is published."""
from sheqi.edge import api
from sheqi.errors import ValidationError
from sheqi.plans import campaigns, filing

app = api.create_app()


def _version(agency_id: str, year: str, version: str):
    if not version.isdigit():
        raise ValidationError("版本号应为正整数", field="version", code="invalid_field")
    return filing.get_version(agency_id, api.year(year), int(version))


@app.post("/agencies/<agency_id>/plans")
def draft_plan(agency_id: str):
    record = filing.draft(api.identity(app), agency_id, api.body(app, filing.PlanIn))
    return api.json_response(filing.view(record), 201)


@app.get("/agencies/<agency_id>/plans/<year>")
def list_plan_versions(agency_id: str, year: str):
    filing.visible(api.identity(app), agency_id)
    return api.json_response({"versions": filing.list_versions(agency_id, api.year(year))})


@app.put("/agencies/<agency_id>/plans/<year>/<version>")
def edit_plan(agency_id: str, year: str, version: str):
    record = filing.edit(api.identity(app), _version(agency_id, year, version), api.body(app, filing.PlanIn))
    return api.json_response(filing.view(record))


@app.post("/agencies/<agency_id>/plans/<year>/<version>/<action>")
def plan_action(agency_id: str, year: str, version: str, action: str):
    caller, record = api.identity(app), _version(agency_id, year, version)
    if action == "file":
        record = filing.file(caller, record)
    elif action == "acknowledge":
        record = filing.acknowledge(caller, record)
    elif action == "return":
        record = filing.return_(caller, record, api.body(app, filing.ReturnIn))
    elif action == "publish":
        record = filing.publish(caller, record)
    else:
        raise ValidationError("操作应为 file、acknowledge、return 或 publish", field="action", code="invalid_field")
    return api.json_response(filing.view(record))


@app.get("/public/agencies/<agency_id>/plans/<year>")
def published_plans(agency_id: str, year: str):
    return api.json_response(campaigns.published(agency_id, api.year(year)))


@app.put("/agencies/<agency_id>/campaign-quota")
def set_campaign_quota(agency_id: str):
    return api.json_response(campaigns.set_quota(api.identity(app), agency_id, api.body(app, campaigns.QuotaIn)))


@app.post("/agencies/<agency_id>/campaigns")
def file_campaign(agency_id: str):
    record = campaigns.file(api.identity(app), agency_id, api.body(app, campaigns.CampaignIn))
    return api.json_response(campaigns.view(record), 201)


@app.post("/agencies/<agency_id>/campaigns/<campaign_id>/publish")
def publish_campaign(agency_id: str, campaign_id: str):
    return api.json_response(campaigns.view(campaigns.publish(api.identity(app), agency_id, campaign_id)))


handler = api.lambda_handler(app)
