"""Demo data: one city and two counties of Zhangjiakou, agencies with and without enforcement power,
inspectors of every kind Art. 4 distinguishes, five enterprises across the credit tiers, published
inspection items, plans, tasks (one joint), an enterprise's own request and the Art. 12 task citing it,
a visit closed with a transfer (Art. 26) and an emergency campaign (Art. 13). Loaded through the same
functions the API uses."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sheqi import clock, store
from sheqi.auth import Identity
from sheqi.errors import Conflict, NotFound
from sheqi.inputs import parse
from sheqi.inspections import scanin, tasks, visits
from sheqi.plans import campaigns, filing
from sheqi.registry import registers
from sheqi.rules import regions, uscc
from sheqi.signing import codes
from sheqi.store.notices import Contact
from sheqi.store.registers import Enterprise
from sheqi.store.supervision import Letter
from sheqi.store.visits import Scan, Visit
from sheqi.supervision import letters

CITY, ZHANGBEI, HUAILAI = "130700", "130722", "130730"


def _uscc(prefix: str, region: str, org: str) -> str:
    first17 = f"{prefix}{region}{org}"
    return first17 + uscc.check_character(first17)


MARKET = _uscc("11", ZHANGBEI, "000013072")  # 张北县市场监督管理局
POLICE = _uscc("11", HUAILAI, "000013073")  # 怀来县公安局
LAB = _uscc("12", CITY, "0000130TC")  # 张家口市检验检测中心 (no enforcement power)

AGENCIES = [
    dict(
        agency_id=MARKET,
        name="张北县市场监督管理局",
        level="county",
        region_code=ZHANGBEI,
        kind="enforcement_agency",
        certificate_kind="enforcement",
    ),
    dict(
        agency_id=POLICE,
        name="怀来县公安局",
        level="county",
        region_code=HUAILAI,
        kind="enforcement_agency",
        certificate_kind="police",
    ),
    dict(
        agency_id=LAB,
        name="张家口市检验检测中心",
        level="city",
        region_code=CITY,
        kind="testing_institution",
        certificate_kind="enforcement",
    ),
]

ENTERPRISES = [
    dict(
        enterprise_id=_uscc("91", ZHANGBEI, "MA0A1B2C3"),
        name="张北县风电设备制造有限公司",
        region_code=ZHANGBEI,
        credit_tier="good",
        address="张北县张北镇工业园区1号",
        contact_phone="13903130001",
        latitude=41.1589,
        longitude=114.7153,
    ),
    dict(
        enterprise_id=_uscc("91", ZHANGBEI, "MA0D4E5F6"),
        name="张北县草原乳业有限公司",
        region_code=ZHANGBEI,
        credit_tier="average",
        address="张北县公会镇乳业园2号",
        contact_phone="13903130002",
    ),
    dict(
        enterprise_id=_uscc("91", ZHANGBEI, "MA0G7H8J9"),
        name="张北县坝上餐饮管理有限公司",
        region_code=ZHANGBEI,
        credit_tier="poor",
        address="张北县张北镇永春街18号",
        contact_phone="13903130003",
    ),
    dict(
        enterprise_id=_uscc("91", HUAILAI, "MA0K1L2M3"),
        name="怀来县葡萄酒酿造有限公司",
        region_code=HUAILAI,
        credit_tier="good",
        address="怀来县沙城镇葡萄酒产业园",
        contact_phone="13903130004",
        latitude=40.4154,
        longitude=115.5176,
    ),
    dict(
        enterprise_id=_uscc("91", HUAILAI, "MA0N4P5Q6"),
        name="怀来县京张物流有限公司",
        region_code=HUAILAI,
        credit_tier="average",
        address="怀来县东花园镇物流园8号",
        contact_phone="13903130005",
    ),
]


def _inspectors(today: date) -> list[tuple[str, dict]]:
    valid = dict(valid_from=(today - timedelta(days=400)).isoformat(), valid_until=(today + timedelta(days=700)).isoformat())
    soon = dict(valid_from=(today - timedelta(days=1000)).isoformat(), valid_until=(today + timedelta(days=20)).isoformat())
    lapsed = dict(valid_from=(today - timedelta(days=1100)).isoformat(), valid_until=(today - timedelta(days=5)).isoformat())
    return [
        (
            MARKET,
            dict(
                inspector_id="market-wang",
                name="王建国",
                staff_category="formal",
                certificate_no="13072201001",
                certificate_kind="enforcement",
                **valid,
            ),
        ),
        (
            MARKET,
            dict(
                inspector_id="market-li",
                name="李秀英",
                staff_category="formal",
                certificate_no="13072201002",
                certificate_kind="enforcement",
                **soon,
            ),
        ),
        (
            MARKET,
            dict(
                inspector_id="market-zhao",
                name="赵志强",
                staff_category="formal",
                certificate_no="13072201003",
                certificate_kind="enforcement",
                **lapsed,
            ),
        ),
        (MARKET, dict(inspector_id="market-aux-sun", name="孙小明", staff_category="auxiliary")),
        (
            POLICE,
            dict(
                inspector_id="police-zhang",
                name="张卫东",
                staff_category="formal",
                certificate_no="130730P0001",
                certificate_kind="police",
                **valid,
            ),
        ),
        (
            POLICE,
            dict(
                inspector_id="police-liu",
                name="刘海涛",
                staff_category="formal",
                certificate_no="130730P0002",
                certificate_kind="police",
                **valid,
            ),
        ),
        (
            LAB,
            dict(
                inspector_id="lab-chen",
                name="陈检测",
                staff_category="formal",
                certificate_no="130700T0001",
                certificate_kind="enforcement",
                **valid,
            ),
        ),
    ]


ITEMS = [
    (
        MARKET,
        dict(
            item_id="food-business",
            name="食品经营者食品安全检查",
            legal_basis="《中华人民共和国食品安全法》第八十七条、第一百一十条",
            inspection_standard="河北省食品经营日常监督检查要点表",
            responsible_unit="食品经营监管股",
            frequency_caps=dict(good=1, average=2, poor=4),
        ),
    ),
    (
        MARKET,
        dict(
            item_id="special-equipment",
            name="特种设备使用单位安全检查",
            legal_basis="《中华人民共和国特种设备安全法》第五十七条",
            responsible_unit="特种设备安全监察股",
            frequency_caps=dict(good=1, average=1, poor=3),
        ),
    ),
    (
        POLICE,
        dict(
            item_id="fire-safety",
            name="单位消防安全检查",
            legal_basis="《中华人民共和国消防法》第五十三条；《消防监督检查规定》第十条",
            responsible_unit="治安管理大队",
            frequency_caps=dict(good=1, average=2, poor=4),
        ),
    ),
]

# Demo identities for `make token NAME=...`: name -> (label, claims).
IDENTITIES: dict[str, tuple[str, Identity]] = {
    "platform": ("平台管理员", Identity("platform-admin", "platform_admin")),
    "judicial-city": ("张家口市司法局", Identity("judicial-130700", "judicial", region_code=CITY)),
    "judicial-zhangbei": ("张北县司法局", Identity("judicial-130722", "judicial", region_code=ZHANGBEI)),
    "judicial-huailai": ("怀来县司法局", Identity("judicial-130730", "judicial", region_code=HUAILAI)),
    "science-city": ("张家口市科学技术局", Identity("science-130700", "science_bureau", region_code=CITY)),
    "government-zhangbei": ("张北县人民政府", Identity("government-130722", "government", region_code=ZHANGBEI)),
    "admin-market": (
        "张北县市场监督管理局 管理员",
        Identity("admin-market", "agency_admin", agency_id=MARKET, region_code=ZHANGBEI),
    ),
    "admin-police": ("怀来县公安局 管理员", Identity("admin-police", "agency_admin", agency_id=POLICE, region_code=HUAILAI)),
    "admin-lab": ("张家口市检验检测中心 管理员", Identity("admin-lab", "agency_admin", agency_id=LAB, region_code=CITY)),
}
for _agency, _spec in _inspectors(date(2026, 1, 1)):
    _region = next(a["region_code"] for a in AGENCIES if a["agency_id"] == _agency)
    IDENTITIES[_spec["inspector_id"]] = (
        f"执法人员 {_spec['name']}",
        Identity(_spec["inspector_id"], "inspector", agency_id=_agency, region_code=_region),
    )
for _n, _e in enumerate(ENTERPRISES, 1):
    IDENTITIES[f"enterprise-{_n}"] = (_e["name"], Identity(f"enterprise-{_n}", "enterprise", enterprise_id=_e["enterprise_id"]))


ADMINS = {MARKET: "admin-market", POLICE: "admin-police", LAB: "admin-lab"}

# Where the demo's agencies and judicial bureaus get SMS and mail (enterprises use their registered contact).
CONTACTS = [
    (f"agency:{MARKET}", "+8613903131000", "zfk@scjg.zhangbei.example.gov.cn"),
    (f"agency:{POLICE}", "+8613903132000", None),
    (f"judicial:{ZHANGBEI}", "+8613903133000", "xzzfjd@sfj.zhangbei.example.gov.cn"),
    (f"judicial:{HUAILAI}", None, "xzzfjd@sfj.huailai.example.gov.cn"),
]


def _contact(recipient: str, sms: str | None, email: str | None) -> None:
    record = Contact(Contact.key(recipient), sms=sms, email=email, updated_at=clock.now_iso())
    if not store.put_if_absent(record, Contact.tally_key):
        raise Conflict("已存在")


def demo_task_id(name: str, year: int | None = None) -> str:
    """The id of a demo task for a year (the clock's, by default): one per name and year."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"sheqi-demo-task:{name}:{year or clock.today().year}").hex


def _rest_of_year(today: date) -> dict:
    return dict(window_start=f"{today.isoformat()}T00:00:00+08:00", window_end=f"{today.year}-12-31T23:59:00+08:00")


def _tasks(today: date) -> list[tuple[str, int, str, dict]]:
    """Approved tasks from today to the year's end, and for all of next year, so the demo can scan in at
    once, and still can after New Year on data made in December."""
    windows = {
        today.year: _rest_of_year(today),
        today.year + 1: dict(
            window_start=f"{today.year + 1}-01-01T00:00:00+08:00", window_end=f"{today.year + 1}-12-31T23:59:00+08:00"
        ),
    }
    return [
        (name, year, admin, {**spec, **window})
        for year, window in windows.items()
        for name, admin, spec in (
            (
                "market-routine",
                "admin-market",
                dict(
                    type="routine",
                    method="on_site",
                    targets=[e["enterprise_id"] for e in ENTERPRISES[:3]],
                    participants=[dict(agency_id=MARKET, item_ids=["food-business"], inspector_ids=["market-wang", "market-li"])],
                ),
            ),
            (
                "police-fire",
                "admin-police",
                dict(
                    type="case",
                    method="on_site",
                    targets=[e["enterprise_id"] for e in ENTERPRISES[3:]],
                    trigger=dict(kind="complaint", reference="12345热线 HL-2026-1101"),
                    participants=[dict(agency_id=POLICE, item_ids=["fire-safety"], inspector_ids=["police-zhang", "police-liu"])],
                ),
            ),
        )
    ]


def inspector_tasks(name: str) -> list[str]:
    """The demo tasks (this year's, then next year's) an inspector is on: what a phone offers locally until
    the API lists an inspector's tasks."""
    return [
        demo_task_id(task, year)
        for task, year, _, spec in _tasks(clock.today())
        if any(name in p["inspector_ids"] for p in spec["participants"])
    ]


# A joint task (Art. 17): the 怀来 police lead at a 怀来 enterprise, so the 张北 market agency may join outside its
# county (Art. 8); two inspectors of each agency (Art. 19).
JOINT_TASK = dict(
    type="case",
    method="on_site",
    targets=[ENTERPRISES[3]["enterprise_id"]],
    trigger=dict(kind="complaint", reference="12345热线 HL-2026-1102"),
    participants=[
        dict(agency_id=POLICE, item_ids=["fire-safety"], inspector_ids=["police-zhang", "police-liu"]),
        dict(agency_id=MARKET, item_ids=["food-business"], inspector_ids=["market-wang", "market-li"]),
    ],
)


def _requested_task(today: date) -> tuple[str, dict]:
    """A task at 张北县草原乳业's own request, recorded by the enterprise: an Art. 12(5) exception with its ground."""
    dairy = ENTERPRISES[1]["enterprise_id"]
    request = tasks.request_inspection(
        IDENTITIES["enterprise-2"][1],
        dairy,
        parse(
            tasks.InspectionRequestIn, {"agency_id": MARKET, "description": "新建乳品冷库投入使用，申请对食品贮存条件实施检查"}
        ),
    )
    return "admin-market", dict(
        type="case",
        method="on_site",
        targets=[dairy],
        trigger=dict(kind="enterprise_request", reference=request["request_id"]),
        exception=dict(reason=5, ground=dict(kind="enterprise_request", reference=request["request_id"])),
        participants=[dict(agency_id=MARKET, item_ids=["food-business"], inspector_ids=["market-wang", "market-li"])],
        **_rest_of_year(today),
    )


def _visit_with_transfer(task_id: str, today: date) -> int:
    """The requested visit, made and closed: its own item compliant, and a matter outside the market agency's
    remit transferred to the competent agency (Art. 26). Once per year."""
    dairy = Enterprise.get(ENTERPRISES[1]["enterprise_id"])
    now = clock.now()
    answer: dict = {}
    key = f"demo-transfer-{today.year}"
    for who in ("market-wang", "market-li"):
        # A second load retries the first scan as it was sent: the key with another body is refused.
        first = store.get_or_none(Scan, Scan.key(who, key))
        _, answer = scanin.scan(
            IDENTITIES[who][1],
            parse(
                scanin.ScanIn,
                {
                    "token": codes.sign(dairy.enterprise_id, int(dairy.code_version)),
                    "task_id": task_id,
                    "client_request_id": key,
                    "device_time": first.device_time if first else now.isoformat(),
                },
            ),
        )
    if answer.get("outcome") != "opened" or Visit.get(answer["visit_id"]).status != "open":
        return 0
    li = IDENTITIES["market-li"][1]
    visits.record_finding(
        li,
        answer["visit_id"],
        parse(
            visits.FindingIn,
            {
                "agency_id": MARKET,
                "item_id": "food-business",
                "result": "compliant",
                "notes": "冷库温度记录完整，贮存条件符合要求",
            },
        ),
    )
    visits.close(
        li,
        answer["visit_id"],
        parse(
            visits.CloseIn,
            {
                "ended_at": now.isoformat(),
                "outcome": "no_violation",
                "summary": "食品贮存条件符合要求",
                "transfers": [
                    {
                        "kind": "administrative",
                        "matter": "厂区液氨制冷系统未见安全评价报告",
                        "to_authority": "张北县应急管理局",
                        "basis": "《危险化学品安全管理条例》第六条：应急管理部门负责危险化学品安全监督管理",
                    }
                ],
            },
        ),
    )
    return 1


def _urgent_campaign(today: date) -> int:
    """An emergency special campaign (Art. 13), filed and published: the plan's re-filing is due in 10
    working days and the judicial bureau is told."""
    admin = IDENTITIES["admin-market"][1]
    if campaigns.list_published(MARKET, today.year):
        return 0
    campaigns.set_quota(IDENTITIES["platform"][1], MARKET, parse(campaigns.QuotaIn, {"year": today.year, "quota": 1}))
    campaign = campaigns.file(
        admin,
        MARKET,
        parse(
            campaigns.CampaignIn,
            {
                "year": today.year,
                "title": "燃气使用场所特种设备安全专项检查",
                "item_ids": ["special-equipment"],
                "approving_authority": "张北县人民政府",
                "approving_level": "county_government",
                "approval_document": f"张政办字〔{today.year}〕7号",
                "approved_on": today.isoformat(),
                "emergency": True,
            },
        ),
    )
    campaigns.publish(admin, MARKET, campaign.campaign_id)
    return 1


def plan_in_force(admin: Identity, judicial: Identity, year: int) -> int:
    """Draft, file, acknowledge and publish the agency's plan for the year, unless it has one."""
    if filing.list_versions(admin.agency_id, year):
        return 0
    agency = registers.get_agency(admin.agency_id)
    entries = [
        dict(
            item_id=spec["item_id"],
            legal_basis=spec["legal_basis"],
            inspecting_body=agency.name,
            region_codes=[agency.region_code],
            scope=f"{regions.name(agency.region_code)}辖区内相关经营主体",
            sampling_ratio="0.20",
            window_start=f"{year}-01-01",
            window_end=f"{year}-12-31",
            method="both",
            frequency=max(spec["frequency_caps"].values()),
        )  # the tier caps decide (Art. 18)
        for agency_id, spec in ITEMS
        if agency_id == admin.agency_id
    ]
    record = filing.draft(admin, admin.agency_id, parse(filing.PlanIn, {"year": year, "entries": entries}, strict=False))
    filing.publish(admin, filing.acknowledge(judicial, filing.file(admin, record)))
    return 1


def decision_request() -> int:
    """A suggestion letter the market bureau answered by refusing to correct, and the county judicial
    bureau's request to 张北县人民政府 for a decision letter (Art. 30), waiting for `government-zhangbei`
    to issue or decline it. Made once: skipped when the region has a decision letter already."""
    if any(
        letter.letter_kind == "decision"
        for letter in Letter.by_region.query(ZHANGBEI, filter_condition=Letter.record_kind == "letter")
    ):
        return 0
    judicial = IDENTITIES["judicial-zhangbei"][1]
    suggestion = letters.suggest(
        judicial,
        parse(
            letters.LetterIn,
            {
                "agency_id": MARKET,
                "findings": ["检查时要求企业法定代表人必须到场，影响企业正常生产经营（第二十七条）"],
                "requirements": "停止要求法定代表人到场的做法，并对相关执法人员进行教育",
            },
        ),
    )
    letters.reply(
        IDENTITIES["admin-market"][1],
        suggestion.record_id,
        parse(letters.ReplyIn, {"reply": "本机关认为要求法定代表人到场系为核实情况所必需，不予纠正。", "corrected": False}),
    )
    letters.request_decision(
        judicial,
        suggestion.record_id,
        parse(
            letters.DecisionRequestIn,
            {
                "grounds": "被监督机关坚持要求法定代表人到场",
                "requirements": "立即停止要求法定代表人到场的做法，十个工作日内报告整改情况",
            },
        ),
    )
    return 1


def load(scenarios: bool = True) -> int:
    """Create whatever demo record is missing; returns how many were created. Safe to run again.
    `scenarios`: also the joint task, the requested task with its visit and transfer, and the emergency
    campaign (the local stack has them; most tests start from the registers, plans and tasks alone)."""
    created = 0
    today = clock.today()

    def attempt(create, *args) -> None:
        nonlocal created
        try:
            create(*args)
            created += 1
        except Conflict:
            pass

    for spec in AGENCIES:
        attempt(registers.create_agency, registers.AgencyIn(**spec))
    for spec in ENTERPRISES:
        attempt(
            registers.create_enterprise,
            parse(
                registers.EnterpriseIn,
                {**spec, "credit_source": "国家企业信用信息公示系统", "credit_rated_on": "2026-06-30"},
                strict=False,
            ),
        )
    for agency_id, spec in _inspectors(today):
        attempt(registers.create_inspector, registers.get_agency(agency_id), parse(registers.InspectorIn, spec, strict=False))
    for agency_id, spec in ITEMS:
        attempt(registers.create_item, registers.get_agency(agency_id), parse(registers.ItemIn, spec))
        item = registers.get_item(agency_id, spec["item_id"])
        if item.status != "published":
            registers.set_item_status(item, "published", today)
    for admin_name, judicial_name in (("admin-market", "judicial-zhangbei"), ("admin-police", "judicial-huailai")):
        for year in (today.year, today.year + 1):
            created += plan_in_force(IDENTITIES[admin_name][1], IDENTITIES[judicial_name][1], year)
    for recipient, sms, email in CONTACTS:
        attempt(_contact, recipient, sms, email)
    created += decision_request()
    for name, year, admin, spec in _tasks(today):
        try:
            tasks.get(demo_task_id(name, year))
        except NotFound:
            tasks.create(IDENTITIES[admin][1], parse(tasks.TaskIn, spec, strict=False), demo_task_id(name, year))
            created += 1
    return created + (_scenarios(today) if scenarios else 0)


def _scenarios(today: date) -> int:
    created = 0
    for name, make in (
        ("joint-winery", lambda: ("admin-police", {**JOINT_TASK, **_rest_of_year(today)})),
        ("dairy-request", lambda: _requested_task(today)),
    ):
        try:
            tasks.get(demo_task_id(name))
        except NotFound:
            admin, spec = make()
            task = tasks.create(IDENTITIES[admin][1], parse(tasks.TaskIn, spec, strict=False), demo_task_id(name))
            for part in task.participants[1:]:  # each joint participant approves its own part
                tasks.approve(IDENTITIES[ADMINS[part["agency_id"]]][1], task.task_id)
            created += 1
    return created + _visit_with_transfer(demo_task_id("dairy-request"), today) + _urgent_campaign(today)
