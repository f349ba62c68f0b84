"""双随机、一公开 (Art. 11): draw enterprises and inspectors for a plan entry, publish the draw, and
turn it into approved inspection tasks."""

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import PageQuery
from sheqi.inspections import draws

app = api.create_app()
MANAGERS = ("platform_admin", "agency_admin")


@app.post("/agencies/<agency_id>/draws", roles=MANAGERS, status=201)
def run_draw(caller: Identity, agency_id: str, body: draws.DrawIn):
    """双随机抽取检查对象和执法人员（第十一条）"""
    return draws.run(caller, agency_id, body)


@app.get("/draws/<draw_id>", roles=("platform_admin", "agency_admin", "judicial"))
def get_draw(caller: Identity, draw_id: str, params: PageQuery):
    """查看抽取结果（分页）"""
    draws.visible(caller, draws.get_summary(draw_id))
    return draws.page(draw_id, params.limit, params.cursor, public=False)


@app.get("/public/draws/<draw_id>")
def public_draw(draw_id: str, params: PageQuery):
    """公开：抽取结果的公示（无需登录）"""
    return draws.page(draw_id, params.limit, params.cursor, public=True)


@app.post("/draws/<draw_id>/tasks", roles=MANAGERS, status=201)
def make_tasks(caller: Identity, draw_id: str, body: draws.TasksIn):
    """把抽取结果生成为已批准的检查任务"""
    return {"draw_id": draw_id, "task_ids": draws.make_tasks(caller, draw_id, body)}


handler = api.lambda_handler(app)
