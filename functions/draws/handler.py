"""双随机、一公开 (Art. 11): draw enterprises and inspectors for a plan entry, publish the draw, and
turn it into approved inspection tasks."""
from sheqi.edge import api
from sheqi.inputs import PageQuery
from sheqi.inspections import draws

app = api.create_app()


@app.post("/agencies/<agency_id>/draws")
def run_draw(agency_id: str):
    return api.json_response(draws.run(api.identity(app), agency_id, api.body(app, draws.DrawIn)), 201)


@app.get("/draws/<draw_id>")
def get_draw(draw_id: str):
    caller = api.identity(app)
    draws.visible(caller, draws.get_summary(draw_id))
    params = api.query(app, PageQuery)
    return api.json_response(draws.page(draw_id, params.limit, params.cursor, public=False))


@app.get("/public/draws/<draw_id>")
def public_draw(draw_id: str):
    params = api.query(app, PageQuery)
    return api.json_response(draws.page(draw_id, params.limit, params.cursor, public=True))


@app.post("/draws/<draw_id>/tasks")
def make_tasks(draw_id: str):
    created = draws.make_tasks(api.identity(app), draw_id, api.body(app, draws.TasksIn))
    return api.json_response({"draw_id": draw_id, "task_ids": created}, 201)


handler = api.lambda_handler(app)
