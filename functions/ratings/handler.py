"""Ratings of visits by the inspected enterprise (Art. 24, 27); each for the judicial bureau, only
untraceable aggregates for the inspected agency."""
from sheqi.edge import api
from sheqi.inputs import RegionPageQuery
from sheqi.inspections import ratings

app = api.create_app()



@app.post("/visits/<visit_id>/rating")
def rate(visit_id: str):
    rating = ratings.rate(api.identity(app), visit_id, api.body(app, ratings.RatingIn))
    return api.json_response(ratings.view(rating), 201)


@app.get("/ratings")
def list_ratings():
    params = api.query(app, RegionPageQuery)
    return api.json_response(ratings.list_for_region(api.identity(app), params.region_code, params.limit, params.cursor))


@app.get("/agencies/<agency_id>/rating-summary/<year>")
def summary(agency_id: str, year: str):
    return api.json_response(ratings.summary(api.identity(app), agency_id, api.year(year)))


handler = api.lambda_handler(app)
