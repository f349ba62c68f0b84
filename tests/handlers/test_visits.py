"""The visit record through the handlers: findings with evidence, closing, corrections, the hash chain,
and who may write and read it (Art. 19, 25, 26, 29)."""

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import boto3
import requests

from local import config
from local.demo_data import ENTERPRISES, MARKET, ZHANGBEI
from local.invoke import invoke
from sheqi.auth import Identity
from sheqi.registry import registers
from sheqi.rules.articles import ART
from sheqi.store.notices import Notice
from sheqi.store.obligations import Obligation
from sheqi.store.tasks import Task
from sheqi.store.visits import Visit, VisitEvent
from tests.handlers.scanning import E1, NOW, at_visit, new_task, open_visit, scan
from tests.helpers import call, sample_event

FOOD = {"agency_id": MARKET, "item_id": "food-business"}
EQUIPMENT = {"agency_id": MARKET, "item_id": "special-equipment"}


def visit_with_two_items() -> str:
    task = new_task(
        participants=[
            {
                "agency_id": MARKET,
                "item_ids": ["food-business", "special-equipment"],
                "inspector_ids": ["market-wang", "market-li"],
            }
        ]
    )
    status, answer = open_visit(task)
    assert status == 201, answer
    return answer["visit_id"]


def upload(visit_id: str, content: bytes, who="market-wang", kind="photo", content_type="image/jpeg") -> dict:
    sha = hashlib.sha256(content).hexdigest()
    status, grant = call(
        "POST",
        f"/visits/{visit_id}/evidence-uploads",
        who,
        {"kind": kind, "content_type": content_type, "size": len(content), "sha256": sha},
    )
    assert status == 201, grant
    assert requests.put(grant["upload_url"], data=content, headers=grant["headers"], timeout=10).status_code == 200
    return {"key": grant["key"], "kind": kind, "size": len(content), "sha256": sha}


def close_body(outcome="no_violation", **extra) -> dict:
    return {"ended_at": NOW.isoformat(), "outcome": outcome, "summary": "现场检查完毕", **extra}


def head(visit_id: str) -> int:
    return int(Visit.get(visit_id).head_seq)


def test_log_close_and_tell_the_enterprise(june, monkeypatch):
    visit_id = visit_with_two_items()
    photo = upload(visit_id, b"\xff\xd8 photo of the cold store" * 100)
    status, answer = call(
        "POST",
        f"/visits/{visit_id}/findings",
        "market-wang",
        {**FOOD, "result": "violation", "notes": "冷藏柜温度 9℃，超过要求", "evidence": [photo]},
    )
    assert status == 201 and answer["event"]["seq"] == 2, answer
    assert call("POST", f"/visits/{visit_id}/findings", "market-li", {**EQUIPMENT, "result": "compliant"})[0] == 201
    monkeypatch.setattr("sheqi.clock.now", lambda: NOW + timedelta(hours=1, minutes=5))
    status, closed = call(
        "POST",
        f"/visits/{visit_id}/close",
        "market-li",
        close_body("correction_ordered", correction_deadline="2026-06-25", ended_at=(NOW + timedelta(hours=1)).isoformat()),
    )
    assert status == 201 and closed["status"] == "closed" and closed["head"]["seq"] == 4, closed

    result = Notice.get(f"enterprise:{E1}", f"visit-result:{visit_id}")
    assert "责令限期改正" in result.body and "2026-06-25" in result.body and closed["head"]["hash"] in result.body
    status, detail = call("GET", f"/visits/{visit_id}", "enterprise-1")
    assert status == 200
    assert [i["certificate_no"] for i in detail["inspectors"]] == ["13072201001", "13072201002"]
    food = next(i for i in detail["items"] if i["item_id"] == "food-business")
    assert (
        food["legal_basis"].startswith("《中华人民共和国食品安全法》")
        and food["finding"]["evidence"][0]["sha256"] == photo["sha256"]
    )
    assert [e["kind"] for e in detail["timeline"]] == ["opened", "finding", "finding", "closed"]
    assert detail["outcome"]["outcome"] == "correction_ordered"
    status, chain = call("GET", f"/visits/{visit_id}/chain", "enterprise-1")
    assert status == 200 and chain["intact"] and chain["head"] == closed["head"]
    # The slot is free again: a later scan that day by the same agency opens a new visit, not this one
    # (over the yearly cap, so at the enterprise's own request: Art. 12(5)).
    status, request = call(
        "POST",
        f"/enterprises/{E1}/inspection-requests",
        "enterprise-1",
        {"agency_id": MARKET, "description": "整改完成，申请复查食品经营情况"},
    )
    assert status == 201
    again = new_task(exception={"reason": 5, "ground": {"kind": "enterprise_request", "reference": request["request_id"]}})
    assert open_visit(again, at=NOW + timedelta(hours=1))[1]["visit_id"] not in (None, visit_id)


