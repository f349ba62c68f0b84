"""The daily reminder run (scheduled): fanned out one queue message per active region, then per region,
every obligation whose next reminder has come is checked against the records themselves and, if still
open, its reminders are put in the outbox once each (conditional put, deterministic id)."""

from __future__ import annotations

from datetime import date

from sheqi import clock, metrics, settings
from sheqi.reminders import calendars
from sheqi.reminders.notices import REMINDER_PREFIX
from sheqi.reminders.obligations import active_regions, complete, open_year_end_for, settings_from_env
from sheqi.rules.reminder_rules import KINDS, Settings, message, stages, to_send
from sheqi.store import Action, get_or_none, put_if_absent, queue
from sheqi.store.feedback import Rating
from sheqi.store.notices import Notice
from sheqi.store.obligations import Obligation
from sheqi.store.plans import PlanVersion
from sheqi.store.registers import Agency
from sheqi.store.supervision import Accountability, Letter
from sheqi.store.tallies import Tally
from sheqi.store.visits import Visit


@metrics.timed("reminder_dispatch")
def dispatch(today: date) -> int:
    """Fan the day's run out: one queue message per active region."""
    active = active_regions()
    for region_code in active:
        queue.send(settings.get().reminder_runs_queue_url, {"region_code": region_code, "date": today.isoformat()})
    return len(active)


def fulfilled(record: Obligation) -> bool:
    """Whether the records themselves show it done (the source of truth, read before any reminder)."""
    s = record.subject
    if record.kind == "plan_yearend":
        return any(v.status == "published" for v in PlanVersion.of_year(s["agency_id"], s["year"]))
    if record.kind == "plan_refile" and "after" in s:  # after an emergency campaign: any version filed since
        return any(
            v.created_at >= s["after"] and v.status not in ("draft", "returned")
            for v in PlanVersion.of_year(s["agency_id"], s["year"])
        )
    if record.kind == "plan_refile":
        version = get_or_none(PlanVersion, s["agency_id"], s["version_key"])
        return version is None or version.status not in ("draft", "returned")  # none: nothing left to file
    if record.kind == "case_transfer":
        transfers = (Visit.get(s["visit_id"]).outcome or {}).get("transfers") or []
        return len(transfers) >= s.get("transfer", 1) and bool(transfers[s.get("transfer", 1) - 1].get("completed"))
    if record.kind == "result_notice":
        notice = get_or_none(Notice, f"enterprise:{s['enterprise_id']}", f"visit-result:{s['visit_id']}")
        return notice is not None and (notice.delivery == "sent" or notice.status == "acknowledged")
    if record.kind == "rating_invite":
        return Rating.count(s["visit_id"]) > 0
    if record.kind == "letter_reply":
        return Letter.get(*Letter.key(s["letter_id"])).status != "issued"
    if record.kind == "correction_order":
        measure = Accountability.get(*Accountability.key(s["agency_id"], s["created_at"], s["measure_id"]))
        return measure.reported_at is not None
    return False  # science deadlines: only their own completion marks them done


def _send(record: Obligation, stage) -> bool:
    title, body = message(record.kind, stage, record.title, date.fromisoformat(record.due), record.provisional)
    notice = Notice(
        stage.recipient,
        f"{REMINDER_PREFIX}{record.obligation_id}:{stage.name}",
        kind=f"reminder_{record.kind}",
        title=title,
        body=body,
        article=KINDS[record.kind][1],
        created_at=clock.now_iso(),
    )
    return put_if_absent(notice, Notice.notice_id)  # False: an overlapping run or an earlier attempt put it there


@metrics.timed("reminder_region")
def run_region(region_code: str, today: date, settings: Settings | None = None) -> dict:
    """Send what is due in one region today; returns counts."""
    settings = settings or settings_from_env()
    if today.month == 12:
        open_year_end(region_code, today.year + 1)
    arrangements = calendars.arrangements_for({today.year, today.year + 1})
    read = created = completed = 0
    for record in Obligation.by_next_stage.query(region_code, Obligation.next_stage_on <= today.isoformat()):
        read += 1
        if fulfilled(record):
            completed += complete(record.obligation_id)
            continue
        due = date.fromisoformat(record.due)
        all_stages = stages(
            record.kind, date.fromisoformat(record.start), due, record.owner, record.region_code, settings, arrangements
        )
        sending, next_on = to_send(all_stages, today)
        keys = []
        for stage in sending:
            key = f"{stage.name}@{stage.recipient}"
            if key not in record.sent:
                created += _send(record, stage)
                keys.append(key)
        actions: list[Action] = [Obligation.sent.set(record.sent + keys)] if keys else []
        if next_on is None:
            actions += [Obligation.stage_region.remove(), Obligation.next_stage_on.remove()]
            if record.kind == "rating_invite":
                actions.append(Obligation.status.set("lapsed"))
        else:
            actions.append(Obligation.next_stage_on.set(next_on.isoformat()))
        record.update(actions=actions)
    return {
        "region_code": region_code,
        "date": today.isoformat(),
        "obligations_read": read,
        "reminders_created": created,
        "completed": completed,
    }


def open_year_end(region_code: str, year: int) -> int:
    """Next year's plan for every agency of the region (Art. 11, 16): opened once per region and year
    (a marker in Tallies); agencies registered later in December get theirs at registration."""
    marker = Tally.year_end_key(region_code, year)
    if get_or_none(Tally, marker) is not None:
        return 0
    opened = sum(open_year_end_for(a, year) for a in Agency.by_region.query(region_code))
    Tally(marker, count=1).save()
    return opened
