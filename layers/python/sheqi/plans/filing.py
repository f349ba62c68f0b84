"""Annual inspection plans (Art. 11, 16): draft, file with the judicial bureau of the agency's level,
acknowledged or returned, published; amended plans are new versions re-filed within 10 working days.
"No inspection outside the plan": the items in force on a day come from the acknowledged versions,
kept in a plan index beside the counts, which task approval and scan-in both read.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from sheqi import auth, clock
from sheqi.auth import Identity
from sheqi.errors import Conflict, NotFound, RuleViolation
from sheqi.inputs import Body
from sheqi.registry import registers
from sheqi.reminders import obligations
from sheqi.rules import regions, uscc
from sheqi.rules.articles import ART
from sheqi.store import Item, PlanIndex, PlanVersion, cancelled_on_condition, condition_failed

REFILE_WORKING_DAYS = 10   # a changed plan is filed again within 10 working days (Art. 16)


class EntryIn(Body):
    """One line of a plan, with every element Art. 11 requires."""
    item_id: str = Field(min_length=3, max_length=40)
    legal_basis: str = Field(min_length=4, max_length=500)
    inspecting_body: str = Field(min_length=2, max_length=100)
    region_codes: list[str] = Field(min_length=1, max_length=50)
    scope: str = Field(min_length=2, max_length=500)
    sampling_ratio: str | None = None          # e.g. "0.20" for 双随机 20% spot checks; None: every one in scope
    window_start: date
    window_end: date
    method: Literal["on_site", "off_site", "both"]
    frequency: int = Field(ge=1, le=52)        # times a year per enterprise
    joint_agency_ids: list[str] = Field(default_factory=list, max_length=10)

    _regions = field_validator("region_codes")(lambda v: [regions.validate(c, "region_codes") for c in v])
    _joint = field_validator("joint_agency_ids")(lambda v: [uscc.validate(a, "joint_agency_ids") for a in v])

    @field_validator("sampling_ratio")
    @classmethod
    def _ratio(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ratio = Decimal(value)
        except InvalidOperation:
            raise ValueError("应为0到1之间的小数字符串，如 \"0.20\"") from None
        if not 0 < ratio <= 1:
            raise ValueError("应在0（不含）到1（含）之间")
        return value

    @model_validator(mode="after")
    def _window(self):
        if self.window_end < self.window_start:
            raise ValueError("window_end 不得早于 window_start")
        return self


class PlanIn(Body):
    year: int = Field(ge=2000, le=2100)
    entries: list[EntryIn] = Field(min_length=1, max_length=500)
    changed_on: date | None = None             # an amendment: the day the plan changed
    change_reason: str | None = Field(default=None, min_length=4, max_length=500)

    @model_validator(mode="after")
    def _within_year(self):
        for i, entry in enumerate(self.entries):
            if entry.window_start.year != self.year or entry.window_end.year != self.year:
                raise ValueError(f"entries.{i} 的检查时间须在{self.year}年度内")
        if (self.changed_on is None) != (self.change_reason is None):
            raise ValueError("修订计划须同时填写 changed_on 与 change_reason")
        return self


class ReturnIn(Body):
    reason: str = Field(min_length=4, max_length=1000)


# --- the pure rule --------------------------------------------------------------------------------

def items_in_force(versions: list[dict], on: date) -> frozenset | None:
    """The items of the version in force on `on`: the acknowledged one that took effect last, on or
    before that day. None when no version is in force (so nothing may be inspected, Art. 16)."""
    live = [v for v in versions if date.fromisoformat(v["effective_from"]) <= on]
    if not live:
        return None
    current = max(live, key=lambda v: (v["effective_from"], v["version"]))
    return frozenset(current["item_ids"])


def index_key(agency_id: str, year: int | str) -> str:
    return f"planindex#{agency_id}#{year}"


def items_in_force_for(agency_id: str, on: date) -> frozenset | None:
    try:
        return items_in_force(PlanIndex.get(index_key(agency_id, on.year), consistent_read=True).versions, on)
    except DoesNotExist:
        return None


# --- lifecycle ------------------------------------------------------------------------------------

def _versions(agency_id: str, year: int) -> list[PlanVersion]:
    return list(PlanVersion.query(agency_id, PlanVersion.version_key.startswith(f"{year}#")))


def _key(year: int, version: int) -> str:
    return f"{year}#{version:04d}"


def get_version(agency_id: str, year: int, version: int) -> PlanVersion:
    try:
        return PlanVersion.get(agency_id, _key(year, version))
    except DoesNotExist:
        raise NotFound(f"{year}年度检查计划第{version}版不存在", code="plan_not_found") from None


def draft(caller: Identity, agency_id: str, data: PlanIn) -> PlanVersion:
    """A new version. The first of a year is due with the judicial bureau by 31 December of the year
    before (Art. 16); a later one amends a plan in force and is due 10 working days after the change."""
    registers.managed_agency(caller, agency_id)
    published = {i.item_id for i in Item.query(agency_id, filter_condition=Item.status == "published")}
    for i, entry in enumerate(data.entries):
        if entry.item_id not in published:
            raise RuleViolation(f"检查事项 {entry.item_id} 未公布，不得列入计划", code="item_not_published",
                                field=f"entries.{i}.item_id", article=ART[14])
    versions = _versions(agency_id, data.year)
    in_force = [v for v in versions if v.status in ("acknowledged", "published")]
    if any(v.status in ("draft", "filed", "returned") for v in versions):
        raise Conflict("该年度已有未完成备案的计划版本，请先完成或修改该版本", code="open_version_exists")
    if in_force and data.changed_on is None:
        raise RuleViolation("该年度计划已备案确认，变更须作为修订提交（填写 changed_on 与 change_reason）",
                            code="amendment_required", field="changed_on", article=ART[16])
    if not in_force and data.changed_on is not None:
        raise RuleViolation("该年度尚无已备案确认的计划，无需修订", code="nothing_to_amend", field="changed_on", article=ART[16])
    if data.changed_on:
        deadline = obligations.working_day_deadline(data.changed_on, REFILE_WORKING_DAYS)
        due, provisional = deadline.due, deadline.provisional
    else:
        due, provisional = date(data.year - 1, 12, 31), False
    record = PlanVersion(
        agency_id, _key(data.year, len(versions) + 1), year=str(data.year), version=len(versions) + 1,
        entries=[e.model_dump(mode="json") for e in data.entries], created_at=clock.now_iso(),
        created_by=caller.subject, change_reason=data.change_reason,
        changed_on=data.changed_on.isoformat() if data.changed_on else None,
        filing_due=due.isoformat(), filing_due_provisional=provisional)
    _save(record, condition=PlanVersion.version_key.does_not_exist())
    if data.changed_on:
        agency = registers.get_agency(agency_id)
        obligations.open_once(f"plan_refile:{agency_id}:{record.version_key}", kind="plan_refile",
                              title=f"{agency.name}{data.year}年度检查计划第{record.version}版（变更）",
                              owner=f"agency:{agency_id}", region_code=agency.region_code,
                              subject={"agency_id": agency_id, "year": data.year, "version_key": record.version_key},
                              start=data.changed_on, due=deadline, working_days=REFILE_WORKING_DAYS)
    return record


def edit(caller: Identity, record: PlanVersion, data: PlanIn) -> PlanVersion:
    registers.managed_agency(caller, record.agency_id)
    if record.status not in ("draft", "returned") or data.year != int(record.year):
        raise Conflict("只有草稿或被退回的版本可以修改，且不能改变年度", code="not_editable")
    record.entries = [e.model_dump(mode="json") for e in data.entries]
    record.status = "draft"
    _save(record)
    return record


def file(caller: Identity, record: PlanVersion) -> PlanVersion:
    registers.managed_agency(caller, record.agency_id)
    if record.status not in ("draft", "returned"):
        raise Conflict("只有草稿或被退回的版本可以报送备案", code="not_fileable")
    today = clock.today()
    record.status, record.filed_at = "filed", clock.now_iso()
    record.filed_late = today > date.fromisoformat(record.filing_due)   # accepted all the same, marked late
    _save(record)
    obligations.complete(f"plan_refile:{record.agency_id}:{record.version_key}")
    return record


def _judicial_of_level(caller: Identity, record: PlanVersion) -> None:
    """Plans are filed with the judicial bureau of the agency's own level and region (Art. 16)."""
    auth.require_role(caller, "judicial", "platform_admin")
    agency = registers.get_agency(record.agency_id)
    if caller.role == "judicial" and caller.region_code != agency.region_code:
        raise auth.deny_scope("检查计划：应由同级司法行政机关办理备案")


