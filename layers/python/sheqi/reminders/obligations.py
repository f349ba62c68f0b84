"""Obligations with deadlines.

An obligation is opened once (conditional put, deterministic id) by whatever starts the period: an
amended plan (Art. 16), a transfer at a visit's close (Art. 26), the close itself (result notice,
Art. 19; rating invitation, Art. 24), a science project or technical contract (seed 004), and for
every agency, in December, next year's plan (Art. 11, 16). Whatever fulfils it marks it done at
once. The daily run that reminds of them is `sheqi.reminders.run`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sheqi import clock, settings
from sheqi.auth import Identity, deny_scope, region_or_own
from sheqi.reminders import calendars
from sheqi.rules import regions
from sheqi.rules.reminder_rules import KINDS, Settings, stages
from sheqi.rules.workdays import Deadline, add_working_days, roll_forward
from sheqi.store import Action, get_or_none, pagination, put_if_absent, update_if
from sheqi.store.obligations import ActiveRegions, Obligation
from sheqi.store.plans import PlanVersion

if TYPE_CHECKING:
    from sheqi.store.registers import Agency


def settings_from_env() -> Settings:
    env = settings.get()
    return Settings(
        upcoming_days=env.reminder_upcoming_days,
        escalation_working_days=env.escalation_working_days,
        year_end_days=env.year_end_reminder_days,
    )


def note_region(region_code: str) -> None:
    """Add a region to the daily run's fan-out. Called where regions come into being (an agency, an
    enterprise, a science deadline's region), not on every obligation: one item, so not on a hot path."""
    ActiveRegions(ActiveRegions.KEY).update(actions=[ActiveRegions.regions.add({region_code})])


def active_regions() -> list[str]:
    record = get_or_none(ActiveRegions, ActiveRegions.KEY)
    return sorted(record.regions or []) if record else []


def new(
    obligation_id: str,
    *,
    kind: str,
    title: str,
    owner: str,
    region_code: str,
    subject: dict,
    start: date,
    due: Deadline,
    working_days: int | None = None,
) -> Obligation:
    """An obligation record, to be put once (condition: it does not exist), alone or in a transaction."""
    first = min(s.on for s in stages(kind, start, due.due, owner, region_code, settings_from_env()))
    return Obligation(
        obligation_id,
        kind=kind,
        title=title,
        owner=owner,
        region_code=region_code,
        subject=subject,
        start=start.isoformat(),
        working_days=working_days,
        due=due.due.isoformat(),
        provisional=due.provisional,
        provisional_year=str(due.due.year) if due.provisional else None,
        stage_region=region_code,
        next_stage_on=first.isoformat(),
        created_at=clock.now_iso(),
    )


def open_once(obligation_id: str, **fields) -> bool:
    """Open the obligation unless it exists; True if this call opened it."""
    return put_if_absent(new(obligation_id, **fields), Obligation.obligation_id)


def working_day_deadline(start: date, n: int) -> Deadline:
    return add_working_days(start, n, calendars.arrangements_for({start.year, start.year + 1}))


def closing(status: str = "done") -> list[Action]:
    """What marks an obligation fulfilled (or lapsed), alone or with more in a transaction: it leaves the
    reminder index."""
    return [
        Obligation.status.set(status),
        Obligation.done_at.set(clock.now_iso()),
        Obligation.stage_region.remove(),
        Obligation.next_stage_on.remove(),
    ]


def complete(obligation_id: str, status: str = "done") -> bool:
    """Mark it fulfilled (or lapsed). False if there is no such obligation."""
    return update_if(Obligation(obligation_id), closing(status), condition=Obligation.obligation_id.exists())


