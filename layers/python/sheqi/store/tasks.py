"""Inspection tasks (Art. 19), their inspectors' assignments, draws, and enterprises' own requests (Art. 12(5)).

Draws         PK draw_id, SK enterprise_id (the draw's summary is the item `~draw`)
  - a draw's selection, paged                                          Query draw_id
Tasks         PK task_id (approved inspection tasks, Art. 19)
  - one task (scan-in)                                                 GetItem (in the scan's batched read)
  - an agency's tasks, newest first                                    Query by_agency (agency_id, created_at)
  - the tasks an agency leads in a status, newest first (admin's list) Query by_agency_status (<agency>#<status>, created_at)
Assignments   PK inspector_id, SK <window end, China time>#<task_id>: an inspector named on an approved task,
              put in the transaction that approves it, marked withdrawn (never deleted) in the one that withdraws it
  - my tasks not yet over, soonest ending first (the phone's list)    Query inspector_id, SK >= now, withdrawn left
                                                                       out by a filter (withdrawals are rare); then one
                                                                       BatchGetItem of the tasks, one of their
                                                                       enterprises, agencies, inspectors, notices
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from sheqi.clock import CST
from sheqi.store.tables import index, strings, table


class DrawEntry(Model):
    """One drawn enterprise and its inspectors; the draw's summary is the item with key `~draw`."""

    Meta = table("draws")
    SUMMARY = "~draw"
    draw_id = UnicodeAttribute(hash_key=True)
    enterprise_id = UnicodeAttribute(range_key=True)
    rank = NumberAttribute(null=True)
    credit_tier = UnicodeAttribute(null=True)
    inspector_ids = strings(default=list)
    unassigned_reason = UnicodeAttribute(null=True)
    summary = JSONAttribute(null=True)


class TaskByAgency(GlobalSecondaryIndex["Task"]):
    Meta = index("by_agency")
    agency_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class TaskByAgencyStatus(GlobalSecondaryIndex["Task"]):
    Meta = index("by_agency_status")
    agency_status = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Task(Model):
    Meta = table("tasks")
    task_id = UnicodeAttribute(hash_key=True)
    agency_id = UnicodeAttribute()  # the lead agency (谁牵头、谁发起、谁负责, Art. 17)
    region_code = UnicodeAttribute()  # the lead agency's, for the judicial bureau's view
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    year = UnicodeAttribute()
    type = UnicodeAttribute()  # routine / case / special (Art. 6)
    trigger = JSONAttribute(null=True)  # case-based: {kind, reference}
    method = UnicodeAttribute()  # on_site / off_site (Art. 7)
    window_start = UnicodeAttribute()
    window_end = UnicodeAttribute()
    targets = strings()
    participants = JSONAttribute()  # [{agency_id, item_ids, inspector_ids, approved_by, approved_at}]
    exception = JSONAttribute(null=True)  # Art. 12: {reason: 1-5, reference}
    campaign_id = UnicodeAttribute(null=True)  # a special campaign's (Art. 13)
    announced = BooleanAttribute(default=True)
    unannounced_reason = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # pending_approval / approved / withdrawn
    agency_status = UnicodeAttribute(null=True)  # <agency_id>#<status>, set with the status (set_status)
    withdrawn = JSONAttribute(null=True)  # {at, by, reason}
    version = VersionAttribute()
    by_agency = TaskByAgency()
    by_agency_status = TaskByAgencyStatus()

    @staticmethod
    def agency_status_key(agency_id: str, status: str) -> str:
        return f"{agency_id}#{status}"

    def set_status(self, status: str) -> None:
        self.status, self.agency_status = status, self.agency_status_key(self.agency_id, status)


class Assignment(Model):
    """An inspector named on an approved task: the index item of the inspector's task list."""

    Meta = table("assignments")
    inspector_id = UnicodeAttribute(hash_key=True)
    assignment_key = UnicodeAttribute(range_key=True)
    task_id = UnicodeAttribute()
    withdrawn_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(window_end: str, task_id: str) -> str:
        """Sorts by the window's end in China time, so `>= clock.now_iso()` keeps the tasks not yet over."""
        end = datetime.fromisoformat(window_end).astimezone(CST).isoformat(timespec="seconds")
        return f"{end}#{task_id}"


class InspectionRequest(Model):
    """An enterprise's own request to be inspected (应企业申请, Art. 12(5)), recorded from the enterprise
    (key `inspreq#<id>`); a task's exception cites it by id. GetItem only."""

    Meta = table("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    enterprise_id = UnicodeAttribute()
    agency_id = UnicodeAttribute()
    description = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()

    @staticmethod
    def key(request_id: str) -> str:
        return f"inspreq#{request_id}"
