"""Through the local gateway: HTTP request -> token check -> v2.0 event -> handler -> HTTP response."""

import json

import pytest

from local import config, gateway, openapi
from local.demo_data import ENTERPRISES, IDENTITIES, MARKET
from sheqi import auth
from sheqi.auth import Identity
from tests.helpers import decode_qr, pdf_text

E1 = ENTERPRISES[0]["enterprise_id"]


@pytest.fixture
def client(demo):
    return gateway.create_app().test_client()


def bearer(name: str) -> dict:
    return {"Authorization": f"Bearer {auth.issue_token(IDENTITIES[name][1], config.jwt_secret())}"}


def test_authorised_request_reaches_the_handler_with_claims(client):
    response = client.get(f"/enterprises/{E1}", headers=bearer("enterprise-1"))
    assert response.status_code == 200
    assert response.get_json()["enterprise_id"] == E1
    assert response.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer not.a.jwt"},
        {"Authorization": "Bearer " + auth.issue_token(Identity("x", "platform_admin"), "forged-secret-" + "z" * 32)},
        {"Authorization": "Bearer " + auth.issue_token(Identity("x", "platform_admin"), config.jwt_secret(), ttl_seconds=-5)},
    ],
)
def test_the_authoriser_refuses_before_any_handler_runs(client, headers):
    response = client.get(f"/enterprises/{E1}", headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {"message": "Unauthorized"}  # API Gateway's own answer


def _token(claims: dict, secret: str | None = None) -> dict:
    import jwt

    payload = {"sub": "x", "role": "platform_admin", "iss": auth.ISSUER, "aud": auth.AUDIENCE, **claims}
    return {"Authorization": "Bearer " + jwt.encode(payload, secret or config.jwt_secret(), algorithm="HS256")}


EXPIRED = 'Bearer scope="" error="invalid_token" error_description="the token has expired"'


@pytest.mark.parametrize(
    "headers,challenge",
    [
        ({}, "Bearer"),  # no credentials: no error code (RFC 6750 3.1)
        (
            {"Authorization": "Bearer not.a.jwt"},
            'Bearer scope="" error="invalid_token" error_description="the token is malformed"',
        ),
        (_token({"iat": 1_700_000_000, "exp": 1_700_000_060}), EXPIRED),
        (
            _token({"iat": 1_700_000_000}),
            'Bearer scope="" error="invalid_token" error_description="the token is missing a numeric exp or iat claim"',
        ),
        (
            _token({"iat": 1_700_000_000, "exp": "4000000000"}),
            'Bearer scope="" error="invalid_token" error_description="the token is missing a numeric exp or iat claim"',
        ),
        (
            _token({"iat": 1_700_000_000, "exp": 4_000_000_000, "aud": "someone-else"}),
            'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"',
        ),
        (
            _token({"iat": 1_700_000_000, "exp": 4_000_000_000}, "forged-secret-" + "z" * 32),
            'Bearer scope="" error="invalid_token" error_description="the token signature is invalid"',
        ),
    ],
)
def test_a_refused_token_says_why_as_api_gateway_does(client, headers, challenge):
    """A phone refreshes on "the token has expired" and signs in again on anything else."""
    response = client.get(f"/enterprises/{E1}", headers=headers)
    assert response.status_code == 401 and response.get_json() == {"message": "Unauthorized"}
    assert response.headers["www-authenticate"] == challenge


def test_public_routes_need_no_token(client):
    response = client.get(f"/public/agencies/{MARKET}/items")
    assert response.status_code == 200
    assert {i["item_id"] for i in response.get_json()["items"]} == {"food-business", "special-equipment"}


def test_unknown_route_is_api_gateways_404(client):
    assert client.get("/nowhere").status_code == 404
    assert client.delete(f"/enterprises/{E1}", headers=bearer("platform")).status_code == 404


def test_register_then_scan_code_then_reissue(client):
    body = {
        "enterprise_id": "91130722MA0R7T8U9H",
        "name": "张北县光伏新能源有限公司",
        "region_code": "130722",
        "credit_tier": "good",
        "credit_source": "国家企业信用信息公示系统",
    }
    assert client.post("/enterprises", json=body, headers=bearer("platform")).status_code == 201
    code = client.get("/enterprises/91130722MA0R7T8U9H/code", headers=bearer("platform")).get_json()
    path = code["url"].split("://", 1)[1].split("/", 1)[1]
    door = client.get("/" + path)
    assert door.status_code == 200 and door.get_json()["name"] == "张北县光伏新能源有限公司"
    client.post("/enterprises/91130722MA0R7T8U9H/code/reissue", headers=bearer("platform"))
    assert client.get("/" + path).get_json()["error"]["code"] == "code_superseded"


def test_malformed_json_through_the_gateway_is_a_400(client):
    response = client.post("/enterprises", data=b"{not json", headers={**bearer("platform"), "Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed_json"


def test_code_png_and_poster_through_the_gateway(client):
    code = client.get(f"/enterprises/{E1}/code", headers=bearer("enterprise-1")).get_json()
    png = client.get(f"/enterprises/{E1}/code.png", headers=bearer("enterprise-1"))
    assert png.status_code == 200 and png.headers["Content-Type"] == "image/png"
    assert decode_qr(png.data) == code["url"]
    pdf = client.get(f"/enterprises/{E1}/poster?format=pdf", headers=bearer("platform"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "统一社会信用代码：" + E1 in pdf_text(pdf.data)
    bad = client.get(f"/enterprises/{E1}/poster?format=svg", headers=bearer("enterprise-1"))
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "format"
    assert client.get(f"/enterprises/{E1}/code.png", headers=bearer("enterprise-4")).status_code == 403
    assert client.get(f"/enterprises/{E1}/poster", headers=bearer("admin-market")).status_code == 403


def test_a_visit_from_scan_in_to_the_enterprises_rating(client):
    """The demo's whole visit over HTTP: two scans, a finding with a photo uploaded to the presigned URL,
    the close, and the enterprise reading the result, checking the chain and rating the visit."""
    import hashlib
    import uuid

    import requests

    from local.demo_data import demo_task_id
    from sheqi import clock
    from sheqi.signing import codes

    token = codes.code_url(codes.sign(E1, 1))
    for who in ("market-wang", "market-li"):
        scanned = client.post(
            "/scans",
            headers=bearer(who),
            json={
                "token": token,
                "task_id": demo_task_id("market-routine"),
                "client_request_id": uuid.uuid4().hex,
                "device_time": clock.now_iso(),
            },
        ).get_json()
    visit_id = scanned["visit_id"]
    assert scanned["outcome"] == "opened", scanned
    photo = b"\xff\xd8 cold store thermometer" * 50
    sha = hashlib.sha256(photo).hexdigest()
    grant = client.post(
        f"/visits/{visit_id}/evidence-uploads",
        headers=bearer("market-wang"),
        json={"kind": "photo", "content_type": "image/jpeg", "size": len(photo), "sha256": sha},
    ).get_json()
    assert requests.put(grant["upload_url"], data=photo, headers=grant["headers"], timeout=10).status_code == 200
    finding = client.post(
        f"/visits/{visit_id}/findings",
        headers=bearer("market-wang"),
        json={
            "agency_id": MARKET,
            "item_id": "food-business",
            "result": "compliant",
            "evidence": [{"key": grant["key"], "kind": "photo", "size": len(photo), "sha256": sha}],
        },
    )
    assert finding.status_code == 201, finding.get_json()
    closed = client.post(
        f"/visits/{visit_id}/close",
        headers=bearer("market-li"),
        json={"ended_at": clock.now_iso(), "outcome": "no_violation", "summary": "未发现问题"},
    )
    assert closed.status_code == 201, closed.get_json()

    listed = client.get(f"/enterprises/{E1}/inspections", headers=bearer("enterprise-1")).get_json()["items"]
    assert listed[0]["visit"]["visit_id"] == visit_id and listed[0]["visit"]["status"] == "closed"
    notices = client.get("/notices", headers=bearer("enterprise-1")).get_json()["items"]
    assert any(n["kind"] == "visit_result" and closed.get_json()["head"]["hash"] in n["body"] for n in notices)
    chain = client.get(f"/visits/{visit_id}/chain", headers=bearer("enterprise-1")).get_json()
    assert chain["intact"] and [e["kind"] for e in chain["events"]] == ["opened", "finding", "closed"]
    rated = client.post(
        f"/visits/{visit_id}/rating", headers=bearer("enterprise-1"), json={"conduct": 5, "procedure": 5, "efficiency": 4}
    )
    assert rated.status_code == 201


def test_every_url_a_phone_gets_follows_the_base_url(client, env, monkeypatch):
    """SHEQI_BASE_URL (phones on the LAN): the code's URL and the presigned upload URL are at that address,
    and an upload through it reaches the store and is accepted as evidence."""
    import hashlib
    import uuid
    from urllib.parse import urlsplit

    from local.demo_data import demo_task_id
    from sheqi import clock

    monkeypatch.setenv("SHEQI_BASE_URL", "http://192.168.1.20:8000")
    lan = config.environment(int(urlsplit(config.environment()["AWS_ENDPOINT_URL_S3"]).port))
    assert lan["PUBLIC_CODE_URL"] == "http://192.168.1.20:8000/c/"
    assert lan["S3_UPLOAD_ENDPOINT"] == f"http://192.168.1.20:8000{config.EVIDENCE_PROXY}"
    env(PUBLIC_CODE_URL=lan["PUBLIC_CODE_URL"], S3_UPLOAD_ENDPOINT=lan["S3_UPLOAD_ENDPOINT"])

    code = client.get(f"/enterprises/{E1}/code", headers=bearer("enterprise-1")).get_json()
    assert code["url"].startswith("http://192.168.1.20:8000/c/")
    for who in ("market-wang", "market-li"):
        scanned = client.post(
            "/scans",
            headers=bearer(who),
            json={
                "token": code["url"],
                "task_id": demo_task_id("market-routine"),
                "client_request_id": uuid.uuid4().hex,
                "device_time": clock.now_iso(),
            },
        ).get_json()
    photo = b"\xff\xd8 photo taken on the LAN" * 40
    sha = hashlib.sha256(photo).hexdigest()
    grant = client.post(
        f"/visits/{scanned['visit_id']}/evidence-uploads",
        headers=bearer("market-wang"),
        json={"kind": "photo", "content_type": "image/jpeg", "size": len(photo), "sha256": sha},
    ).get_json()
    url = urlsplit(grant["upload_url"])
    assert f"{url.scheme}://{url.netloc}" == "http://192.168.1.20:8000" and url.path.startswith(config.EVIDENCE_PROXY)
    # What the phone's PUT to 192.168.1.20:8000 reaches: this gateway, which hands it to the store.
    put = client.put(f"{url.path}?{url.query}", data=photo, headers=grant["headers"])
    assert put.status_code == 200, put.data
    finding = client.post(
        f"/visits/{scanned['visit_id']}/findings",
        headers=bearer("market-wang"),
        json={
            "agency_id": MARKET,
            "item_id": "food-business",
            "result": "compliant",
            "evidence": [{"key": grant["key"], "kind": "photo", "size": len(photo), "sha256": sha}],
        },
    )
    assert finding.status_code == 201, finding.get_json()


def test_the_spec_and_its_swagger_ui_are_served_locally(client):
    spec = client.get("/openapi.json")
    assert spec.status_code == 200 and spec.get_json() == json.loads(openapi.SPEC.read_text())
    page = client.get("/docs")
    assert page.status_code == 200 and 'url: "/openapi.json"' in page.get_data(as_text=True)
    assert "//" not in page.get_data(as_text=True).replace("<!doctype html>", "")  # no CDN: every file from here
    for name in ("swagger-ui.css", "swagger-ui-bundle.js"):
        served = client.get(f"/docs/{name}")
        assert served.status_code == 200 and len(served.get_data()) > 10_000, name


def test_a_line_break_in_a_path_reaches_the_function_and_is_answered_in_the_error_shape(client):
    # Found by schemathesis: Werkzeug's path converter stopped at %0A and answered its own HTML 404.
    response = client.get(f"/agencies/{MARKET}%0A", headers=bearer("platform"))
    assert (response.status_code, response.get_json()["error"]["code"]) == (404, "agency_not_found")


def test_every_answer_carries_the_request_id_the_function_saw(client):
    """API Gateway's `apigw-requestid` on every answer, its own refusals too; a function's answer repeats
    it as `X-Request-Id`, and an error body as `request_id`: one id to quote for one request."""
    ok = client.get(f"/enterprises/{E1}", headers=bearer("enterprise-1"))
    refused = client.get(f"/enterprises/{ENTERPRISES[1]['enterprise_id']}", headers=bearer("enterprise-1"))
    assert ok.headers["X-Request-Id"] == ok.headers["apigw-requestid"]
    assert refused.status_code == 403
    assert refused.get_json()["error"]["request_id"] == refused.headers["X-Request-Id"] == refused.headers["apigw-requestid"]
    assert ok.headers["apigw-requestid"] != refused.headers["apigw-requestid"]
    for gateway_only in (client.get(f"/enterprises/{E1}"), client.get("/nowhere")):
        assert gateway_only.status_code in (401, 404) and len(gateway_only.headers["apigw-requestid"]) == 16
        assert "X-Request-Id" not in gateway_only.headers
