"""Visits, their event chains and the scans that open them, and the small records a scan coordinates on.

Visits        PK visit_id
  - one visit (join, log, close, detail)                               GetItem
  - an enterprise's visits, newest first (shared summaries, Art. 29)   Query by_enterprise (enterprise_id, opened_at)
  - a region's visits by opening time (stats, exceptions, return-visit draws)   Query by_region (region_code, opened_at)
VisitEvents   PK visit_id, SK seq (the visit's hash chain; appended in one transaction with the visit,
              whose version guards the head, so two writers never fork the chain)
  - a visit's chain, in order (timeline, verification)                 Query visit_id
Scans         PK scan_id = <inspector_id>:<client_request_id> (so a retry finds its first answer)
  - the first answer to a retried scan                                 GetItem (in the scan's batched read)
  - an enterprise's scan attempts, all of them                         Query by_enterprise (enterprise_id, server_time)
  - an enterprise's inspections: visits opened, service visits,
    refused attempts, newest first (sparse)                            Query inspections (listed_enterprise, server_time)
The day's slot, the agency's last visit, a team's pending scans and off-site clearances are items of the
tallies table (keys in sheqi/store/tallies.py), read in the scan's one BatchGetItem and written in its one
TransactWriteItems.
"""

from __future__ import annotations

from datetime import date

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from sheqi.store.tables import index, strings, table


class VisitByEnterprise(GlobalSecondaryIndex["Visit"]):
    Meta = index("by_enterprise")
    enterprise_id = UnicodeAttribute(hash_key=True)
    opened_at = UnicodeAttribute(range_key=True)


class VisitByRegion(GlobalSecondaryIndex["Visit"]):
    Meta = index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    opened_at = UnicodeAttribute(range_key=True)


class Visit(Model):
    """A visit: opened by scan-in, logged by its team, closed with an outcome (Art. 19). The fields
    below the events' head are kept in step with the visit's event chain (VisitEvent), in the same
    transaction as each event, so the record and its history never disagree."""

    Meta = table("visits")
    visit_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="enforcement")  # enforcement / service (policy briefing, service call: Art. 27(5))
    purpose = UnicodeAttribute(null=True)  # a service visit's stated purpose
    enterprise_id = UnicodeAttribute()
    enterprise_name = UnicodeAttribute(null=True)
    region_code = UnicodeAttribute(null=True)  # the enterprise's: its judicial bureau, and sharing (Art. 29)
    visit_date = UnicodeAttribute()
    opened_at = UnicodeAttribute()  # server time
    entered_at = UnicodeAttribute()  # device time of the scan that opened it
    task_ids = strings()
    agency_ids = strings()
    slot_key = UnicodeAttribute(null=True)  # the Tallies slot that lets same-day scans join it (Art. 17)
    inspectors = JSONAttribute()  # as verified at scan time: name, certificate, validity
    items = JSONAttribute()  # [{agency_id, item_id, name, legal_basis}]
    flags = strings(default=list)
    exception = JSONAttribute(null=True)
    revisit_of = JSONAttribute(null=True)  # Art. 17: [{agency_id, visit_id, visit_date, item_ids}] visited shortly before
    status = UnicodeAttribute(default="open")  # open / closed
    findings = JSONAttribute(default=dict)  # "<agency_id>/<item_id>" -> the latest finding
    ended_at = UnicodeAttribute(null=True)  # device time of the scan-out
    closed_at = UnicodeAttribute(null=True)  # server time
    outcome = JSONAttribute(null=True)  # the close's outcome, with corrections applied
    head_seq = NumberAttribute(default=0)  # the last event of the chain
    head_hash = UnicodeAttribute(null=True)
    version = VersionAttribute()
    by_enterprise = VisitByEnterprise()
    by_region = VisitByRegion()


