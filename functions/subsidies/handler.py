"""Subsidy and award calculations for science bureaus (Cangzhou 2025 R&D plan, as data)."""
from sheqi.edge import api
from sheqi.inputs import PageQuery
from sheqi.subsidy import service

app = api.create_app()


@app.post("/subsidies/what-if")
def what_if():
    return api.json_response(service.what_if(api.identity(app), api.body(app, service.WhatIfIn)))


@app.post("/subsidies/<year>/applicants")
def save_applicant(year: str):
    record, _ = service.save_applicant(api.identity(app), api.year(year), api.body(app, service.ApplicantIn))
    return api.json_response({"year": record.year, "applicant_id": record.applicant_id, "updated_at": record.updated_at}, 201)


@app.post("/subsidies/<year>/calculations")
def calculate(year: str):
    result = service.calculate_one(api.identity(app), api.year(year), api.body(app, service.ApplicantIn))
    return api.json_response(result, 201)


@app.post("/subsidies/<year>/runs")
def start_run(year: str):
    return api.json_response(service.start_run(api.identity(app), api.year(year)), 202)


@app.get("/subsidies/runs/<run_id>")
def get_run(run_id: str):
    params = api.query(app, PageQuery)
    return api.json_response(service.get_run(api.identity(app), run_id, params.limit, params.cursor))


@app.get("/subsidies/results")
def my_results():
    params = api.query(app, PageQuery)
    return api.json_response(service.my_results(api.identity(app), params.limit, params.cursor))


@app.get("/subsidies/runs/<run_id>/results/<applicant_id>")
def get_result(run_id: str, applicant_id: str):
    return api.json_response(service.get_result(api.identity(app), run_id, applicant_id))


handler = api.lambda_handler(app)
