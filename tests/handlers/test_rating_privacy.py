"""An enterprise rates a visit without fear of retaliation (Art. 24): its individual rating (scores,
Art. 27 flags, comment, even when it rated) reaches only the enterprise itself, the judicial bureau
supervising its region and the platform. Every GET route of serverless.yml, with every identity, and
every notice in an agency's or inspector's box, is searched for a trace of it; the inspected agency
reads only the guarded aggregates of `rating-summary`."""

from local import serverless_config
from local.demo_data import ENTERPRISES, MARKET
from sheqi.auth import Identity
from sheqi.rules.visit_rules import PROHIBITED_PRACTICES
from sheqi.signing import codes
from sheqi.store.notices import Notice
from sheqi.store.registers import Enterprise
from sheqi.store.visits import Visit
from sheqi.supervision import watchlists
from tests.handlers.scanning import E1, NOW, close_compliant, new_task, open_visit
from tests.helpers import as_function, call, identity, reminder_run

EMERGENCY = "11130722000013099H"  # a second enforcement agency in Zhangbei, registered below
MARKER = "评价意见Q7X"  # in the rating's comment only
FLAGS = ["gifts_or_meals", "demanded_legal_representative"]
RATING = {"conduct": 1, "procedure": 2, "efficiency": 5, "comment": f"{MARKER}：检查人员暗示宴请", "prohibited_practices": FLAGS}
RATING_KEYS = {"rating", "conduct", "procedure", "efficiency", "scores", "rated_at", "comment", "prohibited_practices"}

MAY_SEE = ["enterprise-1", "judicial-zhangbei", "judicial-city", "platform"]
MAY_NOT = {
    "the inspected agency": ["admin-market", "market-wang", "market-li", "market-zhao", "market-aux-sun"],
    "another agency of the region": ["admin-emergency", "emergency-zhou"],
    "agencies of another region or level": ["admin-police", "police-zhang", "admin-lab", "lab-chen"],
    "other bureaus": ["judicial-huailai", "science-city"],
    "other enterprises": ["enterprise-2", "enterprise-4"],
}
EXTRA = {
    "admin-emergency": Identity("admin-emergency", "agency_admin", agency_id=EMERGENCY, region_code="130722"),
    "emergency-zhou": Identity("emergency-zhou", "inspector", agency_id=EMERGENCY, region_code="130722"),
}
REGION_QUERIES = ["region_code=130722&year=2026", "region_code=130722"]  # asked of another region than one's own


def who(name: str) -> Identity:
    return EXTRA.get(name) or identity(name)