def acknowledge(caller: Identity, record: PlanVersion) -> PlanVersion:
    _judicial_of_level(caller, record)
    if record.status != "filed":
        raise Conflict("只有已报送的版本可以确认备案", code="not_filed")
    year = int(record.year)
    today = clock.today()
    record.status, record.acknowledged_at, record.acknowledged_by = "acknowledged", clock.now_iso(), caller.subject
    record.effective_from = max(date(year, 1, 1), today).isoformat()
    try:
        index = PlanIndex.get(index_key(record.agency_id, year), consistent_read=True)
    except DoesNotExist:
        index = PlanIndex(index_key(record.agency_id, year), versions=[])
    index.versions = index.versions + [{"version": record.version, "effective_from": record.effective_from,
                                        "item_ids": sorted({e["item_id"] for e in record.entries})}]
    try:
        with TransactWrite(connection=PlanVersion._get_connection().connection) as tx:
            tx.save(record)
            tx.save(index)
    except TransactWriteError as error:
        if any(cancelled_on_condition(error)):
            raise Conflict("计划已被他人修改，请刷新后重试", code="stale_version") from None
        raise
    return record


def return_(caller: Identity, record: PlanVersion, data: ReturnIn) -> PlanVersion:
    _judicial_of_level(caller, record)
    if record.status != "filed":
        raise Conflict("只有已报送的版本可以退回", code="not_filed")
    record.status, record.returned_reason = "returned", data.reason
    _save(record)
    return record