def test_only_the_team_writes(june):
    visit_id = visit_with_two_items()
    before = head(visit_id)
    for who, code in (
        ("market-zhao", "not_visit_team"),
        ("police-zhang", "not_visit_team"),
        ("admin-market", "not_visit_team"),
        ("enterprise-1", "not_visit_team"),
    ):
        status, answer = call("POST", f"/visits/{visit_id}/findings", who, {**FOOD, "result": "compliant"})
        assert (status, answer["error"]["code"]) == (403, code), who
    assert head(visit_id) == before


def test_close_refused_with_every_problem_and_nothing_written(june):
    visit_id = visit_with_two_items()
    call("POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": "violation", "notes": "无证经营"})
    before = head(visit_id)
    status, answer = call("POST", f"/visits/{visit_id}/close", "market-wang", close_body("no_violation"))
    assert status == 422 and answer["error"]["code"] == "findings_missing" and answer["error"]["article"] == ART[19]
    assert {p["code"] for p in answer["error"]["details"]["problems"]} == {"findings_missing", "outcome_contradicts_findings"}
    assert head(visit_id) == before and Visit.get(visit_id).status == "open"


def test_a_compliant_visit_transfers_another_matter_due_in_ten_working_days(june):
    """Art. 26: the agency's own items are compliant; a matter outside its jurisdiction is transferred, and a
    suspected crime referred as its own kind. The result notice carries no invented finding."""
    visit_id = visit_with_two_items()
    for item in (FOOD, EQUIPMENT):
        call("POST", f"/visits/{visit_id}/findings", "market-wang", {**item, "result": "compliant"})
    transfers = [
        {
            "kind": "administrative",
            "matter": "仓库存放疑似未经许可的危险化学品",
            "to_authority": "张北县应急管理局",
            "basis": "《危险化学品安全管理条例》第六条：应急管理部门负责危险化学品安全监督管理",
        },
        {
            "kind": "criminal",
            "matter": "疑似生产销售伪劣产品，涉案金额较大",
            "to_authority": "张北县公安局",
            "basis": "《行政执法机关移送涉嫌犯罪案件的规定》第三条",
        },
    ]
    status, closed = call("POST", f"/visits/{visit_id}/close", "market-wang", close_body("no_violation", transfers=transfers))
    # From Monday 15 June 2026: the Dragon Boat holiday (Friday 19 June) is not a working day.
    assert status == 201, closed
    assert closed["outcome"]["transfers"][0]["due"] == {"due": "2026-06-30", "provisional": False}
    assert "due" not in closed["outcome"]["transfers"][1]
    transfer = Obligation.get(f"case_transfer:{visit_id}:1")
    assert (transfer.status, transfer.due, transfer.owner) == ("open", "2026-06-30", f"agency:{MARKET}")
    assert Obligation.count(f"case_transfer:{visit_id}:2") == 0  # the referral follows its own regulation
    result = Notice.get(f"enterprise:{E1}", f"visit-result:{visit_id}").body
    assert "未发现违法行为" in result and "危险化学品" in result and "张北县应急管理局" in result
    assert "公安" not in result and "查封" not in result
    done = {"transfer_no": 1, "transferred_on": "2026-06-18", "document_no": "张市监移〔2026〕12号"}
    assert call("POST", f"/visits/{visit_id}/transfer-completed", "police-zhang", done)[0] == 403
    status, answer = call("POST", f"/visits/{visit_id}/transfer-completed", "admin-market", done)
    assert status == 201 and answer["transfer"]["completed"]["late"] is False, answer
    assert Obligation.get(f"case_transfer:{visit_id}:1").status == "done"
    assert (
        call("POST", f"/visits/{visit_id}/transfer-completed", "market-wang", done)[1]["error"]["code"]
        == "transfer_already_completed"
    )
    assert (
        call("POST", f"/visits/{visit_id}/transfer-completed", "market-wang", {**done, "transfer_no": 3})[1]["error"]["code"]
        == "no_transfer"
    )
    assert call("GET", f"/visits/{visit_id}/chain", "enterprise-1")[1]["events"][-1]["kind"] == "transfer_completed"


