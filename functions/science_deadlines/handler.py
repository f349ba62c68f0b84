"""Science bureau deadlines (seed 004): project acceptance within 6 months of the end, technical
contract registration decided within 30 days; each followed by the reminder run."""
from sheqi import api, obligations, science
from sheqi.clock import today
from sheqi.errors import NotFound

app = api.create_app()


def _view(record):
    return api.json_response(obligations.view(record, today()), 201)


@app.post("/science/projects")
def register_project():
    return _view(science.register_project(api.identity(app), api.body(app, science.ProjectIn)))


@app.post("/science/contracts")
def register_contract():
    return _view(science.register_contract(api.identity(app), api.body(app, science.ContractIn)))


@app.post("/science/<collection>/<region_code>/<key>/done")
def mark_done(collection: str, region_code: str, key: str):
    if collection not in science.KINDS:
        raise NotFound("接口不存在", code="route_not_found")
    return _view(science.mark_done(api.identity(app), collection, region_code, key, api.body(app, science.DoneIn)))


handler = api.lambda_handler(app)
