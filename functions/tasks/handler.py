"""Inspection tasks (Art. 19 approval before an on-site inspection), their withdrawal, the lists (an
inspector's own, an agency's by status) and off-site check results (Art. 7)."""
from sheqi import auth
from sheqi.edge import api
from sheqi.inspections import tasks

app = api.create_app()


@app.post("/tasks")
def create_task():
    task = tasks.create(api.identity(app), api.body(app, tasks.TaskIn))
    return api.json_response(tasks.view(task), 201)


@app.get("/tasks")
def list_tasks():
    return api.json_response(tasks.list_for(api.identity(app), api.query(app, tasks.TaskListQuery)))


@app.get("/tasks/<task_id>")
def get_task(task_id: str):
    caller, task = api.identity(app), tasks.get(task_id)
    if not tasks.visible(caller, task):
        raise auth.deny_scope("检查任务")
    return api.json_response(tasks.view(task))


@app.post("/tasks/<task_id>/approve")
def approve_task(task_id: str):
    return api.json_response(tasks.view(tasks.approve(api.identity(app), task_id)))


@app.post("/tasks/<task_id>/withdraw")
def withdraw_task(task_id: str):
    return api.json_response(tasks.view(tasks.withdraw(api.identity(app), task_id, api.body(app, tasks.WithdrawIn))))


@app.post("/tasks/<task_id>/offsite-results")
def record_offsite_result(task_id: str):
    result = tasks.record_offsite_result(api.identity(app), task_id, api.body(app, tasks.OffsiteResultIn))
    return api.json_response(result, 201)


@app.post("/enterprises/<enterprise_id>/inspection-requests")
def request_inspection(enterprise_id: str):
    answer = tasks.request_inspection(api.identity(app), enterprise_id, api.body(app, tasks.InspectionRequestIn))
    return api.json_response(answer, 201)


handler = api.lambda_handler(app)
