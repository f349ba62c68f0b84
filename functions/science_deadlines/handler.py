"""Science bureau duties from seed 004 (石家庄市鹿泉区科学技术和工业信息化局《事中事后监管制度》 and its
duty registers): projects, technical contracts, registration bodies, yearly spot checks, science
leaders and teams; each followed by the reminder run."""
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


@app.post("/science/registration-bodies")
def register_body():
    return _view(duties.register_body(api.identity(app), api.body(app, duties.RegistrationBodyIn)))


@app.post("/science/spot-checks")
def spot_check():
    return api.json_response(duties.spot_check(api.identity(app), api.body(app, duties.SpotCheckIn)), 201)


@app.post("/science/leaders")
def register_leader():
    return _view(duties.register_leader(api.identity(app), api.body(app, duties.LeaderIn)))


@app.post("/science/leaders/<region_code>/<key>/acceptance")
def accept(region_code: str, key: str):
    return _view(duties.accept(api.identity(app), region_code, key, api.body(app, duties.AcceptanceIn)))


@app.post("/science/<collection>/<region_code>/<key>/done")
def mark_done(collection: str, region_code: str, key: str):
    if collection not in duties.COLLECTIONS:
        raise NotFound("接口不存在", code="route_not_found")
    return _view(duties.mark_done(api.identity(app), collection, region_code, key, api.body(app, duties.DoneIn)))


handler = api.lambda_handler(app)