def traces(value, where: str = "") -> list[str]:
    """Where a JSON answer carries something of the rating."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in RATING_KEYS and inner not in (None, 0, "", [], {}):
                found.append(f"{where}.{key}")
            if key == "ratings_by_month" and any(month["count"] for month in inner):
                found.append(f"{where}.{key}")
            found += traces(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            found += traces(inner, f"{where}[{n}]")
    elif isinstance(value, str) and (MARKER in value or any(PROHIBITED_PRACTICES[f] in value for f in FLAGS)):
        found.append(f"{where}: {value[:60]}")
    return found


def rated_world() -> dict:
    """A closed, rated visit at enterprise-1 by 张北县市场监督管理局, with everything that follows from it:
    the reminder and watch runs, a return-visit sample, a complaint, a supervision letter."""
    assert (
        call(
            "POST",
            "/agencies",
            "platform",
            {
                "agency_id": EMERGENCY,
                "name": "张北县应急管理局",
                "level": "county",
                "region_code": "130722",
                "kind": "enforcement_agency",
            },
        )[0]
        == 201
    )
    visit_id = open_visit(new_task())[1]["visit_id"]
    close_compliant(visit_id)
    assert call("POST", f"/visits/{visit_id}/rating", "enterprise-1", RATING)[0] == 201
    reminder_run("130722", NOW.date())
    with as_function("supervisionWatch"):
        watchlists.daily(NOW.date())
    status, sample = call(
        "POST",
        "/return-visits",
        "judicial-zhangbei",
        {
            "region_code": "130722",
            "period_from": "2026-01-01",
            "period_to": "2026-12-31",
            "per_agency": 2,
            "seed": "评价保密测试种子",
        },
    )
    assert status == 201, sample
    status, complaint = call(
        "POST",
        "/complaints",
        "enterprise-1",
        {"subject": "visit", "visit_id": visit_id, "description": "检查结束后被要求补交材料"},
    )
    assert status == 201, complaint
    status, letter = call(
        "POST",
        "/letters",
        "judicial-zhangbei",
        {"agency_id": MARKET, "findings": ["检查结果告知不及时"], "requirements": "按第十九条及时告知检查结果"},
    )
    assert status == 201, letter
    return {
        "visit_id": visit_id,
        "enterprise_id": E1,
        "agency_id": MARKET,
        "inspector_id": "market-wang",
        "certificate_no": "13072201001",
        "token": codes.sign(E1, Enterprise.get(E1).code_version),
        "task_id": Visit.get(visit_id).task_ids[0],
        "year": "2026",
        "sample_id": sample["sample_id"],
        "complaint_id": complaint["complaint_id"],
        "letter_id": letter["letter_id"],
        "draw_id": "none",
        "run_id": "none",
        "applicant_id": E1,
    }


def get_paths(params: dict) -> list[str]:
    """Every GET route of serverless.yml with real parameters ({name}: every watch list), and again with
    the first region query it takes, if that changes the answer."""
    paths = []
    for route in serverless_config.routes():
        if route.method != "GET":
            continue
        names = watchlists.LISTS if "{name}" in route.path else [None]
        for name in names:
            path = route.path
            for key, value in {**params, "name": name}.items():
                path = path.replace("{" + key + "}", str(value))
            assert "{" not in path, f"no value for a parameter of {route.path}"
            paths.append(path)
            plain = call("GET", path, "platform")
            for query in REGION_QUERIES:
                answer = call("GET", path, "platform", query=query)
                if answer[0] != 422:
                    if answer != plain:  # a route that ignores the query need not be asked twice
                        paths.append(f"{path}?{query}")
                    break
    return paths


def answers(name: str, paths: list[str]) -> dict[str, object]:
    seen = {}
    for target in paths:
        path, _, query = target.partition("?")
        status, body = call("GET", path, who(name), query=query)
        if status == 200:
            seen[target] = body
    return seen


def test_no_route_or_notice_shows_an_individual_rating_to_anyone_but_the_enterprise_and_its_supervisors(june):
    params = rated_world()
    paths = get_paths(params)
    visit = f"/visits/{params['visit_id']}"

    # Those who may see it do, so the search below can find it.
    for name in MAY_SEE:
        seen = answers(name, [f"/visits/{params['visit_id']}"])
        assert traces(seen[visit]), name
    assert traces(answers("judicial-zhangbei", ["/notices"])["/notices"])

    leaks = []
    for group, names in MAY_NOT.items():
        for name in names:
            for where, body in answers(name, paths).items():
                leaks += [f"{group} / {name}: GET {where} {t}" for t in traces(body)]
    for notice in Notice.scan():
        if (
            notice.recipient.startswith(("agency:", "inspector:"))
            or notice.recipient == f"enterprise:{ENTERPRISES[1]['enterprise_id']}"
        ):
            leaks += [
                f"notice to {notice.recipient}: {notice.notice_id} {t}"
                for t in traces({"title": notice.title, "body": notice.body})
            ]
    assert not leaks, "\n".join(leaks)

    # What the inspected agency does read: its visit (without the rating) and the guarded aggregates.
    status, detail = call("GET", f"/visits/{params['visit_id']}", "admin-market")
    assert status == 200 and "rating" not in detail and detail["status"] == "closed"
    status, summary = call("GET", f"/agencies/{MARKET}/rating-summary/2026", "admin-market")
    assert status == 200 and not any(q["available"] for q in summary["quarters"])