def test_a_transfer_to_the_agency_itself_is_refused(june):
    visit_id = visit_with_two_items()
    for item in (FOOD, EQUIPMENT):
        call("POST", f"/visits/{visit_id}/findings", "market-wang", {**item, "result": "compliant"})
    own = [
        {
            "kind": "administrative",
            "matter": "食品经营许可证过期",
            "to_authority": "张北县市场监督管理局",
            "basis": "《食品安全法》第三十五条",
            "to_agency_id": MARKET,
        }
    ]
    status, answer = call("POST", f"/visits/{visit_id}/close", "market-wang", close_body("no_violation", transfers=own))
    assert status == 422 and (answer["error"]["code"], answer["error"]["article"]) == ("transfer_to_own_agency", ART[26])
    assert Visit.get(visit_id).status == "open"


def test_closing_opens_the_result_and_rating_obligations(june):
    visit_id = visit_with_two_items()
    for item in (FOOD, EQUIPMENT):
        call("POST", f"/visits/{visit_id}/findings", "market-wang", {**item, "result": "compliant"})
    call("POST", f"/visits/{visit_id}/close", "market-wang", close_body())
    result = Obligation.get(f"result_notice:{visit_id}")
    invite = Obligation.get(f"rating_invite:{visit_id}")
    assert (result.owner, result.due) == (f"agency:{MARKET}", "2026-06-16")
    assert (invite.owner, invite.due, invite.next_stage_on) == (f"enterprise:{E1}", "2026-07-15", "2026-06-15")
    assert call("POST", f"/visits/{visit_id}/rating", "enterprise-1", {"conduct": 5, "procedure": 5, "efficiency": 5})[0] == 201
    assert Obligation.get(f"rating_invite:{visit_id}").status == "done"


def test_closed_visit_is_only_corrected_by_a_signed_appended_event(june):
    visit_id = visit_with_two_items()
    for item in (FOOD, EQUIPMENT):
        call("POST", f"/visits/{visit_id}/findings", "market-wang", {**item, "result": "compliant", "notes": "正常"})
    call("POST", f"/visits/{visit_id}/close", "market-wang", close_body())
    status, answer = call("POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": "violation"})
    assert (status, answer["error"]["code"]) == (409, "visit_closed")

    # Making the food item a violation contradicts "no violation": the outcome must be corrected with it.
    alone = {"reason": "录入错误：冷藏温度超标未记录", "findings": [{**FOOD, "result": "violation", "notes": "冷藏柜 9℃"}]}
    status, answer = call("POST", f"/visits/{visit_id}/corrections", "market-wang", alone)
    assert (status, answer["error"]["code"]) == (422, "outcome_contradicts_findings")
    both = {**alone, "outcome": close_body("guidance", summary="已当场指导整改")}
    status, answer = call("POST", f"/visits/{visit_id}/corrections", "market-wang", both)
    assert status == 201, answer
    assert call("POST", f"/visits/{visit_id}/corrections", "police-zhang", both)[0] == 403

    detail = call("GET", f"/visits/{visit_id}", "enterprise-1")[1]
    correction = detail["timeline"][-1]
    assert correction["kind"] == "correction" and correction["payload"]["signer"]["certificate_no"] == "13072201001"
    assert correction["payload"]["replaces"] == [2, 4]  # the food finding and the close
    assert detail["outcome"]["outcome"] == "guidance"
    assert next(i for i in detail["items"] if i["item_id"] == "food-business")["finding"]["result"] == "violation"
    assert detail["timeline"][1]["payload"]["result"] == "compliant"  # the original stays in the record
    assert Notice.get(f"enterprise:{E1}", f"visit-correction:{visit_id}:5").kind == "visit_correction"
    assert call("GET", f"/visits/{visit_id}/chain", "enterprise-1")[1]["intact"]


