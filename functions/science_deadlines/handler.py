"""Science bureau duties from seed 004 (石家庄市鹿泉区科学技术和工业信息化局《事中事后监管制度》 and its
duty registers): projects, technical contracts, registration bodies, yearly spot checks, science
leaders and teams; each followed by the reminder run."""

from typing import Literal

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.science import duties

app = api.create_app()
BUREAUS = ("science_bureau", "platform_admin")
Collection = Literal[tuple(duties.COLLECTIONS)]  # a duty kind whose items are marked done; any other: no such route


@app.post("/science/projects", roles=BUREAUS, status=201)
def register_project(caller: Identity, body: duties.ProjectIn):
    """登记科技计划项目：结题后 6 个月内验收，执行期内每年报告执行情况"""
    return duties.view(duties.register_project(caller, body))


@app.post("/science/contracts", roles=BUREAUS, status=201)
def register_contract(caller: Identity, body: duties.ContractIn):
    """登记技术合同，开始计算认定登记期限（受理后 30 日内）"""
    return duties.view(duties.register_contract(caller, body))


@app.post("/science/registration-bodies", roles=BUREAUS, status=201)
def register_body(caller: Identity, body: duties.RegistrationBodyIn):
    """登记技术合同认定登记机构的年度检查（每年不少于 1 次，2 名以上工作人员）"""
    return duties.view(duties.register_body(caller, body))


@app.post("/science/spot-checks", roles=BUREAUS, status=201)
def spot_check(caller: Identity, body: duties.SpotCheckIn):
    """年度抽查：按公开的种子抽取技术转移机构（20%）或科技计划课题，每年一次

    同一请求再次提交得到同一结果；种子或名单不同的重抽被拒绝。"""
    return duties.spot_check(caller, body)


@app.post("/science/leaders", roles=BUREAUS, status=201)
def register_leader(caller: Identity, body: duties.LeaderIn):
    """登记科技领军人物或创新团队的两年管理期：年度调度与期满验收"""
    return duties.view(duties.register_leader(caller, body))


@app.post("/science/leaders/<region_code>/<key>/acceptance", roles=BUREAUS, status=201)
def accept(caller: Identity, region_code: str, key: str, body: duties.AcceptanceIn):
    """登记领军人物或团队的验收结果：通过、不通过（限期整改，复评仍不通过撤销称号）或缺席"""
    return duties.view(duties.accept(caller, region_code, key, body))


@app.post("/science/<collection>/<region_code>/<key>/done", roles=BUREAUS, status=201)
def mark_done(caller: Identity, collection: Collection, region_code: str, key: str, body: duties.DoneIn):
    """期限事项办结：验收、认定登记、年度报告、抽查、年度检查、年度调度或整改，检查类登记结论"""
    return duties.view(duties.mark_done(caller, collection, region_code, key, body))


handler = api.lambda_handler(app)
