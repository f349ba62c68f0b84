"""The inspector's phone through the local gateway, knowing no id in advance: sign in (a token, as
`make token` gives), `GET /me`, `GET /tasks?mine=true`, the enterprise's QR code at the door, `POST /scans`."""

import uuid

import pytest

from local import config, gateway
from local.demo_data import IDENTITIES
from sheqi import auth, clock
from tests.helpers import decode_qr


@pytest.fixture
def client(demo):
    return gateway.create_app().test_client()


def signed_in(name: str) -> dict:
    return {"Authorization": f"Bearer {auth.issue_token(IDENTITIES[name][1], config.jwt_secret())}"}


def test_from_sign_in_to_scan_without_knowing_any_id(client):
    phones = {who: signed_in(who) for who in ("market-wang", "market-li")}

    me = client.get("/me", headers=phones["market-wang"])
    assert me.status_code == 200 and me.headers["X-Request-Id"] == me.headers["apigw-requestid"]
    me = me.get_json()
    assert me["role"] == "inspector" and me["certificate"]["may_inspect"] is True

    tasks = client.get("/tasks?mine=true", headers=phones["market-wang"]).get_json()["items"]
    task = next(t for t in tasks if t["current"])
    assert task["lead_agency"]["agency_id"] == me["agency"]["agency_id"]
    teammate = task["other_inspectors"][0]["inspector_id"]
    enterprise = task["enterprises"][0]
    assert enterprise["name"] and enterprise["address"]

    # At the door the enterprise shows its code (its own phone knows its id from its own /me).
    owner = next(n for n, (_, i) in IDENTITIES.items() if i.enterprise_id == enterprise["enterprise_id"])
    own = client.get("/me", headers=signed_in(owner)).get_json()["enterprise"]["enterprise_id"]
    png = client.get(f"/enterprises/{own}/code.png", headers=signed_in(owner))
    scanned_code = decode_qr(png.data)

    answers = []
    for who in ("market-wang", teammate):
        response = client.post(
            "/scans",
            headers=phones[who],
            json={
                "token": scanned_code,
                "task_id": task["task_id"],
                "client_request_id": str(uuid.uuid4()),
                "device_time": clock.now_iso(),
            },
        )
        answers.append((response.status_code, response.get_json()))
    assert [(s, a["outcome"]) for s, a in answers] == [(202, "pending"), (201, "opened")], answers
    assert answers[1][1]["visit_id"]


def test_the_approval_notice_is_how_a_new_task_reaches_the_phone(client):
    from tests.handlers.scanning import E1

    body = {
        "type": "routine",
        "method": "on_site",
        "targets": [E1],
        "participants": [
            {
                "agency_id": IDENTITIES["admin-market"][1].agency_id,
                "item_ids": ["food-business"],
                "inspector_ids": ["market-wang", "market-li"],
            }
        ],
        "window_start": f"{clock.today()}T00:00:00+08:00",
        "window_end": f"{clock.today()}T23:59:59+08:00",
    }
    created = client.post("/tasks", json=body, headers=signed_in("admin-market"))
    assert created.status_code == 201, created.get_json()
    newest = client.get("/notices?limit=1", headers=signed_in("market-li")).get_json()["items"][0]
    assert newest["kind"] == "task_assigned" and newest["notice_id"] == f"task-assigned:{created.get_json()['task_id']}"
