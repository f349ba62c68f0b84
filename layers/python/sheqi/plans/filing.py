"""Annual inspection plans (Art. 11, 16): draft, file with the judicial bureau of the agency's level,
acknowledged or returned, published; amended plans are new versions re-filed within 10 working days.
"No inspection outside the plan": the items in force on a day come from the acknowledged versions,
kept in a plan index beside the counts, which task approval and scan-in both read.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from msgspec import Meta

from sheqi import auth, clock
from sheqi.auth import Identity
from sheqi.errors import Conflict, RuleViolation
from sheqi.inputs import Body, Ratio, RegionCode, Uscc, Year
from sheqi.registry import registers
from sheqi.reminders import obligations
from sheqi.rules import plan_rules, regions
from sheqi.rules.articles import ART
from sheqi.store import Cancelled, Transaction, get_or_404, get_or_none, save_if
from sheqi.store.plans import PlanIndex, PlanVersion
from sheqi.store.registers import Item

REFILE_WORKING_DAYS = 10  # a changed plan is filed again within 10 working days (Art. 16)


class EntryIn(Body):
    """One line of a plan, with every element Art. 11 requires."""

    item_id: Annotated[str, Meta(min_length=3, max_length=40)]
    legal_basis: Annotated[str, Meta(min_length=4, max_length=500)]
    inspecting_body: Annotated[str, Meta(min_length=2, max_length=100)]
    region_codes: Annotated[list[RegionCode], Meta(min_length=1, max_length=50)]
    scope: Annotated[str, Meta(min_length=2, max_length=500)]
    window_start: date
    window_end: date
    method: Literal["on_site", "off_site", "both"]
    frequency: Annotated[int, Meta(ge=1, le=plan_rules.ANY_FREQUENCY)]  # times a year per enterprise
    sampling_ratio: Ratio | None = None  # e.g. "0.20" for 双随机 20% spot checks; None: every one in scope
    joint_agency_ids: Annotated[list[Uscc], Meta(max_length=10)] = []

    def check(self):
        if self.window_end < self.window_start:
            raise ValueError("window_end 不得早于 window_start")


class PlanIn(Body):
    year: Year
    entries: Annotated[list[EntryIn], Meta(min_length=1, max_length=500)]
    changed_on: date | None = None  # an amendment: the day the plan changed
    change_reason: Annotated[str, Meta(min_length=4, max_length=500)] | None = None

    def check(self):
        for i, entry in enumerate(self.entries):
            if entry.window_start.year != self.year or entry.window_end.year != self.year:
                raise ValueError(f"entries.{i} 的检查时间须在{self.year}年度内")
        if (self.changed_on is None) != (self.change_reason is None):
            raise ValueError("修订计划须同时填写 changed_on 与 change_reason")


class ReturnIn(Body):
    reason: Annotated[str, Meta(min_length=4, max_length=1000)]


def entries_in_force_for(agency_id: str, on: date) -> tuple[plan_rules.PlanEntry, ...] | None:
    """The entries of the agency's plan version in force on `on` (plan_rules); None when none is."""
    index = get_or_none(PlanIndex, PlanIndex.key(agency_id, on.year), consistent_read=True)
    return plan_rules.entries_in_force(index.versions, on) if index else None


# --- lifecycle ------------------------------------------------------------------------------------


def get_version(agency_id: str, year: int, version: int) -> PlanVersion:
    return get_or_404(
        PlanVersion,
        agency_id,
        PlanVersion.key(year, version),
        message=f"{year}年度检查计划第{version}版不存在",
        code="plan_not_found",
    )


