"""Schemathesis against the local gateway (in process, over WSGI), from the committed spec: every
operation, as each role it admits (a demo token) or anonymously, with generated input and with the
demo's real ids in the path; a route that also answers a browser with a page (content negotiation) is
asked as a browser too. No server error; every answer conforms to the spec (status code, content
type, body schema). The figures are printed at the end of the run (tests/conftest.py).

Examples per operation: SHEQI_SCHEMATHESIS_EXAMPLES (default 5, derandomised); `make fuzz` searches deeper.
"""

import collections
import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from local import config, gateway, openapi
from local.demo_data import ENTERPRISES, IDENTITIES, MARKET, demo_task_id
from sheqi import auth, clock

EXAMPLES = int(os.environ.get("SHEQI_SCHEMATHESIS_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# The demo identity that stands for each role.
AS_ROLE = {
    "inspector": "market-wang",
    "enterprise": "enterprise-1",
    "agency_admin": "admin-market",
    "judicial": "judicial-zhangbei",
    "science_bureau": "science-city",
    "government": "government-zhangbei",
    "platform_admin": "platform",
}


def real_ids() -> dict:
    return {
        "agency_id": MARKET,
        "enterprise_id": ENTERPRISES[0]["enterprise_id"],
        "inspector_id": "market-wang",
        "item_id": "food-business",
        "task_id": demo_task_id("market-routine"),
        "year": str(clock.today().year),
        "version": "1",
        "recipient": f"agency:{MARKET}",
        "name": "plans",
        "region_code": "130722",
        "certificate_no": "13072201001",
    }


def test_every_operation_conforms_to_the_spec(demo, record_property):
    app = gateway.create_app()
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    ids = real_ids()
    figures = collections.Counter()
    statuses = collections.Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(openapi.operations())

    try:
        for operation in operations:
            roles = operation.definition.raw.get("x-roles") or [None]
            names = operation.path.replace("}", "{").split("{")[1::2]
            known = {n: ids[n] for n in names if n in ids}
            cases = (
                st.one_of(operation.as_strategy(), operation.as_strategy(path_parameters=known))
                if known
                else operation.as_strategy()
            )

            # A route that also answers a browser with a page is asked both ways (content negotiation).
            pages = any(
                "text/html" in answer.get("content", {})
                for status, answer in operation.definition.raw["responses"].items()
                if status.startswith("2")
            )

            @settings(
                max_examples=EXAMPLES * (2 if pages else 1),
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(
                case=cases,
                role=st.sampled_from([*roles, None]),
                accept=st.sampled_from(["text/html,application/xhtml+xml,*/*;q=0.8", None] if pages else [None]),
            )
            def run(case, role, accept):
                headers = (
                    {"Authorization": f"Bearer {auth.issue_token(IDENTITIES[AS_ROLE[role]][1], config.jwt_secret())}"}
                    if role
                    else {}
                )
                if accept:
                    headers["Accept"] = accept
                    figures["pages"] += 1
                response = case.call(headers=headers)
                figures["cases"] += 1
                statuses[response.status_code] += 1
                case.validate_response(response, checks=CHECKS, headers=headers)  # raises every check that failed

            run()
            figures["operations"] += 1
    finally:
        record_property(
            "figures",
            f"schemathesis：{figures['operations']}/{len(operations)} 个操作，"
            f"{figures['cases']} 次请求（其中要网页 {figures['pages']} 次），"
            f"服务器错误 {sum(n for s, n in statuses.items() if s >= 500)} 次；"
            f"状态码分布 {dict(sorted(statuses.items()))}",
        )
    assert not any(s >= 500 for s in statuses)