def publish(caller: Identity, record: PlanVersion) -> PlanVersion:
    registers.managed_agency(caller, record.agency_id)
    if record.status != "acknowledged":
        raise RuleViolation("计划须经司法行政机关备案确认后方可公布", code="not_acknowledged", article=ART[16])
    record.status, record.published_at = "published", clock.now_iso()
    _save(record)
    obligations.complete(f"plan_yearend:{record.agency_id}:{record.year}")
    return record


def _save(record: PlanVersion, condition=None) -> None:
    try:
        record.save(condition=condition)
    except PutError as error:
        if condition_failed(error):
            raise Conflict("计划已被他人修改，请刷新后重试", code="stale_version") from None
        raise


def visible(caller: Identity, agency_id: str) -> None:
    if caller.role == "judicial":
        if not regions.covers(caller.region_code, registers.get_agency(agency_id).region_code):
            raise auth.deny_scope("检查计划")
        return
    registers.managed_agency(caller, agency_id)


def list_versions(agency_id: str, year: int, published_only: bool = False) -> list[dict]:
    return [view(v, public=published_only) for v in _versions(agency_id, year)
            if not published_only or v.status == "published"]


def view(record: PlanVersion, public: bool = False) -> dict:
    base = {"agency_id": record.agency_id, "year": int(record.year), "version": record.version, "status": record.status,
            "entries": record.entries, "effective_from": record.effective_from, "published_at": record.published_at,
            "change_reason": record.change_reason, "changed_on": record.changed_on, "article": ART[16]}
    if public:
        return base
    return {**base, "created_at": record.created_at, "created_by": record.created_by, "filing_due": record.filing_due,
            "filing_due_provisional": record.filing_due_provisional, "filed_at": record.filed_at,
            "filed_late": record.filed_late, "returned_reason": record.returned_reason,
            "acknowledged_at": record.acknowledged_at}