def test_altered_or_removed_stored_event_is_detected(june):
    visit_id = visit_with_two_items()
    call("POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": "violation", "notes": "无证经营"})
    call("POST", f"/visits/{visit_id}/findings", "market-wang", {**EQUIPMENT, "result": "compliant"})
    client = boto3.client("dynamodb", endpoint_url=config.os.environ["DYNAMODB_ENDPOINT"])
    table = VisitEvent.Meta.table_name
    key = {"visit_id": {"S": visit_id}, "seq": {"N": "2"}}
    stored = client.get_item(TableName=table, Key=key)["Item"]
    client.put_item(TableName=table, Item={**stored, "payload": {"S": stored["payload"]["S"].replace("violation", "compliant")}})
    chain = call("GET", f"/visits/{visit_id}/chain", "enterprise-1")[1]
    assert not chain["intact"] and chain["problems"][0]["seq"] == 2 and chain["problems"][0]["code"] == "content_altered"

    client.put_item(TableName=table, Item=stored)  # restored: intact again
    assert call("GET", f"/visits/{visit_id}/chain", "enterprise-1")[1]["intact"]
    client.delete_item(TableName=table, Key={"visit_id": {"S": visit_id}, "seq": {"N": "3"}})
    chain = call("GET", f"/visits/{visit_id}/chain", "judicial-zhangbei")[1]
    assert not chain["intact"] and {"seq": 3, "code": "event_missing"}.items() <= chain["problems"][0].items()


def test_evidence_must_be_the_uploaded_file(june):
    visit_id = visit_with_two_items()
    content = b"audio of the interview" * 50
    sha = hashlib.sha256(content).hexdigest()
    missing = {"key": f"visits/{visit_id}/{sha}", "kind": "audio", "size": len(content), "sha256": sha}
    status, answer = call(
        "POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": "compliant", "evidence": [missing]}
    )
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (422, "evidence_not_uploaded", "item_id.evidence.0")
    # Another body under the key (moto does not enforce the signed checksum; S3 does): found on recording.
    status, grant = call(
        "POST",
        f"/visits/{visit_id}/evidence-uploads",
        "market-wang",
        {"kind": "audio", "content_type": "audio/mpeg", "size": len(content), "sha256": sha},
    )
    requests.put(grant["upload_url"], data=b"x" * len(content), headers=grant["headers"], timeout=10)
    status, answer = call(
        "POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": "compliant", "evidence": [missing]}
    )
    assert (status, answer["error"]["code"]) == (422, "evidence_mismatch")
    other = visit_with_two_items_elsewhere()
    photo = upload(other, b"photo" * 10, who="police-zhang")
    status, answer = call(
        "POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": "compliant", "evidence": [photo]}
    )
    assert (status, answer["error"]["code"]) == (422, "evidence_foreign")
    status, answer = call(
        "POST",
        f"/visits/{visit_id}/evidence-uploads",
        "market-wang",
        {"kind": "photo", "content_type": "video/mp4", "size": 10, "sha256": sha},
    )
    assert (status, answer["error"]["code"]) == (422, "invalid_content_type")
    assert head(visit_id) == 1


def visit_with_two_items_elsewhere() -> str:
    e4 = ENTERPRISES[3]["enterprise_id"]
    task = new_task(
        admin="admin-police",
        targets=(e4,),
        type="case",
        trigger={"kind": "complaint", "reference": "HL-1"},
        participants=[
            {
                "agency_id": registers.get_inspector("police-zhang").agency_id,
                "item_ids": ["fire-safety"],
                "inspector_ids": ["police-zhang", "police-liu"],
            }
        ],
    )
    status, answer = open_visit(task, enterprise=e4, pair=("police-zhang", "police-liu"))
    assert status == 201, answer
    return answer["visit_id"]


def test_concurrent_writers_never_fork_the_chain(june):
    visit_id = visit_with_two_items()
    bodies = [{**(FOOD if n % 2 else EQUIPMENT), "result": "compliant", "notes": f"第{n}次记录"} for n in range(8)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(
                lambda b: call("POST", f"/visits/{visit_id}/findings", "market-wang" if "1" in b["notes"] else "market-li", b)[0],
                bodies,
            )
        )
    assert statuses == [201] * 8
    chain = call("GET", f"/visits/{visit_id}/chain", "admin-market")[1]
    assert chain["intact"] and [e["seq"] for e in chain["events"]] == list(range(1, 10))


def test_enterprise_lists_its_inspections_newest_first(june):
    first = visit_with_two_items()
    refused = scan("market-zhao", new_task(), at=NOW + timedelta(minutes=5))  # lapsed certificate (Art. 4)
    assert refused[1]["outcome"] == "refused"
    status, page = call("GET", f"/enterprises/{E1}/inspections", "enterprise-1", query="limit=1")
    assert status == 200 and [r["outcome"] for r in page["items"]] == ["refused"]
    assert page["items"][0]["reasons"][0]["article"] == ART[4]
    status, rest = call("GET", f"/enterprises/{E1}/inspections", "enterprise-1", query=f"limit=5&cursor={page['next_cursor']}")
    # the visit, and before it the lone inspector who waited at the door for a second (Art. 19, 24)
    # (the test's clock is frozen: both at one instant)
    assert sorted((r["outcome"], r["visit"] and r["visit"]["visit_id"]) for r in rest["items"]) == [
        ("opened", first),
        ("pending", None),
    ]
    assert rest["next_cursor"] is None
    for who in ("enterprise-4", "admin-market", "market-wang", "judicial-huailai"):
        assert call("GET", f"/enterprises/{E1}/inspections", who)[0] == 403, who
    assert call("GET", f"/enterprises/{E1}/inspections", "judicial-city")[0] == 200


