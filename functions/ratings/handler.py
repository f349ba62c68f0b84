"""Ratings of visits by the inspected enterprise (Art. 24, 27); each for the judicial bureau, only
untraceable aggregates for the inspected agency."""

from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.inputs import RegionPageQuery
from sheqi.inspections import ratings

app = api.create_app()


@app.post("/visits/<visit_id>/rating", roles=("enterprise",), status=201)
def rate(caller: Identity, visit_id: str, body: ratings.RatingIn):
    """企业评价一次入企检查（第二十四条）"""
    return ratings.view(ratings.rate(caller, visit_id, body))


@app.get("/ratings", roles=("judicial", "platform_admin"))
def list_ratings(caller: Identity, params: RegionPageQuery):
    """列出辖区的逐条评价（仅司法行政机关与平台）"""
    return ratings.list_for_region(caller, params.region_code, params.limit, params.cursor)


@app.get("/agencies/<agency_id>/rating-summary/<year>", roles=("judicial", "platform_admin", "agency_admin"))
def summary(caller: Identity, agency_id: str, year: str):
    """机关年度评价汇总（不可追溯到单个企业）"""
    return ratings.summary(caller, agency_id, api.year(year))


handler = api.lambda_handler(app)
