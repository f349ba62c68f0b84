"""The judicial bureau's supervision: watch lists, monthly figures, return visits and cases (Art. 12,
16, 24, 27, 28). Agency admins read their own figures and plan board."""
from sheqi import clock
from sheqi.edge import api
from sheqi.errors import NotFound
from sheqi.inputs import Query, RegionPageQuery
from sheqi.supervision import return_visits, watchlists

app = api.create_app()


class ScopeQuery(Query):
    region_code: str | None = None
    year: int | None = None



def _scope():
    params = api.query(app, ScopeQuery)
    return params.region_code, api.year(str(params.year or clock.today().year))


@app.get("/supervision/watch/<name>")
def watch(name: str):
    if name not in watchlists.LISTS:
        raise NotFound("接口不存在", code="route_not_found")
    region_code, year = _scope()
    return api.json_response(watchlists.watch_list(api.identity(app), name, region_code, year))


@app.get("/supervision/stats")
def stats():
    region_code, year = _scope()
    return api.json_response(watchlists.stats(api.identity(app), region_code, year))


@app.post("/return-visits")
def draw_sample():
    head = return_visits.sample(api.identity(app), api.body(app, return_visits.SampleIn))
    head, entries = return_visits.get_sample(api.identity(app), head.pk.split("#", 1)[1])
    return api.json_response(return_visits.sample_view(head, entries), 201)


@app.get("/return-visits/<sample_id>")
def get_sample(sample_id: str):
    return api.json_response(return_visits.sample_view(*return_visits.get_sample(api.identity(app), sample_id)))


@app.post("/return-visits/<sample_id>/visits/<visit_id>")
def answer(sample_id: str, visit_id: str):
    entry = return_visits.answer(api.identity(app), sample_id, visit_id, api.body(app, return_visits.AnswersIn))
    return api.json_response({"visit_id": entry.visit_id, "answered_at": entry.answered_at, "case_id": entry.case_id}, 201)


@app.get("/supervision/cases")
def cases():
    params = api.query(app, RegionPageQuery)
    return api.json_response(return_visits.list_cases(api.identity(app), params.region_code, params.limit, params.cursor))


handler = api.lambda_handler(app)