def test_other_agencies_of_the_region_read_closed_summaries_only(june):
    emergency = registers.create_agency(
        registers.AgencyIn(
            agency_id="11130722000013099H",
            name="张北县应急管理局",
            level="county",
            region_code=ZHANGBEI,
            kind="enforcement_agency",
        )
    )
    neighbour = Identity("admin-emergency", "agency_admin", agency_id=emergency.agency_id, region_code=ZHANGBEI)
    visit_id = visit_with_two_items()
    secret = upload(visit_id, b"recipe photo" * 20)
    call(
        "POST",
        f"/visits/{visit_id}/findings",
        "market-wang",
        {**FOOD, "result": "compliant", "notes": "配方工艺（商业秘密）", "trade_secret": True, "evidence": [secret]},
    )
    assert call("GET", f"/visits/{visit_id}", neighbour)[0] == 403  # still open
    call("POST", f"/visits/{visit_id}/findings", "market-wang", {**EQUIPMENT, "result": "compliant", "notes": "锅炉定期检验合格"})
    call("POST", f"/visits/{visit_id}/close", "market-wang", close_body())

    status, shared = call("GET", f"/visits/{visit_id}", neighbour)
    assert status == 200 and "timeline" not in shared and "inspectors" not in shared
    notes = {i["item_id"]: i["notes"] for i in shared["items"]}
    assert notes == {"food-business": None, "special-equipment": "锅炉定期检验合格"}
    assert "evidence" not in str(shared) and secret["sha256"] not in str(shared)
    status, listed = call("GET", f"/enterprises/{E1}/visits", neighbour)
    assert status == 200 and [v["visit_id"] for v in listed["items"]] == [visit_id]
    assert call("GET", f"/visits/{visit_id}/chain", neighbour)[0] == 403
    for who in ("admin-police", "police-zhang", "admin-lab", "enterprise-4"):  # other region, no power, other firm
        assert call("GET", f"/visits/{visit_id}", who)[0] == 403, who
        assert call("GET", f"/enterprises/{E1}/visits", who)[0] == 403, who
    full = call("GET", f"/visits/{visit_id}", "admin-market")[1]
    assert full["items"][0]["finding"]["notes"] == "配方工艺（商业秘密）"


def test_phone_sample_event_records_a_finding(june):
    visit_id = visit_with_two_items()
    photo = upload(visit_id, b"photo from the sample" * 30)
    body = {**json.loads(sample_event("http/record_finding.json")["body"]), "evidence": [photo]}
    result = invoke("functions/visits/handler.handler", "visits", at_visit("http/record_finding.json", visit_id, body))
    assert result["statusCode"] == 201, result
    finding = Visit.get(visit_id).findings[f"{MARKET}/food-business"]
    assert finding["result"] == "violation" and finding["evidence"][0]["sha256"] == photo["sha256"]


def test_the_enterprise_sees_who_approved_the_inspection_and_when_its_type_and_trigger(june):
    """Art. 24: through the visit the enterprise verifies the inspection itself: the task's type (Art. 6) and
    trigger, and which agency approved it beforehand, who and when (Art. 19)."""
    task = new_task(type="case", trigger={"kind": "complaint", "reference": "12345-2026-0612"})
    visit_id = open_visit(task)[1]["visit_id"]
    approved_at = Task.get(task).participants[0]["approved_at"]
    status, seen = call("GET", f"/visits/{visit_id}", "enterprise-1")
    assert status == 200
    [shown] = seen["tasks"]
    assert (shown["task_id"], shown["type_label"], shown["method_label"]) == (task, "个案检查", "现场检查")
    assert shown["trigger"] == {"kind": "complaint", "reference": "12345-2026-0612", "label": "投诉举报"}
    assert shown["approvals"] == [
        {"agency_id": MARKET, "agency_name": "张北县市场监督管理局", "approved_by": "admin-market", "approved_at": approved_at}
    ]
    assert approved_at == NOW.isoformat(timespec="seconds") and shown["article"] == ART[24]
    listed = call("GET", f"/enterprises/{E1}/inspections", "enterprise-1")[1]
    opened = next(r for r in listed["items"] if r["outcome"] == "opened")
    assert opened["visit"]["tasks"] == [shown]


