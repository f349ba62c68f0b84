"""The poster's URL by content negotiation: JSON for an app, a page for a browser (Art. 24)."""

import re
from urllib.parse import urlparse

from local import serverless_config
from local.demo_data import ENTERPRISES
from sheqi import settings
from tests.helpers import call

E1 = ENTERPRISES[0]["enterprise_id"]
BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"}


def page(token: str, accept: dict = BROWSER) -> tuple[int, str]:
    return call("GET", f"/c/{token}", headers=accept)


def verdict(html: str) -> str:
    return re.search(r'data-verdict="(\w+)"', html)[1]


def test_the_code_url_is_the_route_production_posters_use(demo):
    _, code = call("GET", f"/enterprises/{E1}/code", "enterprise-1")
    path = urlparse(code["url"]).path
    assert code["url"].startswith(settings.get().public_code_url) and path.startswith("/c/")
    assert serverless_config.resolve("GET", path)[0].function == "codeVerify"


def test_a_browser_gets_a_page_an_app_gets_json(demo):
    _, code = call("GET", f"/enterprises/{E1}/code", "enterprise-1")
    status, html = page(code["token"])
    assert status == 200 and verdict(html) == "genuine"
    assert ENTERPRISES[0]["name"] in html and "张北县" in html and "第二十四条" in html
    assert "/phone/enterprise.html" in html and f"/phone/inspector.html#code={code['token']}" in html
    for private in (ENTERPRISES[0]["contact_phone"], E1, ENTERPRISES[0]["address"]):
        assert private not in html.replace(f"#code={code['token']}", "")
    for accept in ({"accept": "application/json"}, {"accept": "*/*"}, {}, {"accept": "text/html;q=0.5, application/json"}):
        status, answer = page(code["token"], accept)
        assert status == 200 and answer["valid"] is True, accept


def test_superseded_and_forged_codes_say_so_in_the_page(demo):
    _, old = call("GET", f"/enterprises/{E1}/code", "enterprise-1")
    call("POST", f"/enterprises/{E1}/code/reissue", "enterprise-1")
    status, html = page(old["token"])
    assert status == 422 and verdict(html) == "superseded" and "已作废" in html
    forged = old["token"].replace(E1, ENTERPRISES[1]["enterprise_id"])
    status, html = page(forged)
    assert status == 422 and verdict(html) == "forged" and ENTERPRISES[1]["name"] not in html
    status, html = page("%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert status == 422 and verdict(html) == "forged" and "<script>" not in html