def draft(caller: Identity, agency_id: str, data: PlanIn) -> PlanVersion:
    """A new version. The first of a year is due with the judicial bureau by 31 December of the year
    before (Art. 16); a later one amends a plan in force and is due 10 working days after the change."""
    registers.managed_agency(caller, agency_id)
    published = {i.item_id for i in Item.query(agency_id, filter_condition=Item.status == "published")}
    for i, entry in enumerate(data.entries):
        if entry.item_id not in published:
            raise RuleViolation(
                f"检查事项 {entry.item_id} 未公布，不得列入计划",
                code="item_not_published",
                field=f"entries.{i}.item_id",
                article=ART[14],
            )
    versions = list(PlanVersion.of_year(agency_id, data.year))
    in_force = [v for v in versions if v.status in ("acknowledged", "published")]
    if any(v.status in ("draft", "filed", "returned") for v in versions):
        raise Conflict("该年度已有未完成备案的计划版本，请先完成或修改该版本", code="open_version_exists")
    if in_force and data.changed_on is None:
        raise RuleViolation(
            "该年度计划已备案确认，变更须作为修订提交（填写 changed_on 与 change_reason）",
            code="amendment_required",
            field="changed_on",
            article=ART[16],
        )
    if not in_force and data.changed_on is not None:
        raise RuleViolation("该年度尚无已备案确认的计划，无需修订", code="nothing_to_amend", field="changed_on", article=ART[16])
    if data.changed_on:
        deadline = obligations.working_day_deadline(data.changed_on, REFILE_WORKING_DAYS)
        due, provisional = deadline.due, deadline.provisional
    else:
        due, provisional = date(data.year - 1, 12, 31), False
    record = PlanVersion(
        agency_id,
        PlanVersion.key(data.year, len(versions) + 1),
        year=str(data.year),
        version=len(versions) + 1,
        entries=[e.to_dict() for e in data.entries],
        created_at=clock.now_iso(),
        created_by=caller.subject,
        change_reason=data.change_reason,
        changed_on=data.changed_on.isoformat() if data.changed_on else None,
        filing_due=due.isoformat(),
        filing_due_provisional=provisional,
    )
    _save(record, condition=PlanVersion.version_key.does_not_exist())
    if data.changed_on:
        agency = registers.get_agency(agency_id)
        obligations.open_once(
            f"plan_refile:{agency_id}:{record.version_key}",
            kind="plan_refile",
            title=f"{agency.name}{data.year}年度检查计划第{record.version}版（变更）",
            owner=f"agency:{agency_id}",
            region_code=agency.region_code,
            subject={"agency_id": agency_id, "year": data.year, "version_key": record.version_key},
            start=data.changed_on,
            due=deadline,
            working_days=REFILE_WORKING_DAYS,
        )
    return record


def edit(caller: Identity, record: PlanVersion, data: PlanIn) -> PlanVersion:
    registers.managed_agency(caller, record.agency_id)
    if record.status not in ("draft", "returned") or data.year != int(record.year):
        raise Conflict("只有草稿或被退回的版本可以修改，且不能改变年度", code="not_editable")
    record.entries = [e.to_dict() for e in data.entries]
    record.status = "draft"
    _save(record)
    return record


def file(caller: Identity, record: PlanVersion) -> PlanVersion:
    registers.managed_agency(caller, record.agency_id)
    if record.status not in ("draft", "returned"):
        raise Conflict("只有草稿或被退回的版本可以报送备案", code="not_fileable")
    today = clock.today()
    record.status, record.filed_at = "filed", clock.now_iso()
    record.filed_late = today > date.fromisoformat(record.filing_due)  # accepted all the same, marked late
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
    key = PlanIndex.key(record.agency_id, year)
    index = get_or_none(PlanIndex, key, consistent_read=True) or PlanIndex(key, versions=[])
    index.versions = index.versions + [
        {
            "version": record.version,
            "effective_from": record.effective_from,
            "item_ids": sorted({e["item_id"] for e in record.entries}),
            "entries": [plan_rules.index_entry(e) for e in record.entries],
        }
    ]
    try:
        with Transaction() as tx:
            tx.save(record)
            tx.save(index)
    except Cancelled as error:
        if error.failed:
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
    if not save_if(record, condition):
        raise Conflict("计划已被他人修改，请刷新后重试", code="stale_version")


def visible(caller: Identity, agency_id: str) -> None:
    if caller.role == "judicial":
        if not regions.covers(caller.region_code, registers.get_agency(agency_id).region_code):
            raise auth.deny_scope("检查计划")
        return
    registers.managed_agency(caller, agency_id)


def list_versions(agency_id: str, year: int, published_only: bool = False) -> list[dict]:
    return [
        view(v, public=published_only)
        for v in PlanVersion.of_year(agency_id, year)
        if not published_only or v.status == "published"
    ]


def view(record: PlanVersion, public: bool = False) -> dict:
    base = {
        "agency_id": record.agency_id,
        "year": int(record.year),
        "version": record.version,
        "status": record.status,
        "entries": record.entries,
        "effective_from": record.effective_from,
        "published_at": record.published_at,
        "change_reason": record.change_reason,
        "changed_on": record.changed_on,
        "article": ART[16],
    }
    if public:
        return base
    return {
        **base,
        "created_at": record.created_at,
        "created_by": record.created_by,
        "filing_due": record.filing_due,
        "filing_due_provisional": record.filing_due_provisional,
        "filed_at": record.filed_at,
        "filed_late": record.filed_late,
        "returned_reason": record.returned_reason,
        "acknowledged_at": record.acknowledged_at,
    }
