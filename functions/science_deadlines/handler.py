"""Science bureau deadlines (seed 004): project acceptance within 6 months of the end, technical
contract registration decided within 30 days; each followed by the reminder run."""
from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.science import duties

app = api.create_app()
BUREAUS = ("science_bureau", "platform_admin")


@app.post("/science/projects", roles=BUREAUS, status=201)
def register_project(caller: Identity, body: duties.ProjectIn):
    """登记科技项目，开始计算验收期限（结题后 6 个月内）"""
    return duties.view(duties.register_project(caller, body))


@app.post("/science/contracts", roles=BUREAUS, status=201)
def register_contract(caller: Identity, body: duties.ContractIn):
    """登记技术合同，开始计算认定登记期限（受理后 30 日内）"""
    return duties.view(duties.register_contract(caller, body))


@app.post("/science/projects/<region_code>/<key>/done", roles=BUREAUS, status=201)
def project_done(caller: Identity, region_code: str, key: str, body: duties.DoneIn):
    """科技项目已验收，期限事项办结"""
    return duties.view(duties.mark_done(caller, "projects", region_code, key, body))


@app.post("/science/contracts/<region_code>/<key>/done", roles=BUREAUS, status=201)
def contract_done(caller: Identity, region_code: str, key: str, body: duties.DoneIn):
    """技术合同已认定登记，期限事项办结"""
    return duties.view(duties.mark_done(caller, "contracts", region_code, key, body))


handler = api.lambda_handler(app)
