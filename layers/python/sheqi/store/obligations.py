"""Obligations with deadlines, the regions the reminder run covers, and the official working-day calendar.

Obligations   PK obligation_id = <kind>:<subject> (created once, conditionally)
  - due for a reminder today, per region (sparse)                      Query by_next_stage (region, next_stage_on <= today)
  - an owner's obligations / a region's, by due date                   Query by_owner / by_region (…, due)
  - provisional deadlines in a year, to recompute when it is loaded    Query provisional (year)
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from sheqi.store.tables import index, strings, table


class ObligationByStage(GlobalSecondaryIndex["Obligation"]):
    """Sparse: open obligations with a reminder still to come, by region and that reminder's date."""

    Meta = index("by_next_stage")
    stage_region = UnicodeAttribute(hash_key=True)
    next_stage_on = UnicodeAttribute(range_key=True)


class ObligationByOwner(GlobalSecondaryIndex["Obligation"]):
    Meta = index("by_owner")
    owner = UnicodeAttribute(hash_key=True)
    due = UnicodeAttribute(range_key=True)


class ObligationByRegion(GlobalSecondaryIndex["Obligation"]):
    Meta = index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    due = UnicodeAttribute(range_key=True)


class ObligationProvisional(GlobalSecondaryIndex["Obligation"]):
    """Sparse: deadlines counted without their year's official arrangement, by that year."""

    Meta = index("provisional")
    provisional_year = UnicodeAttribute(hash_key=True)
    obligation_id = UnicodeAttribute(range_key=True)


class Obligation(Model):
    """Something someone must do by a date (reminder_rules.KINDS), and its reminders so far."""

    Meta = table("obligations")
    obligation_id = UnicodeAttribute(hash_key=True)  # deterministic: <kind>:<subject>
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    owner = UnicodeAttribute()  # the notice box that must act
    region_code = UnicodeAttribute()
    subject = JSONAttribute()  # the records it is about, e.g. {agency_id, year, version}
    start = UnicodeAttribute()  # the day the period starts (deadlines recomputed from it)
    working_days = NumberAttribute(null=True)  # a period of N working days, else calendar-dated
    due = UnicodeAttribute()
    provisional = BooleanAttribute(default=False)
    provisional_year = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="open")  # open / done / lapsed
    stage_region = UnicodeAttribute(null=True)
    next_stage_on = UnicodeAttribute(null=True)
    sent = strings(default=list)  # "<stage>@<recipient>" already in the outbox
    done_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    by_next_stage = ObligationByStage()
    by_owner = ObligationByOwner()
    by_region = ObligationByRegion()
    provisional_index = ObligationProvisional()


class ActiveRegions(Model):
    """The regions the daily reminder run fans out over (key `regions#active`): raised with every
    agency, enterprise and science deadline's region, so the run reads one item instead of scanning."""

    Meta = table("tallies")
    KEY = "regions#active"
    tally_key = UnicodeAttribute(hash_key=True)
    regions = UnicodeSetAttribute(default=set)


class CalendarYear(Model):
    """A year's official working-day arrangement, loaded by an administrator (key `calendar#<year>`)."""

    Meta = table("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    notice = UnicodeAttribute()
    holidays = strings()
    working_weekends = strings()
    loaded_at = UnicodeAttribute()
    loaded_by = UnicodeAttribute()

    @staticmethod
    def key(year: int) -> str:
        return f"calendar#{year}"

    @property
    def year(self) -> int:
        return int(self.tally_key.split("#")[1])