class VisitEvent(Model):
    """One appended, hashed and signed event of a visit (see chain.py). Never updated or deleted."""

    Meta = table("visit-events")
    visit_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    kind = UnicodeAttribute()  # opened / joined / finding / closed / correction
    actor = UnicodeAttribute()
    at = UnicodeAttribute()
    payload = JSONAttribute()
    prev_hash = UnicodeAttribute()
    hash = UnicodeAttribute()
    key_id = UnicodeAttribute()
    signature = UnicodeAttribute()


class ScanByEnterprise(GlobalSecondaryIndex["Scan"]):
    Meta = index("by_enterprise")
    enterprise_id = UnicodeAttribute(hash_key=True)
    server_time = UnicodeAttribute(range_key=True)


class ScanListed(GlobalSecondaryIndex["Scan"]):
    """Sparse: only scans that opened a visit, registered a service visit, or were refused."""

    Meta = index("inspections")
    listed_enterprise = UnicodeAttribute(hash_key=True)
    server_time = UnicodeAttribute(range_key=True)


class Scan(Model):
    Meta = table("scans")
    scan_id = UnicodeAttribute(hash_key=True)
    inspector_id = UnicodeAttribute()
    agency_id = UnicodeAttribute()
    task_id = UnicodeAttribute(null=True)  # none for a service visit
    enterprise_id = UnicodeAttribute(null=True)  # unknown when the code itself is unreadable
    identified_by = UnicodeAttribute(null=True)  # signed_code / business_licence
    server_time = UnicodeAttribute()
    device_time = UnicodeAttribute()
    late_reason = UnicodeAttribute(null=True)
    location = JSONAttribute(null=True)
    outcome = UnicodeAttribute()  # refused / pending / opened / joined / service
    visit_id = UnicodeAttribute(null=True)
    answer = JSONAttribute()  # the response, returned again on retry
    request_hash = UnicodeAttribute(null=True)  # of the request, so a retry with another body is refused
    listed_enterprise = UnicodeAttribute(null=True)  # enterprise_id when the scan is an inspection in its list
    by_enterprise = ScanByEnterprise()
    inspections = ScanListed()

    @staticmethod
    def key(inspector_id: str, client_request_id: str) -> str:
        return f"{inspector_id}:{client_request_id}"


class VisitSlot(Model):
    """The open visit of an agency at an enterprise on a day (key `slot#...`)."""

    Meta = table("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    visit_id = UnicodeAttribute()

    @staticmethod
    def key(enterprise_id: str, agency_id: str, day: date) -> str:
        return f"slot#{enterprise_id}#{agency_id}#{day.isoformat()}"


class LastVisit(Model):
    """An agency's latest visit at an enterprise and the items it checked (key `lastvisit#...`): read in
    the scan's batch, so a visit opened again within the re-visit window for other items is flagged
    (Art. 17), and rewritten under its version in the transaction that opens or extends a visit."""

    Meta = table("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    visit_id = UnicodeAttribute()
    visit_date = UnicodeAttribute()
    item_ids = strings(default=list)
    version = VersionAttribute()

    @staticmethod
    def key(enterprise_id: str, agency_id: str) -> str:
        return f"lastvisit#{enterprise_id}#{agency_id}"


class PendingScans(Model):
    """Scans of a task's team at an enterprise waiting for a second inspector (key `pending#...`)."""

    Meta = table("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    members = JSONAttribute()  # [{inspector_id, scan_id, device_time}]
    version = VersionAttribute()

    @staticmethod
    def key(task_id: str, enterprise_id: str, day: date) -> str:
        return f"pending#{task_id}#{enterprise_id}#{day.isoformat()}"


class OffsiteClear(Model):
    """The last off-site check of an item at an enterprise that found no violation (key `offsite#...`)."""

    Meta = table("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    checked_on = UnicodeAttribute()

    @staticmethod
    def key(enterprise_id: str, agency_id: str, item_id: str) -> str:
        return f"offsite#{enterprise_id}#{agency_id}#{item_id}"
