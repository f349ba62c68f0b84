"""Subsidy and award calculations for science bureaus (Cangzhou 2025 R&D plan, as data)."""

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import PageQuery
from sheqi.subsidy import service

app = api.create_app()
BUREAUS = ("science_bureau", "platform_admin")


@app.post("/subsidies/what-if", roles=(*BUREAUS, "enterprise"))
def what_if(caller: Identity, body: service.WhatIfIn):
    """试算：给定情形可得的补助与奖励（不保存）"""
    return service.what_if(caller, body)


@app.post("/subsidies/<year>/applicants", roles=BUREAUS, status=201)
def save_applicant(caller: Identity, year: str, body: service.ApplicantIn):
    """保存某年度的申报对象及其情形"""
    record, _ = service.save_applicant(caller, api.year(year), body)
    return {"year": record.year, "applicant_id": record.applicant_id, "updated_at": record.updated_at}


@app.post("/subsidies/<year>/calculations", roles=BUREAUS, status=201)
def calculate(caller: Identity, year: str, body: service.ApplicantIn):
    """计算一个申报对象的补助与奖励"""
    return service.calculate_one(caller, api.year(year), body)


@app.post("/subsidies/<year>/runs", roles=BUREAUS, status=202)
def start_run(caller: Identity, year: str):
    """启动某年度全部申报对象的批量计算（异步）"""
    return service.start_run(caller, api.year(year))


@app.get("/subsidies/runs/<run_id>", roles=BUREAUS)
def get_run(caller: Identity, run_id: str, params: PageQuery):
    """查看批量计算的进度与结果（分页）"""
    return service.get_run(caller, run_id, params.limit, params.cursor)


@app.get("/subsidies/results", roles=("enterprise",))
def my_results(caller: Identity, params: PageQuery):
    """企业查看本企业的补助与奖励计算结果（免申即享，最新在前）"""
    return service.my_results(caller, params.limit, params.cursor)


@app.get("/subsidies/runs/<run_id>/results/<applicant_id>", roles=(*BUREAUS, "enterprise"))
def get_result(caller: Identity, run_id: str, applicant_id: str):
    """查看一个申报对象的计算结果（企业只能看本企业的）"""
    return service.get_result(caller, run_id, applicant_id)


handler = api.lambda_handler(app)