def open_year_end_for(agency: Agency, year: int) -> bool:
    if agency.kind != "enforcement_agency":
        return False
    due = date(year - 1, 12, 31)
    return open_once(
        f"plan_yearend:{agency.agency_id}:{year}",
        kind="plan_yearend",
        title=f"{agency.name}{year}年度检查计划",
        owner=f"agency:{agency.agency_id}",
        region_code=agency.region_code,
        subject={"agency_id": agency.agency_id, "year": year},
        start=date(year - 1, 12, 1),
        due=Deadline(due, False),
    )


def recompute_year(year: int) -> int:
    """Deadlines counted provisionally into `year`, counted again now that its arrangement is loaded;
    the plan versions they belong to carry the new date too."""
    changed = 0
    for record in Obligation.provisional_index.query(str(year)):
        start = date.fromisoformat(record.start)
        if record.working_days is not None:
            due = working_day_deadline(start, int(record.working_days))
        elif (record.subject or {}).get("period_end"):
            due = calendar_deadline(date.fromisoformat(record.subject["period_end"]))
        else:
            continue
        actions: list[Action] = [Obligation.due.set(due.due.isoformat()), Obligation.provisional.set(due.provisional)]
        actions.append(
            Obligation.provisional_year.set(str(due.due.year)) if due.provisional else Obligation.provisional_year.remove()
        )
        if record.status == "open":
            pending = [
                s.on
                for s in stages(record.kind, start, due.due, record.owner, record.region_code, settings_from_env())
                if f"{s.name}@{s.recipient}" not in record.sent
            ]
            if pending:
                actions += [
                    Obligation.stage_region.set(record.region_code),
                    Obligation.next_stage_on.set(min(pending).isoformat()),
                ]
        record.update(actions=actions)
        if record.kind == "plan_refile" and "version_key" in record.subject:  # an emergency campaign's names none yet
            version = PlanVersion.get(record.subject["agency_id"], record.subject["version_key"])
            version.filing_due, version.filing_due_provisional = due.due.isoformat(), due.provisional
            version.save()
        changed += 1
    return changed


# --- reading ------------------------------------------------------------------------------------


def view(record: Obligation, today: date) -> dict:
    due = date.fromisoformat(record.due)
    return {
        "obligation_id": record.obligation_id,
        "kind": record.kind,
        "what": KINDS[record.kind][0],
        "article": KINDS[record.kind][1],
        "title": record.title,
        "owner": record.owner,
        "region_code": record.region_code,
        "subject": record.subject,
        "due": record.due,
        "provisional": record.provisional,
        "status": record.status,
        "overdue_days": (today - due).days if record.status == "open" and today > due else 0,
        "reminders_sent": record.sent,
        "done_at": record.done_at,
    }


def list_for(caller: Identity, region_code: str | None, overdue_only: bool, limit: int, cursor: str | None) -> dict:
    """The caller's own obligations by due date; for a judicial bureau, its region's (the overdue list)."""
    today = clock.today()
    open_only = Obligation.status == "open"
    condition = Obligation.due < today.isoformat() if overdue_only else None
    if caller.role in ("judicial", "platform_admin"):
        region_code = region_or_own(caller, region_code)
        if caller.role == "judicial" and not regions.covers(caller.region_code, region_code):
            raise deny_scope("督办清单")
        results = pagination.query(
            Obligation.by_region, region_code, cursor, condition, filter_condition=open_only, limit=limit, page_size=limit
        )
    elif caller.role in ("agency_admin", "enterprise", "science_bureau"):
        results = pagination.query(
            Obligation.by_owner, caller.recipient, cursor, condition, filter_condition=open_only, limit=limit, page_size=limit
        )
    else:
        raise deny_scope("待办事项")
    return pagination.page(results, lambda r: view(r, today))


def calendar_deadline(last_day: date) -> Deadline:
    """A period's deadline: its last day, or when that is a rest day the first working day after it
    (Civil Code art. 203). Provisional while that year's calendar is not loaded; record `period_end`
    in the obligation's subject so `recompute_year` can count it again."""
    return roll_forward(last_day, calendars.arrangements_for({last_day.year, last_day.year + 1}))
