"""Inspection tasks (Art. 19 approval before an on-site inspection), their withdrawal, the lists (an
inspector's own, an agency's by status) and off-site check results (Art. 7)."""

from sheqi import auth
from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inspections import tasks

app = api.create_app()


@app.post("/tasks", roles=("agency_admin",), status=201)
def create_task(caller: Identity, body: tasks.TaskIn):
    """创建检查任务（入企检查须经批准，第十九条）"""
    return tasks.view(tasks.create(caller, body))


@app.get("/tasks", roles=("agency_admin", "inspector"))
def list_tasks(caller: Identity, query: tasks.TaskListQuery):
    """检查任务列表：执法人员查看本人参加的任务（mine=true），机关管理员按状态查看本机关牵头的任务"""
    return tasks.list_for(caller, query)


@app.get("/tasks/<task_id>", roles=("agency_admin", "inspector", "judicial", "platform_admin"))
def get_task(caller: Identity, task_id: str):
    """查看检查任务"""
    task = tasks.get(task_id)
    if not tasks.visible(caller, task):
        raise auth.deny_scope("检查任务")
    return tasks.view(task)


@app.post("/tasks/<task_id>/approve", roles=("agency_admin",))
def approve_task(caller: Identity, task_id: str):
    """批准检查任务"""
    return tasks.view(tasks.approve(caller, task_id))


@app.post("/tasks/<task_id>/withdraw", roles=("agency_admin",))
def withdraw_task(caller: Identity, task_id: str, body: tasks.WithdrawIn):
    """撤回已批准的检查任务，并通知执法人员与已预告的企业"""
    return tasks.view(tasks.withdraw(caller, task_id, body))


@app.post("/tasks/<task_id>/offsite-results", roles=("agency_admin", "inspector"), status=201)
def record_offsite_result(caller: Identity, task_id: str, body: tasks.OffsiteResultIn):
    """登记非现场检查的结果（第七条）"""
    return tasks.record_offsite_result(caller, task_id, body)


@app.post("/enterprises/<enterprise_id>/inspection-requests", roles=("enterprise",), status=201)
def request_inspection(caller: Identity, enterprise_id: str, body: tasks.InspectionRequestIn):
    """企业自行申请检查（第十二条第五项例外检查的依据），告知机关"""
    return tasks.request_inspection(caller, enterprise_id, body)


handler = api.lambda_handler(app)
