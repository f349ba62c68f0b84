"""Complaints by enterprises, handled by the judicial bureau of their region (Art. 24, 27)."""
from sheqi.edge import api
from sheqi.inputs import RegionPageQuery
from sheqi.inspections import complaints

app = api.create_app()



@app.post("/complaints")
def file_complaint():
    complaint = complaints.file(api.identity(app), api.body(app, complaints.ComplaintIn))
    return api.json_response(complaints.view(complaint), 201)


@app.get("/complaints")
def list_complaints():
    params = api.query(app, RegionPageQuery)
    return api.json_response(complaints.list_for(api.identity(app), params.region_code, params.limit, params.cursor))


@app.get("/complaints/<complaint_id>")
def get_complaint(complaint_id: str):
    return api.json_response(complaints.view(complaints.visible(api.identity(app), complaint_id)))


@app.post("/complaints/<complaint_id>/status")
def move(complaint_id: str):
    complaint = complaints.move(api.identity(app), complaint_id, api.body(app, complaints.StatusIn))
    return api.json_response(complaints.view(complaint))


handler = api.lambda_handler(app)