LAB_HELP = {
    "kind": "testing_body",
    "name": "张家口市食品检验检测中心",
    "reason": "现场快检需专业判定",
    "advice": "快检结果阴性，建议抽样送检复核",
}


def test_third_parties_who_assisted_are_recorded_with_the_finding_and_never_count_as_inspectors(june):
    """Art. 20: who assisted, why and the advice given, in the visit's chain with the finding; the team stays
    the inspectors who scanned in, and the lab's own staff cannot scan in to make up a team (Art. 4)."""
    task = new_task()
    assert scan("market-wang", task)[1]["outcome"] == "pending"
    assert scan("lab-chen", task)[1]["outcome"] == "refused"  # a third party is no second inspector
    visit_id = scan("market-li", task)[1]["visit_id"]
    expert = {
        "kind": "expert",
        "name": "刘工",
        "organisation": "河北北方学院",
        "reason": "设备工艺判断",
        "advice": "工艺符合规范",
    }
    status, _ = call(
        "POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": "compliant", "assisted_by": [LAB_HELP, expert]}
    )
    assert status == 201
    visit = Visit.get(visit_id)
    assert [i["inspector_id"] for i in visit.inspectors] == ["market-wang", "market-li"]
    last = list(VisitEvent.query(visit_id))[-1]
    assert last.kind == "finding" and last.payload["assisted_by"] == [{**LAB_HELP, "organisation": None}, expert]
    seen = call("GET", f"/visits/{visit_id}", "enterprise-1")[1]
    assert [(a["name"], a["kind_label"], a["item_id"]) for a in seen["assisted_by"]] == [
        ("张家口市食品检验检测中心", "检验检测机构", "food-business"),
        ("刘工", "行业专家", "food-business"),
    ]
    assert len(seen["inspectors"]) == 2
    call("POST", f"/visits/{visit_id}/close", "market-wang", close_body())
    result = Notice.get(f"enterprise:{E1}", f"visit-result:{visit_id}").body
    assert (
        "张家口市食品检验检测中心（检验检测机构，事由：现场快检需专业判定）" in result and "不属于执法人员（第二十条）" in result
    )
    # bad input: a kind not in the list is refused, naming the field, and nothing is appended
    head_before = head(visit_id)
    status, error = call(
        "POST",
        f"/visits/{visit_id}/corrections",
        "market-wang",
        {
            "reason": "补记协助人员",
            "findings": [{**FOOD, "result": "compliant", "assisted_by": [{**LAB_HELP, "kind": "intermediary"}]}],
        },
    )
    assert status == 422 and error["error"]["field"] == "findings.0.assisted_by.0.kind" and head(visit_id) == head_before


def test_the_documents_carry_the_key_elements_of_the_form_they_name(june):
    """Art. 22: the advance notice (行政检查通知书), the visit record (现场检查笔录) and the result notice each
    name their form and carry its key elements."""
    from sheqi.rules import documents

    task = new_task(type="case", trigger={"kind": "complaint", "reference": "12345-2026-0612"})
    announced = Notice.get(f"enterprise:{E1}", f"task-announced:{task}").body
    for text in (
        "张北县市场监督管理局",
        "食品经营",
        "《中华人民共和国食品安全法》",
        "现场检查",
        "个案检查（投诉举报 12345-2026-0612）",
        "2名执法人员",
        "出示执法证件",
        "申请回避",
        "投诉举报",
        "《行政检查通知书》",
        ART[22],
    ):
        assert text in announced, text
    visit_id = open_visit(task)[1]["visit_id"]
    call("POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": "compliant"})
    record = call("GET", f"/visits/{visit_id}", "enterprise-1")[1]["document"]
    assert record["follows"].endswith("现场检查笔录") and record["missing"] == []
    call("POST", f"/visits/{visit_id}/close", "market-wang", close_body())
    result = Notice.get(f"enterprise:{E1}", f"visit-result:{visit_id}").body
    for text in (
        "检查机关：张北县市场监督管理局",
        "检查时间：2026-06-15 10:00至2026-06-15 10:00",
        "食品经营",
        "未发现违法行为",
        "处理意见：无。",
        "向司法行政机关投诉",
        documents.FORMS["result_notice"].follows,
    ):
        assert text in result, text
