"""Inspection tasks (Art. 19 approval before an on-site inspection), the plan in force (Art. 16),
and off-site check results (Art. 7)."""
from pydantic import Field

from sheqi import api, auth, tasks
from sheqi.api import Body
from sheqi.errors import ValidationError

app = api.create_app()


class PlanIn(Body):
    item_ids: list[str] = Field(min_length=1, max_length=200)


@app.post("/tasks")
def create_task():
    task = tasks.create(api.identity(app), api.body(app, tasks.TaskIn))
    return api.json_response(tasks.view(task), 201)


@app.get("/tasks/<task_id>")
def get_task(task_id: str):
    caller, task = api.identity(app), tasks.get(task_id)
    if not tasks.visible(caller, task):
        raise auth.deny_scope("检查任务")
    return api.json_response(tasks.view(task))


@app.post("/tasks/<task_id>/approve")
def approve_task(task_id: str):
    return api.json_response(tasks.view(tasks.approve(api.identity(app), task_id)))


@app.post("/tasks/<task_id>/offsite-results")
def record_offsite_result(task_id: str):
    result = tasks.record_offsite_result(api.identity(app), task_id, api.body(app, tasks.OffsiteResultIn))
    return api.json_response(result, 201)


@app.put("/agencies/<agency_id>/plans/<year>")
def set_plan(agency_id: str, year: str):
    if not (year.isdigit() and len(year) == 4):
        raise ValidationError("年度应为4位数字", field="year", code="invalid_field")
    plan = tasks.set_plan(api.identity(app), agency_id, year, api.body(app, PlanIn).item_ids)
    return api.json_response({"agency_id": plan.agency_id, "year": plan.year, "item_ids": plan.item_ids,
                              "status": plan.status, "updated_at": plan.updated_at})


handler = api.lambda_handler(app)
