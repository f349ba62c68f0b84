"""Science bureau deadlines (seed 004): project acceptance within 6 months of the end, technical
contract registration decided within 30 days; each followed by the reminder run."""
from sheqi.edge import api
from sheqi.errors import NotFound
from sheqi.science import duties

app = api.create_app()


def _view(record):
    return api.json_response(duties.view(record), 201)


@app.post("/science/projects")
def register_project():
    return _view(duties.register_project(api.identity(app), api.body(app, duties.ProjectIn)))


@app.post("/science/contracts")
def register_contract():
    return _view(duties.register_contract(api.identity(app), api.body(app, duties.ContractIn)))


@app.post("/science/<collection>/<region_code>/<key>/done")
def mark_done(collection: str, region_code: str, key: str):
    if collection not in duties.KINDS:
        raise NotFound("接口不存在", code="route_not_found")
    return _view(duties.mark_done(api.identity(app), collection, region_code, key, api.body(app, duties.DoneIn)))


handler = api.lambda_handler(app)
