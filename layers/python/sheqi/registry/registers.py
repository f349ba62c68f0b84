"""Registries of enterprises, agencies, inspectors and inspection items: inputs, rules, store writes.

Every write is conditional: creating an existing record is a Conflict, and updates carry the
record's version (optimistic locking), so concurrent edits never silently overwrite each other.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any, Literal

from msgspec import UNSET, Meta, UnsetType

from sheqi import auth, clock
from sheqi.auth import Identity
from sheqi.errors import Conflict, NotFound, RuleViolation
from sheqi.inputs import Body, Check, Latitude, Longitude, OneOf, Patch, RegionCode, Uscc
from sheqi.reminders import obligations
from sheqi.rules import jurisdiction, qualification, regions
from sheqi.rules.articles import ART
from sheqi.signing import codes
from sheqi.store import Cancelled, Transaction, get_or_404, get_or_none, pagination, put_if_absent, save_if
from sheqi.store.registers import Agency, CertificateClaim, Enterprise, Inspector, Item

ART14, ART18 = ART[14], ART[18]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{2,39}$")


def _chinese_name(value: str) -> str:
    if not _CJK.search(value):
        raise ValueError("名称应为中文")
    return value


def _phone(value: str) -> str:
    if not _PHONE.match(value):
        raise ValueError("应为手机号或带区号的固定电话")
    return value


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("应为3至40位小写字母、数字或连字符")
    return value


Name = Annotated[str, Meta(min_length=2, max_length=100), Check(_chinese_name)]
Phone = Annotated[str, Check(_phone)]
Slug = Annotated[str, Check(_slug)]
Email = Annotated[str, Meta(max_length=100, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


def _create(record, what: str) -> None:
    if not put_if_absent(record):
        raise Conflict(f"{what}已存在，不能重复登记", code="already_exists")


def _save(record, what: str) -> None:
    """Save an edited record; its VersionAttribute makes this fail if someone saved in between."""
    record.updated_at = clock.now_iso()
    if not save_if(record):
        raise Conflict(f"{what}已被他人修改，请刷新后重试", code="stale_version")


# --- Enterprises -------------------------------------------------------------------------------

CreditTier = Literal["good", "average", "poor"]


class EnterpriseIn(Body):
    enterprise_id: Uscc
    name: Name
    region_code: RegionCode
    credit_tier: CreditTier
    credit_source: Annotated[str, Meta(min_length=2, max_length=100)]
    address: Annotated[str, Meta(max_length=200)] | None = None
    latitude: Latitude | None = None  # premises, for the scan-in distance check
    longitude: Longitude | None = None
    credit_rated_on: date | None = None
    contact_name: Annotated[str, Meta(max_length=50)] | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None

    def check(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude 与 longitude 须同时填写")


class EnterprisePatch(Patch):
    name: Name | UnsetType = UNSET
    address: Annotated[str, Meta(max_length=200)] | None | UnsetType = UNSET
    latitude: Latitude | None | UnsetType = UNSET
    longitude: Longitude | None | UnsetType = UNSET
    credit_tier: CreditTier | UnsetType = UNSET
    credit_source: Annotated[str, Meta(min_length=2, max_length=100)] | UnsetType = UNSET
    credit_rated_on: date | None | UnsetType = UNSET
    contact_name: Annotated[str, Meta(max_length=50)] | None | UnsetType = UNSET
    contact_phone: Phone | None | UnsetType = UNSET
    contact_email: Email | None | UnsetType = UNSET

    def check(self):
        if self.credit_tier and not self.credit_source:
            raise ValueError("修改信用等级须同时注明评级来源 credit_source（第十八条）")
        if (self.latitude is UNSET) != (self.longitude is UNSET):
            raise ValueError("latitude 与 longitude 须同时修改（位置是一对坐标）")


def create_enterprise(data: EnterpriseIn) -> Enterprise:
    """Register an enterprise: only a body the rules call an enterprise, or one inspected by reference to
    them (individual businesses, farmers' cooperatives), by its credit code's class (Art. 3)."""
    scope, outside = jurisdiction.enterprise_scope(data.enterprise_id)
    if outside:
        raise RuleViolation(outside.message, code=outside.code, field="enterprise_id", article=outside.article)
    now = clock.now_iso()
    record = Enterprise(**data.to_dict(), scope=scope, created_at=now, updated_at=now)
    _create(record, f"企业 {data.enterprise_id} ")
    obligations.note_region(record.region_code)  # its visits' deadlines are reminded in its region
    return record


def get_enterprise(enterprise_id: str) -> Enterprise:
    return get_or_404(Enterprise, enterprise_id, message=f"企业 {enterprise_id} 不存在", code="enterprise_not_found")


def visible_enterprise(caller: Identity, enterprise_id: str) -> Enterprise:
    """The enterprise if the caller may see it. An enterprise is refused another's id before any read."""
    if caller.role == "enterprise" and caller.enterprise_id != enterprise_id:
        raise auth.deny_scope("企业")
    record = get_enterprise(enterprise_id)
    if not auth.can_see_enterprise(caller, record.enterprise_id, record.region_code):
        raise auth.deny_scope("企业")
    return record


def update_enterprise(record: Enterprise, patch: EnterprisePatch) -> Enterprise:
    for key, value in patch.changes().items():
        setattr(record, key, value.isoformat() if isinstance(value, date) else value)
    _save(record, "企业信息")
    return record


def list_enterprises(region_code: str, limit: int, cursor: str | None) -> dict:
    results = pagination.query(Enterprise.by_region, region_code, cursor, limit=limit, page_size=limit)
    return pagination.page(results, enterprise_view)


def enterprise_view(record: Enterprise) -> dict:
    return {
        "enterprise_id": record.enterprise_id,
        "name": record.name,
        "region_code": record.region_code,
        "region_name": regions.name(record.region_code),
        "address": record.address,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "credit_tier": record.credit_tier,
        "credit_source": record.credit_source,
        "credit_rated_on": record.credit_rated_on,
        "contact_name": record.contact_name,
        "contact_phone": record.contact_phone,
        "contact_email": record.contact_email,
        "code_version": record.code_version,
        "code_status": record.code_status,
        "scope": record.scope,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


# --- Agencies ----------------------------------------------------------------------------------


class AgencyIn(Body):
    agency_id: Uscc  # the agency's own unified social credit code
    name: Name
    level: Literal["city", "county"]
    region_code: RegionCode
    kind: Annotated[str, OneOf(qualification.AGENCY_KINDS)]
    certificate_kind: Annotated[str, OneOf(qualification.CERTIFICATE_KINDS)] = "enforcement"

    def check(self):
        if regions.level(self.region_code) != self.level:
            raise ValueError(f"机关层级 {self.level} 与行政区划 {self.region_code}（{regions.level(self.region_code)}级）不一致")


def create_agency(data: AgencyIn) -> Agency:
    now = clock.now_iso()
    record = Agency(**data.to_dict(), created_at=now, updated_at=now)
    _create(record, f"机关 {data.agency_id} ")
    obligations.note_region(record.region_code)
    if clock.today().month == 12:  # the year-end campaign is under way: next year's plan is due too
        obligations.open_year_end_for(record, clock.today().year + 1)
    return record


def get_agency(agency_id: str) -> Agency:
    return get_or_404(Agency, agency_id, message=f"机关 {agency_id} 不存在", code="agency_not_found")


def agency_names(agency_ids: Iterable[str]) -> dict[str, str]:
    """Agencies' names by id, in one batch read."""
    ids = sorted(set(agency_ids))
    return {a.agency_id: a.name for a in Agency.batch_get(ids)} if ids else {}


def managed_agency(caller: Identity, agency_id: str) -> Agency:
    """The agency, if the caller administers it (its own admin, or a platform admin)."""
    if not auth.can_manage_agency_staff(caller, agency_id):
        raise auth.deny_scope("机关的人员、事项或计划")
    return get_agency(agency_id)


def list_agencies(region_code: str, limit: int, cursor: str | None) -> dict:
    results = pagination.query(Agency.by_region, region_code, cursor, limit=limit, page_size=limit)
    return pagination.page(results, agency_view)


def agency_view(record: Agency) -> dict:
    findings = qualification.agency_findings(record.kind)
    return {
        "agency_id": record.agency_id,
        "name": record.name,
        "level": record.level,
        "region_code": record.region_code,
        "region_name": regions.name(record.region_code),
        "kind": record.kind,
        "certificate_kind": record.certificate_kind,
        "may_inspect": not findings,
        "findings": [f.to_dict() for f in findings],
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


# --- Inspectors --------------------------------------------------------------------------------


class InspectorIn(Body):
    name: Annotated[str, Meta(min_length=2, max_length=50), Check(_chinese_name)]
    staff_category: Annotated[str, OneOf(qualification.STAFF_CATEGORIES)]
    inspector_id: Slug | None = None
    certificate_no: Annotated[str, Meta(min_length=6, max_length=32, pattern=r"^[0-9A-Za-z-]+$")] | None = None
    certificate_kind: Annotated[str, OneOf(qualification.CERTIFICATE_KINDS)] | None = None
    valid_from: date | None = None
    valid_until: date | None = None

    def check(self):
        parts = (self.certificate_no, self.certificate_kind, self.valid_from, self.valid_until)
        if any(parts) and not all(parts):
            raise ValueError("执法证件须同时填写 certificate_no、certificate_kind、valid_from、valid_until")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until 不得早于 valid_from")


class InspectorPatch(Body):
    status: Annotated[str, OneOf(qualification.INSPECTOR_STATUSES)]
    reason: Annotated[str, Meta(min_length=2, max_length=200)]


def create_inspector(agency: Agency, data: InspectorIn) -> Inspector:
    """Register an inspector; a certificate number belongs to one inspector only (claimed atomically)."""
    now = clock.now_iso()
    values = data.to_dict()
    values["inspector_id"] = data.inspector_id or uuid.uuid4().hex[:16]
    record = Inspector(
        **values,
        agency_id=agency.agency_id,
        region_code=agency.region_code,
        expiry_month=values["valid_until"][:7] if values["valid_until"] else None,
        created_at=now,
        updated_at=now,
    )
    if not data.certificate_no:
        _create(record, f"执法人员 {record.inspector_id} ")
        return record
    claim = CertificateClaim(CertificateClaim.key(data.certificate_no), owner=record.inspector_id)
    try:
        with Transaction() as tx:
            tx.save(record, condition=Inspector.inspector_id.does_not_exist(), label="inspector_id")
            tx.save(claim, condition=CertificateClaim.inspector_id.does_not_exist(), label="certificate_no")
    except Cancelled as error:
        if error.failed:
            field = "inspector_id" if "inspector_id" in error.failed else "certificate_no"
            raise Conflict(
                f"{'执法人员编号' if field == 'inspector_id' else '执法证号'}已被登记，不能重复",
                code="already_exists",
                field=field,
            ) from None
        raise
    return record


def get_inspector(inspector_id: str) -> Inspector:
    record = None if CertificateClaim.is_key(inspector_id) else get_or_none(Inspector, inspector_id)
    if record is None:
        raise NotFound(f"执法人员 {inspector_id} 不存在", code="inspector_not_found")
    return record


def find_by_certificate(certificate_no: str) -> Inspector:
    found = next(iter(Inspector.by_certificate.query(certificate_no, limit=1)), None)
    if found is None:
        raise NotFound(
            f"执法证号 {certificate_no} 未在本系统登记，请谨慎对待此次检查",
            code="certificate_not_found",
            article=qualification.ART4,
        )
    return found


class ConflictIn(Body):
    enterprise_id: Uscc
    reason: Annotated[str, Meta(min_length=4, max_length=200)]  # e.g. 近亲属在该企业任职


def add_conflict(record: Inspector, data: ConflictIn) -> Inspector:
    """Record that this inspector must not be drawn for this enterprise (回避)."""
    get_enterprise(data.enterprise_id)
    if data.enterprise_id not in (record.conflicts or []):
        record.conflicts = (record.conflicts or []) + [data.enterprise_id]
        _save(record, "执法人员信息")
    return record


def set_inspector_status(record: Inspector, patch: InspectorPatch) -> Inspector:
    record.status = patch.status
    _save(record, "执法人员信息")
    return record


def list_inspectors(agency_id: str, limit: int, cursor: str | None) -> dict:
    results = pagination.query(Inspector.by_agency, agency_id, cursor, limit=limit, page_size=limit)
    return pagination.page(results, inspector_view)


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def inspector_qualification(record: Inspector, agency: Agency, on: date) -> list[qualification.Finding]:
    return qualification.inspector_findings(
        staff_category=record.staff_category,
        status=record.status,
        certificate_no=record.certificate_no,
        certificate_kind=record.certificate_kind,
        valid_from=_d(record.valid_from),
        valid_until=_d(record.valid_until),
        agency_kind=agency.kind,
        agency_certificate_kind=agency.certificate_kind,
        on=on,
    )


def inspector_view(record: Inspector, agency: Agency | None = None, on: date | None = None) -> dict:
    view: dict[str, Any] = {
        "inspector_id": record.inspector_id,
        "name": record.name,
        "agency_id": record.agency_id,
        "region_code": record.region_code,
        "staff_category": record.staff_category,
        "status": record.status,
        "certificate_no": record.certificate_no,
        "certificate_kind": record.certificate_kind,
        "valid_from": record.valid_from,
        "valid_until": record.valid_until,
        "conflicts": record.conflicts or [],
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }
    if agency is not None:
        findings = inspector_qualification(record, agency, on or clock.today())
        view["qualification"] = {
            "as_of": (on or clock.today()).isoformat(),
            "may_inspect": not findings,
            "findings": [f.to_dict() for f in findings],
        }
    return view


def certificate_check(record: Inspector, agency: Agency, on: date) -> dict:
    """What an enterprise at the door may learn about a certificate (Art. 19, 24): no internal data."""
    findings = inspector_qualification(record, agency, on)
    return {
        "certificate_no": record.certificate_no,
        "certificate_kind": record.certificate_kind,
        "certificate_label": qualification.certificate_label(record.certificate_kind),
        "name": record.name,
        "agency_name": agency.name,
        "valid_from": record.valid_from,
        "valid_until": record.valid_until,
        "as_of": on.isoformat(),
        "may_inspect": not findings,
        "findings": [f.to_dict() for f in findings],
    }


# --- Inspection items (Art. 14, 15, 18) ---------------------------------------------------------

Cap = Annotated[int, Meta(ge=0, le=52)]


class Caps(Body):
    good: Cap
    average: Cap
    poor: Cap


class ItemIn(Body):
    item_id: Slug
    name: Annotated[str, Meta(min_length=2, max_length=100)]
    legal_basis: Annotated[str, Meta(min_length=4, max_length=500)]
    responsible_unit: Annotated[str, Meta(min_length=2, max_length=100)]
    frequency_caps: Caps
    inspection_standard: Annotated[str, Meta(max_length=2000)] | None = None


def create_item(agency: Agency, data: ItemIn) -> Item:
    caps = data.frequency_caps
    if not caps.good <= caps.average <= caps.poor:
        raise RuleViolation(
            "检查频次须随信用等级递增：信用好的企业频次不得高于一般，一般不得高于较差（good ≤ average ≤ poor）",
            field="frequency_caps",
            article=ART18,
            code="caps_not_by_credit",
        )
    now = clock.now_iso()
    record = Item(agency_id=agency.agency_id, **data.to_dict(), created_at=now, updated_at=now)
    if not put_if_absent(record, Item.item_id):
        raise Conflict(f"检查事项 {data.item_id} 已存在", code="already_exists", field="item_id")
    return record


def get_item(agency_id: str, item_id: str) -> Item:
    return get_or_404(Item, agency_id, item_id, message=f"检查事项 {item_id} 不存在", code="item_not_found")


def set_item_status(record: Item, status: Literal["published", "withdrawn"], on: date) -> Item:
    """Publish (Art. 14: only a published item may be inspected) or withdraw, recording the date."""
    if record.status == status:
        raise Conflict(f"检查事项已是{'公布' if status == 'published' else '撤回'}状态", code="no_change")
    record.status = status
    if status == "published":
        record.published_on, record.withdrawn_on = on.isoformat(), None
    else:
        record.withdrawn_on = on.isoformat()
    _save(record, "检查事项")
    return record


def list_items(agency_id: str, published_only: bool) -> list[Item]:
    condition = (Item.status == "published") if published_only else None
    return list(Item.query(agency_id, filter_condition=condition))


def published_items_by_region(region_code: str) -> list[dict]:
    """The agencies of a region (Query by_region) and each one's published items (Query per agency)."""
    return [
        {"agency_id": agency.agency_id, "name": agency.name, "items": [item_view(i) for i in list_items(agency.agency_id, True)]}
        for agency in Agency.by_region.query(region_code)
    ]


def item_view(record: Item) -> dict:
    return {
        "agency_id": record.agency_id,
        "item_id": record.item_id,
        "name": record.name,
        "legal_basis": record.legal_basis,
        "inspection_standard": record.inspection_standard,
        "responsible_unit": record.responsible_unit,
        "frequency_caps": record.frequency_caps.as_dict(),
        "status": record.status,
        "published_on": record.published_on,
        "withdrawn_on": record.withdrawn_on,
        "article": ART14,
    }


# --- Scan-in codes (Art. 24) --------------------------------------------------------------------


def current_code(record: Enterprise) -> dict:
    token = codes.sign(record.enterprise_id, int(record.code_version))
    return {
        "enterprise_id": record.enterprise_id,
        "code_version": record.code_version,
        "code_status": record.code_status,
        "token": token,
        "url": codes.code_url(token),
    }


def reissue_code(record: Enterprise) -> Enterprise:
    """Revoke every earlier code of this enterprise (lost or copied poster) and issue a new one."""
    record.code_version += 1
    record.code_status = "active"
    _save(record, "企业入企码")
    return record


def door_view(token: str) -> dict:
    """What a person at the door may see for a scanned code: who the enterprise is, and that the code
    is genuine and current. No contact, credit rating or internal data."""
    claim = codes.verify(token)
    record = get_or_none(Enterprise, claim.enterprise_id)
    if record is None:
        raise codes.CodeRejected("二维码对应的企业未在本系统登记", code="code_enterprise_unknown", field="token")
    codes.check_current(claim, current_version=int(record.code_version), status=record.code_status)
    return {
        "valid": True,
        "enterprise_id": record.enterprise_id,
        "name": record.name,
        "region_name": regions.name(record.region_code),
        "code_version": record.code_version,
        "notice": "入企码有效。行政执法人员入企检查须扫码登记并出示执法证件（第十九条、第二十四条）",
    }


# --- The caller ---------------------------------------------------------------------------------

ROLE_LABELS = {
    "inspector": "行政执法人员",
    "enterprise": "企业",
    "agency_admin": "执法机关管理员",
    "judicial": "司法行政机关",
    "science_bureau": "科技主管部门",
    "government": "人民政府",
    "platform_admin": "平台管理员",
}


def whoami(caller: Identity) -> dict:
    """Who the token says the caller is, with what the registry holds of it: an inspector's agency and
    certificate with its validity today (Art. 4, 19), an agency admin's agency, an enterprise's own
    registration (without what only others judge it by), a bureau's region."""
    me: dict[str, Any] = {
        "subject": caller.subject,
        "role": caller.role,
        "roles": [caller.role],
        "role_label": ROLE_LABELS[caller.role],
        "notice_box": caller.recipient,
    }
    if caller.region_code:
        me["region"] = {"region_code": caller.region_code, "region_name": regions.name(caller.region_code)}
    agency = get_agency(caller.agency_id) if caller.agency_id else None
    if agency is not None:
        me["agency"] = {k: v for k, v in agency_view(agency).items() if k not in ("created_at", "updated_at")}
    if caller.role == "inspector":
        inspector = get_inspector(caller.subject)
        if agency is None or inspector.agency_id != agency.agency_id:  # the registry decides, not an old token
            agency = get_agency(inspector.agency_id)
        me["inspector"] = {
            "inspector_id": inspector.inspector_id,
            "name": inspector.name,
            "staff_category": inspector.staff_category,
            "status": inspector.status,
        }
        me["certificate"] = certificate_check(inspector, agency, clock.today())
    if caller.enterprise_id:
        record = get_enterprise(caller.enterprise_id)
        me["enterprise"] = {
            "enterprise_id": record.enterprise_id,
            "name": record.name,
            "region_code": record.region_code,
            "region_name": regions.name(record.region_code),
            "address": record.address,
            "code_status": record.code_status,
            "code_version": record.code_version,
        }
    return me
