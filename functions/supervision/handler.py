"""The judicial bureau's supervision: watch lists, monthly figures, return visits and cases (Art. 12,
16, 24, 27, 28). Agency admins read their own figures and plan board."""

from sheqi import clock
from sheqi.auth import Identity
from sheqi.edge import api
from sheqi.errors import NotFound
from sheqi.inputs import Query, RegionPageQuery
from sheqi.supervision import return_visits, watchlists

app = api.create_app()
SUPERVISORS = ("judicial", "platform_admin")


class ScopeQuery(Query):
    region_code: api.RegionCode | None = None
    year: int | None = None

    def resolved_year(self) -> int:
        return api.year(str(self.year or clock.today().year))


@app.get("/supervision/watch/<name>", roles=(*SUPERVISORS, "agency_admin"))
def watch(caller: Identity, name: str, params: ScopeQuery):
    """监督清单（name：frequency、exceptions、refusals、ratings、complaints、plans；机关管理员只能看 plans）"""
    if name not in watchlists.LISTS:
        raise NotFound("接口不存在", code="route_not_found")
    return watchlists.watch_list(caller, name, params.region_code, params.resolved_year())


@app.get("/supervision/stats", roles=(*SUPERVISORS, "agency_admin"))
def stats(caller: Identity, params: ScopeQuery):
    """辖区（或本机关）按月的检查统计"""
    return watchlists.stats(caller, params.region_code, params.resolved_year())


@app.post("/return-visits", roles=SUPERVISORS, status=201)
def draw_sample(caller: Identity, body: return_visits.SampleIn):
    """抽取回访样本（第二十八条）"""
    head = return_visits.sample(caller, body)
    return return_visits.sample_view(*return_visits.get_sample(caller, head.record_id))


@app.get("/return-visits/<sample_id>", roles=SUPERVISORS)
def get_sample(caller: Identity, sample_id: str):
    """查看回访样本及其回访情况"""
    return return_visits.sample_view(*return_visits.get_sample(caller, sample_id))


@app.post("/return-visits/<sample_id>/visits/<visit_id>", roles=SUPERVISORS, status=201)
def answer(caller: Identity, sample_id: str, visit_id: str, body: return_visits.AnswersIn):
    """登记一次回访的答复；发现问题的立案"""
    entry = return_visits.answer(caller, sample_id, visit_id, body)
    return {"visit_id": entry.visit_id, "answered_at": entry.answered_at, "case_id": entry.case_id}


@app.get("/supervision/cases", roles=SUPERVISORS)
def cases(caller: Identity, params: RegionPageQuery):
    """列出辖区的监督案件"""
    return return_visits.list_cases(caller, params.region_code, params.limit, params.cursor)


handler = api.lambda_handler(app)
