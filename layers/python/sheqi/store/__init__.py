"""PynamoDB models: the store of the registries, and their access patterns.

Keys and indexes must match `infra/tables.yml` (the single source of truth for the tables;
tests/unit/test_store_schema.py compares the two).

Enterprises   PK enterprise_id (USCC)
  - get one enterprise (scan-in, door verification, owner view)       GetItem
  - list enterprises of a region (admins, judicial)                    Query by_region (region_code, enterprise_id)
Agencies      PK agency_id
  - get one agency                                                     GetItem
  - list agencies of a region                                          Query by_region (region_code, agency_id)
Inspectors    PK inspector_id
  - get one inspector (token subject)                                  GetItem
  - list an agency's inspectors                                        Query by_agency (agency_id, inspector_id)
  - find by certificate number (enterprise verifies a certificate)     Query by_certificate (certificate_no)
  - certificates expiring in a month, by date (daily watch)            Query by_expiry (expiry_month, valid_until)
  - certificate numbers are unique: guard item `certificate#<no>`      TransactWrite with the inspector
Items         PK agency_id, SK item_id (an agency's inspection item list, Art. 14)
  - an agency's items, published or not                                Query agency_id
  - one item                                                           GetItem
Notices       PK recipient, SK notice_id (outbox: one record per notice, id is deterministic)
  - a recipient's notices, newest first                                Query by_time (recipient, created_at)
  - a recipient's pending reminders, by obligation                     Query recipient, begins_with "reminder:"
  - create exactly once                                                PutItem if notice_id does not exist
  - to deliver now, per shard (sparse)                                 Query undelivered (delivery_shard, next_attempt_at <= now)
  - dead letters for the platform admin (sparse)                       Query dead_letters ("dead", created_at)
Obligations   PK obligation_id = <kind>:<subject> (created once, conditionally)
  - due for a reminder today, per region (sparse)                      Query by_next_stage (region, next_stage_on <= today)
  - an owner's obligations / a region's, by due date                   Query by_owner / by_region (…, due)
  - provisional deadlines in a year, to recompute when it is loaded    Query provisional (year)
Plans         PK agency_id, SK version_key = <year>#<version, 4 digits> (every version is kept, Art. 16)
  - an agency's versions of a year's plan                              Query agency_id, begins_with <year>#
  - one version                                                        GetItem
  - which items are in force on a day: the plan index (Tallies planindex#<agency>#<year>), kept in the
    same transaction as each acknowledgement, read in the scan's batch
Campaigns     PK agency_id, SK campaign_id (special campaigns, Art. 13; yearly count in Tallies)
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
Visits        PK visit_id
  - one visit (join, log, close, detail)                               GetItem
  - an enterprise's visits, newest first (shared summaries, Art. 29)   Query by_enterprise (enterprise_id, opened_at)
VisitEvents   PK visit_id, SK seq (the visit's hash chain; appended in one transaction with the visit,
              whose version guards the head, so two writers never fork the chain)
  - a visit's chain, in order (timeline, verification)                 Query visit_id
Scans         PK scan_id = <inspector_id>:<client_request_id> (so a retry finds its first answer)
  - the first answer to a retried scan                                 GetItem (in the scan's batched read)
  - an enterprise's scan attempts, all of them                         Query by_enterprise (enterprise_id, server_time)
  - an enterprise's inspections: visits opened, service visits,
    refused attempts, newest first (sparse)                            Query inspections (listed_enterprise, server_time)
Visits (more)
  - a region's visits by opening time (stats, exceptions, return-visit draws)   Query by_region (region_code, opened_at)
Supervision   PK pk, SK sk: return-visit samples and their entries, cases, letters (one table)
  - a sample and its entries                                           Query pk = sample#<id>
  - a region's samples, cases, letters, newest first                   Query by_region (region_code, created_at)
  - an agency's accountability measures (Art. 31), newest first        Query pk = agency#<agency_id>, sk begins_with
                                                                       "measure#" (sk measure#<created_at>#<id>);
                                                                       a region's: by_region, record_kind "measure"
Ratings       PK visit_id (one per visit: PutItem if absent, in one transaction with the aggregates)
  - ratings of a region, newest first (judicial bureau)                Query by_region (region_code, rated_at)
Complaints    PK complaint_id
  - an enterprise's complaints / a region's, newest first              Query by_enterprise / by_region (…, created_at)
Tallies       PK tally_key: one small record per thing a scan must coordinate on
  - count#<E>#<year>[#<agency>[#<item>]]  yearly inspection counts (Art. 18 caps; conditional ADD); the total
                                          is in the watch index under frequency#<region>#<year> (Art. 12)
  - refusals#<region>#<year>#<agency>#<reason>  refused attempts, in the watch index under refusals#<region>#<year>
  - slot#<E>#<agency>#<date>              the agency's open visit at E that day (Art. 17 merge)
  - lastvisit#<E>#<agency>                the agency's latest visit at E and its items (Art. 17 re-visit flag)
  - pending#<task>#<E>#<date>             team scans waiting for a second inspector (Art. 19)
  - offsite#<E>#<agency>#<item>           last off-site check that found no violation (Art. 7)
  - planindex#<agency>#<year>             acknowledged plan versions: from when, which items (Art. 16)
  - campaigns#<agency>#<year>             special campaigns filed that year, under the quota (Art. 13)
  - campaignquota#<agency>#<year>         the yearly quota of special campaigns the platform set (Art. 13)
  - inspreq#<id>                          an enterprise's own request to be inspected (Art. 12(5)), cited by an exception
  - calendar#<year>                       a year's official working-day arrangement, loaded by an admin
  - ratings#<agency>#<year>Q<n>           an agency's rating sums in a quarter (raised in the rating's transaction)
  - regions#active                        the regions the daily reminder run fans out over
  - yearend#<region>#<year>               next year's plan obligations opened for the region's agencies
  - contact#<recipient>                   a notice box's SMS number and mail address
  - letters#<region>#<kind>#<year>        the last number given to a supervision letter (Art. 30)
  - sciencedraw#<region>#<population>#<year>  a seed-004 spot check drawn that year (digest: its inputs)
  - sciencebar#<region>#<person>          a science leader or team barred from applying (digest: until when)
  all read in the scan's one BatchGetItem and written in its one TransactWriteItems.
SubsidyApplicants  PK year, SK applicant_id (an applicant's facts for a year)
  - one applicant                                                      GetItem
  - store one; a science bureau only if new or of its jurisdiction     PutItem if absent or begins_with(region_code)
  - every applicant of a year, for a batch run (paged)                 Query year
SubsidyResults     PK run_id, SK applicant_id (the summary of a run is the item `~run`; each chunk a run
                   counted is marked once in Tallies `subsidychunk#<run>#<n>`, so a redelivered chunk counts once)
  - a run's results, paged                                             Query run_id
  - an applicant's results, newest first                               Query by_applicant (applicant_id, calculated_at)
IdempotencyKeys  PK key_id = <caller's subject>#<Idempotency-Key> (TTL expires_at, IDEMPOTENCY_DAYS)
  - the first answer to a retried POST                                 GetItem (before the request runs)
  - claimed with the request's first effects                           Put if absent, in their TransactWriteItems
  - given the answer once the handler has shaped it                    UpdateItem if it has none
No path a phone calls uses Scan.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar, cast

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.expressions.update import Action as Action  # the type of an update, e.g. `Obligation.due.set(...)`
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import MetaProtocol, Model
from pynamodb.pagination import ResultIterator

from sheqi import settings
from sheqi.clock import CST
from sheqi.rules.visit_rules import PROHIBITED_PRACTICES
from sheqi.store import pagination
from sheqi.store.access import Cancelled as Cancelled
from sheqi.store.access import KeyTaken as KeyTaken
from sheqi.store.access import Transaction as Transaction
from sheqi.store.access import batch_read as batch_read
from sheqi.store.access import claiming as claiming
from sheqi.store.access import get_or_404 as get_or_404
from sheqi.store.access import get_or_none as get_or_none
from sheqi.store.access import put_if_absent as put_if_absent
from sheqi.store.access import save_if as save_if
from sheqi.store.access import update_if as update_if

PREFIX = settings.get().table_prefix  # read at import: a bad setting fails the cold start


class _Meta:
    region = settings.get().aws_region
    host = settings.get().dynamodb_endpoint


def _meta(table: str) -> MetaProtocol:
    return cast(MetaProtocol, type("Meta", (_Meta,), {"table_name": f"{PREFIX}-{table}"}))


def _strings(default: Callable[[], list[str]] | None = None) -> ListAttribute[str]:
    """A list of strings (PynamoDB's stubs would type `ListAttribute(of=UnicodeAttribute)` as a list of attributes)."""
    return cast("ListAttribute[str]", ListAttribute(of=UnicodeAttribute, default=default))


def _index(name: str) -> type:
    return type("Meta", (), {"index_name": name, "projection": AllProjection()})


class EnterpriseByRegion(GlobalSecondaryIndex["Enterprise"]):
    Meta = _index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    enterprise_id = UnicodeAttribute(range_key=True)


class Enterprise(Model):
    Meta = _meta("enterprises")
    enterprise_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    region_code = UnicodeAttribute()
    address = UnicodeAttribute(null=True)
    latitude = NumberAttribute(null=True)  # registered premises, for the scan's distance check
    longitude = NumberAttribute(null=True)
    credit_tier = UnicodeAttribute()  # good / average / poor (Art. 18)
    credit_source = UnicodeAttribute()  # who rated it, e.g. 国家企业信用信息公示系统
    credit_rated_on = UnicodeAttribute(null=True)
    contact_name = UnicodeAttribute(null=True)
    contact_phone = UnicodeAttribute(null=True)
    contact_email = UnicodeAttribute(null=True)
    code_version = NumberAttribute(default=1)  # bumped when the scan-in code is re-issued
    code_status = UnicodeAttribute(default="active")
    scope = UnicodeAttribute(default="enterprise")  # enterprise / by_reference (Art. 3: individual business, cooperative)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()
    by_region = EnterpriseByRegion()


class AgencyByRegion(GlobalSecondaryIndex["Agency"]):
    Meta = _index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    agency_id = UnicodeAttribute(range_key=True)


class Agency(Model):
    Meta = _meta("agencies")
    agency_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    level = UnicodeAttribute()  # city / county (Art. 8)
    region_code = UnicodeAttribute()
    kind = UnicodeAttribute()  # qualification.AGENCY_KINDS (Art. 4)
    certificate_kind = UnicodeAttribute()  # enforcement / police: what its inspectors must hold
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()
    by_region = AgencyByRegion()


class InspectorByAgency(GlobalSecondaryIndex["Inspector"]):
    Meta = _index("by_agency")
    agency_id = UnicodeAttribute(hash_key=True)
    inspector_id = UnicodeAttribute(range_key=True)


class InspectorByCertificate(GlobalSecondaryIndex["Inspector"]):
    Meta = _index("by_certificate")
    certificate_no = UnicodeAttribute(hash_key=True)


class InspectorByExpiry(GlobalSecondaryIndex["Inspector"]):
    Meta = _index("by_expiry")
    expiry_month = UnicodeAttribute(hash_key=True)
    valid_until = UnicodeAttribute(range_key=True)


class Inspector(Model):
    Meta = _meta("inspectors")
    inspector_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    agency_id = UnicodeAttribute()
    region_code = UnicodeAttribute()  # the agency's, copied so supervisors query without a join
    staff_category = UnicodeAttribute()  # formal / auxiliary / grid_worker / temporary (Art. 4)
    status = UnicodeAttribute(default="active")
    certificate_no = UnicodeAttribute(null=True)
    certificate_kind = UnicodeAttribute(null=True)
    valid_from = UnicodeAttribute(null=True)
    valid_until = UnicodeAttribute(null=True)
    expiry_month = UnicodeAttribute(null=True)  # valid_until[:7]; sparse index key
    conflicts = _strings(default=list)  # enterprises they may not be drawn for
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()
    by_agency = InspectorByAgency()
    by_certificate = InspectorByCertificate()
    by_expiry = InspectorByExpiry()


class CertificateClaim(Model):
    """Guard item in the inspectors table that makes a certificate number unique: written in the
    same transaction as its inspector, with `attribute_not_exists`. Not in any index (sparse)."""

    PREFIX = "certificate#"
    Meta = _meta("inspectors")
    inspector_id = UnicodeAttribute(hash_key=True)
    owner = UnicodeAttribute()

    @classmethod
    def key(cls, certificate_no: str) -> str:
        return cls.PREFIX + certificate_no

    @classmethod
    def is_key(cls, key: str) -> bool:
        """Whether `key` names a guard item (so it is no inspector's id)."""
        return cls.PREFIX in key


class FrequencyCaps(MapAttribute[str, int]):
    """Inspections a year per enterprise by credit tier (Art. 18)."""

    good = NumberAttribute()
    average = NumberAttribute()
    poor = NumberAttribute()


class Item(Model):
    Meta = _meta("items")
    agency_id = UnicodeAttribute(hash_key=True)
    item_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    legal_basis = UnicodeAttribute()
    inspection_standard = UnicodeAttribute(null=True)  # Art. 15
    responsible_unit = UnicodeAttribute()
    frequency_caps = FrequencyCaps()  # type: ignore[no-untyped-call]  # MapAttribute's __init__ is unannotated
    status = UnicodeAttribute(default="draft")  # draft / published / withdrawn (Art. 14)
    published_on = UnicodeAttribute(null=True)
    withdrawn_on = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


DELIVERY_SHARDS = 8  # undelivered notices spread over this many index partitions


class NoticeUndelivered(GlobalSecondaryIndex["Notice"]):
    """Sparse: notices still to be sent (or retried) by a channel, by when to try next."""

    Meta = _index("undelivered")
    delivery_shard = UnicodeAttribute(hash_key=True)
    next_attempt_at = UnicodeAttribute(range_key=True)


class NoticeDeadLetters(GlobalSecondaryIndex["Notice"]):
    """Sparse: notices no channel could deliver after every retry, for the platform admin."""

    Meta = _index("dead_letters")
    dead_letter = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class NoticeByTime(GlobalSecondaryIndex["Notice"]):
    """A box's notices in the order they were written (the table's sort key is the deterministic id)."""

    Meta = _index("by_time")
    recipient = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Notice(Model):
    Meta = _meta("notices")
    recipient = UnicodeAttribute(hash_key=True)  # agency:<id>, enterprise:<id>, inspector:<id>, judicial:<region>
    notice_id = UnicodeAttribute(range_key=True)  # deterministic: <kind>:<subject>:<stage>
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    article = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="pending")  # pending / acknowledged (by the recipient)
    acknowledged_at = UnicodeAttribute(null=True)
    acknowledged_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    # Delivery by SMS / mail (delivery.py): pending -> sent, or in_app (no channel for the recipient), or
    # dead (every retry failed). While pending it is in the undelivered index; when dead, in dead_letters.
    delivery = UnicodeAttribute(default="pending")
    delivery_shard = UnicodeAttribute(null=True, default=lambda: f"s{random.randrange(DELIVERY_SHARDS)}")
    next_attempt_at = UnicodeAttribute(null=True, default=lambda: "0")  # "0": at once
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    delivered_at = UnicodeAttribute(null=True)
    channels = _strings(default=list)
    dead_letter = UnicodeAttribute(null=True)
    undelivered = NoticeUndelivered()
    dead_letters = NoticeDeadLetters()
    by_time = NoticeByTime()


class ObligationByStage(GlobalSecondaryIndex["Obligation"]):
    """Sparse: open obligations with a reminder still to come, by region and that reminder's date."""

    Meta = _index("by_next_stage")
    stage_region = UnicodeAttribute(hash_key=True)
    next_stage_on = UnicodeAttribute(range_key=True)


class ObligationByOwner(GlobalSecondaryIndex["Obligation"]):
    Meta = _index("by_owner")
    owner = UnicodeAttribute(hash_key=True)
    due = UnicodeAttribute(range_key=True)


class ObligationByRegion(GlobalSecondaryIndex["Obligation"]):
    Meta = _index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    due = UnicodeAttribute(range_key=True)


class ObligationProvisional(GlobalSecondaryIndex["Obligation"]):
    """Sparse: deadlines counted without their year's official arrangement, by that year."""

    Meta = _index("provisional")
    provisional_year = UnicodeAttribute(hash_key=True)
    obligation_id = UnicodeAttribute(range_key=True)


class Obligation(Model):
    """Something someone must do by a date (reminder_rules.KINDS), and its reminders so far."""

    Meta = _meta("obligations")
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
    sent = _strings(default=list)  # "<stage>@<recipient>" already in the outbox
    done_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    by_next_stage = ObligationByStage()
    by_owner = ObligationByOwner()
    by_region = ObligationByRegion()
    provisional_index = ObligationProvisional()


class Contact(Model):
    """Where a notice box gets SMS and mail (key `contact#<recipient>`); enterprises default to their
    registered contact."""

    Meta = _meta("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    sms = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(recipient: str) -> str:
        return f"contact#{recipient}"


class ActiveRegions(Model):
    """The regions the daily reminder run fans out over (key `regions#active`): raised with every
    agency, enterprise and science deadline's region, so the run reads one item instead of scanning."""

    Meta = _meta("tallies")
    KEY = "regions#active"
    tally_key = UnicodeAttribute(hash_key=True)
    regions = UnicodeSetAttribute(default=set)


class PlanVersion(Model):
    """One version of an agency's annual inspection plan (Art. 11, 16)."""

    Meta = _meta("plans")
    agency_id = UnicodeAttribute(hash_key=True)
    version_key = UnicodeAttribute(range_key=True)
    year = UnicodeAttribute()
    version = NumberAttribute()
    status = UnicodeAttribute(default="draft")  # draft / filed / returned / acknowledged / published
    entries = JSONAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    change_reason = UnicodeAttribute(null=True)  # an amendment: why, and on which day the plan changed
    changed_on = UnicodeAttribute(null=True)
    filing_due = UnicodeAttribute()
    filing_due_provisional = BooleanAttribute(default=False)
    filed_at = UnicodeAttribute(null=True)
    filed_late = BooleanAttribute(null=True)
    returned_reason = UnicodeAttribute(null=True)
    acknowledged_at = UnicodeAttribute(null=True)
    acknowledged_by = UnicodeAttribute(null=True)
    effective_from = UnicodeAttribute(null=True)
    published_at = UnicodeAttribute(null=True)
    revision = VersionAttribute()

    @staticmethod
    def key(year: int | str, version: int) -> str:
        return f"{year}#{version:04d}"

    @classmethod
    def of_year(cls, agency_id: str, year: int | str) -> ResultIterator[PlanVersion]:
        """An agency's versions of a year's plan, oldest first."""
        return cls.query(agency_id, cls.version_key.startswith(f"{year}#"))


class PlanIndex(Model):
    """Acknowledged versions of an agency's plan for a year (key `planindex#...`)."""

    Meta = _meta("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    versions = JSONAttribute()  # [{version, effective_from, item_ids}]
    revision = VersionAttribute()

    @staticmethod
    def key(agency_id: str, year: int | str) -> str:
        return f"planindex#{agency_id}#{year}"


class InspectionRequest(Model):
    """An enterprise's own request to be inspected (应企业申请, Art. 12(5)), recorded from the enterprise
    (key `inspreq#<id>`); a task's exception cites it by id. GetItem only."""

    Meta = _meta("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    enterprise_id = UnicodeAttribute()
    agency_id = UnicodeAttribute()
    description = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()

    @staticmethod
    def key(request_id: str) -> str:
        return f"inspreq#{request_id}"


class CalendarYear(Model):
    """A year's official working-day arrangement, loaded by an administrator (key `calendar#<year>`)."""

    Meta = _meta("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    notice = UnicodeAttribute()
    holidays = _strings()
    working_weekends = _strings()
    loaded_at = UnicodeAttribute()
    loaded_by = UnicodeAttribute()

    @staticmethod
    def key(year: int) -> str:
        return f"calendar#{year}"

    @property
    def year(self) -> int:
        return int(self.tally_key.split("#")[1])


class Campaign(Model):
    Meta = _meta("campaigns")
    agency_id = UnicodeAttribute(hash_key=True)
    campaign_id = UnicodeAttribute(range_key=True)
    year = UnicodeAttribute()
    title = UnicodeAttribute()
    item_ids = _strings()
    approving_authority = UnicodeAttribute()
    approving_level = UnicodeAttribute()
    approval_document = UnicodeAttribute()
    approved_on = UnicodeAttribute()
    joint_agency_ids = _strings(default=list)
    emergency = BooleanAttribute(default=False)
    refile_due = UnicodeAttribute(null=True)  # an emergency campaign: the plan is re-filed within 10 working days
    refile_due_provisional = BooleanAttribute(default=False)
    status = UnicodeAttribute(default="filed")  # filed / published
    filed_at = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)
    revision = VersionAttribute()


class DrawEntry(Model):
    """One drawn enterprise and its inspectors; the draw's summary is the item with key `~draw`."""

    Meta = _meta("draws")
    SUMMARY = "~draw"
    draw_id = UnicodeAttribute(hash_key=True)
    enterprise_id = UnicodeAttribute(range_key=True)
    rank = NumberAttribute(null=True)
    credit_tier = UnicodeAttribute(null=True)
    inspector_ids = _strings(default=list)
    unassigned_reason = UnicodeAttribute(null=True)
    summary = JSONAttribute(null=True)


class TaskByAgency(GlobalSecondaryIndex["Task"]):
    Meta = _index("by_agency")
    agency_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class TaskByAgencyStatus(GlobalSecondaryIndex["Task"]):
    Meta = _index("by_agency_status")
    agency_status = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Task(Model):
    Meta = _meta("tasks")
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
    targets = _strings()
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

    Meta = _meta("assignments")
    inspector_id = UnicodeAttribute(hash_key=True)
    assignment_key = UnicodeAttribute(range_key=True)
    task_id = UnicodeAttribute()
    withdrawn_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(window_end: str, task_id: str) -> str:
        """Sorts by the window's end in China time, so `>= clock.now_iso()` keeps the tasks not yet over."""
        end = datetime.fromisoformat(window_end).astimezone(CST).isoformat(timespec="seconds")
        return f"{end}#{task_id}"


class VisitByEnterprise(GlobalSecondaryIndex["Visit"]):
    Meta = _index("by_enterprise")
    enterprise_id = UnicodeAttribute(hash_key=True)
    opened_at = UnicodeAttribute(range_key=True)


class VisitByRegion(GlobalSecondaryIndex["Visit"]):
    Meta = _index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    opened_at = UnicodeAttribute(range_key=True)


class Visit(Model):
    """A visit: opened by scan-in, logged by its team, closed with an outcome (Art. 19). The fields
    below the events' head are kept in step with the visit's event chain (VisitEvent), in the same
    transaction as each event, so the record and its history never disagree."""

    Meta = _meta("visits")
    visit_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="enforcement")  # enforcement / service (policy briefing, service call: Art. 27(5))
    purpose = UnicodeAttribute(null=True)  # a service visit's stated purpose
    enterprise_id = UnicodeAttribute()
    enterprise_name = UnicodeAttribute(null=True)
    region_code = UnicodeAttribute(null=True)  # the enterprise's: its judicial bureau, and sharing (Art. 29)
    visit_date = UnicodeAttribute()
    opened_at = UnicodeAttribute()  # server time
    entered_at = UnicodeAttribute()  # device time of the scan that opened it
    task_ids = _strings()
    agency_ids = _strings()
    slot_key = UnicodeAttribute(null=True)  # the Tallies slot that lets same-day scans join it (Art. 17)
    inspectors = JSONAttribute()  # as verified at scan time: name, certificate, validity
    items = JSONAttribute()  # [{agency_id, item_id, name, legal_basis}]
    flags = _strings(default=list)
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

    Meta = _meta("visit-events")
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
    Meta = _index("by_enterprise")
    enterprise_id = UnicodeAttribute(hash_key=True)
    server_time = UnicodeAttribute(range_key=True)


class ScanListed(GlobalSecondaryIndex["Scan"]):
    """Sparse: only scans that opened a visit, registered a service visit, or were refused."""

    Meta = _index("inspections")
    listed_enterprise = UnicodeAttribute(hash_key=True)
    server_time = UnicodeAttribute(range_key=True)


class Scan(Model):
    Meta = _meta("scans")
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


_Record = TypeVar("_Record", bound=Model)


class TallyWatch(GlobalSecondaryIndex[_Record]):
    """Sparse: the counts the judicial bureau watches, by scope and count (Art. 12, 24)."""

    Meta = _index("watch")
    watch_scope = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(range_key=True)  # type: ignore[assignment]  # the stored name; shadows Index.count


class Tally(Model):
    """A yearly inspection count (key `count#...`). The enterprise's total for a year also carries its
    watch scope (`frequency#<region>#<year>`), so the enterprises inspected most are one query."""

    Meta = _meta("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(default=0)  # type: ignore[assignment]  # the stored name; shadows Model.count
    watch_scope = UnicodeAttribute(null=True)
    enterprise_id = UnicodeAttribute(null=True)
    credit_tier = UnicodeAttribute(null=True)
    digest = UnicodeAttribute(null=True)  # what a once-only marker was made from (a draw's inputs, a bar's end)
    watch: TallyWatch[Tally] = TallyWatch()

    @staticmethod
    def count_key(enterprise_id: str, year: int, agency_id: str | None = None, item_id: str | None = None) -> str:
        return "#".join(["count", enterprise_id, str(year)] + [p for p in (agency_id, item_id) if p])

    @staticmethod
    def frequency_scope(region_code: str, year: int) -> str:
        """The watch scope of the enterprises' yearly totals in a region."""
        return f"frequency#{region_code}#{year}"

    @staticmethod
    def campaigns_key(agency_id: str, year: int | str) -> str:
        return f"campaigns#{agency_id}#{year}"

    @staticmethod
    def campaign_quota_key(agency_id: str, year: int | str) -> str:
        return f"campaignquota#{agency_id}#{year}"

    @staticmethod
    def letters_key(region_code: str, kind: str, year: int) -> str:
        return f"letters#{region_code}#{kind}#{year}"

    @staticmethod
    def year_end_key(region_code: str, year: int) -> str:
        return f"yearend#{region_code}#{year}"

    @staticmethod
    def subsidy_chunk_key(run_id: str, chunk: int) -> str:
        return f"subsidychunk#{run_id}#{chunk:06d}"

    @staticmethod
    def science_draw_key(region_code: str, population: str, year: int) -> str:
        return f"sciencedraw#{region_code}#{population}#{year}"

    @staticmethod
    def science_bar_key(region_code: str, person_id: str) -> str:
        return f"sciencebar#{region_code}#{person_id}"


class RefusalTally(Model):
    """Refused scan-in attempts by region, year, agency and reason (key `refusals#<region>#<year>#<agency>#<reason>`),
    raised in the refused scan's transaction; watched under `refusals#<region>#<year>`."""

    Meta = _meta("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(default=0)  # type: ignore[assignment]  # the stored name; shadows Model.count
    watch_scope = UnicodeAttribute(null=True)
    agency_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    watch: TallyWatch[RefusalTally] = TallyWatch()

    @staticmethod
    def scope(region_code: str, year: int) -> str:
        """The watch scope of a region's refusals in a year."""
        return f"refusals#{region_code}#{year}"

    @classmethod
    def key(cls, region_code: str, year: int, agency_id: str, reason: str) -> str:
        return f"{cls.scope(region_code, year)}#{agency_id}#{reason}"


class VisitSlot(Model):
    """The open visit of an agency at an enterprise on a day (key `slot#...`)."""

    Meta = _meta("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    visit_id = UnicodeAttribute()

    @staticmethod
    def key(enterprise_id: str, agency_id: str, day: date) -> str:
        return f"slot#{enterprise_id}#{agency_id}#{day.isoformat()}"


class LastVisit(Model):
    """An agency's latest visit at an enterprise and the items it checked (key `lastvisit#...`): read in
    the scan's batch, so a visit opened again within the re-visit window for other items is flagged
    (Art. 17), and rewritten under its version in the transaction that opens or extends a visit."""

    Meta = _meta("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    visit_id = UnicodeAttribute()
    visit_date = UnicodeAttribute()
    item_ids = _strings(default=list)
    version = VersionAttribute()

    @staticmethod
    def key(enterprise_id: str, agency_id: str) -> str:
        return f"lastvisit#{enterprise_id}#{agency_id}"


class PendingScans(Model):
    """Scans of a task's team at an enterprise waiting for a second inspector (key `pending#...`)."""

    Meta = _meta("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    members = JSONAttribute()  # [{inspector_id, scan_id, device_time}]
    version = VersionAttribute()

    @staticmethod
    def key(task_id: str, enterprise_id: str, day: date) -> str:
        return f"pending#{task_id}#{enterprise_id}#{day.isoformat()}"


class OffsiteClear(Model):
    """The last off-site check of an item at an enterprise that found no violation (key `offsite#...`)."""

    Meta = _meta("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    checked_on = UnicodeAttribute()

    @staticmethod
    def key(enterprise_id: str, agency_id: str, item_id: str) -> str:
        return f"offsite#{enterprise_id}#{agency_id}#{item_id}"


class RatingByRegion(GlobalSecondaryIndex["Rating"]):
    Meta = _index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    rated_at = UnicodeAttribute(range_key=True)


class Rating(Model):
    """The inspected enterprise's one rating of a visit (Art. 24, 27)."""

    Meta = _meta("ratings")
    visit_id = UnicodeAttribute(hash_key=True)
    enterprise_id = UnicodeAttribute()
    region_code = UnicodeAttribute()
    agency_ids = _strings()
    conduct = NumberAttribute()
    procedure = NumberAttribute()
    efficiency = NumberAttribute()
    comment = UnicodeAttribute(null=True)
    prohibited_practices = _strings(default=list)
    rated_at = UnicodeAttribute()
    by_region = RatingByRegion()


class RatingAggregate(Model):
    """An agency's ratings in a quarter (key `ratings#<agency>#<year>Q<n>`), raised in each rating's
    transaction. The agency sees it only once the quarter is over and enough enterprises rated."""

    Meta = _meta("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(default=0)  # type: ignore[assignment]  # the stored name; shadows Model.count
    conduct = NumberAttribute(default=0)  # sums of the scores
    procedure = NumberAttribute(default=0)
    efficiency = NumberAttribute(default=0)
    enterprises = UnicodeSetAttribute(default=set)  # distinct raters, never shown
    # flag_<practice>: how many ratings flagged each Art. 27 prohibited practice
    vars().update({f"flag_{name}": NumberAttribute(default=0) for name in PROHIBITED_PRACTICES})

    @staticmethod
    def key(agency_id: str, quarter: str) -> str:
        return f"ratings#{agency_id}#{quarter}"

    @property
    def quarter(self) -> str:
        return self.tally_key.rsplit("#", 1)[1]


class ComplaintByRegion(GlobalSecondaryIndex["Complaint"]):
    Meta = _index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ComplaintByEnterprise(GlobalSecondaryIndex["Complaint"]):
    Meta = _index("by_enterprise")
    enterprise_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Complaint(Model):
    """An enterprise's complaint about a visit, a refused attempt, or an inspection that skipped scan-in,
    handled by the judicial bureau of its region (Art. 24, 27)."""

    Meta = _meta("complaints")
    complaint_id = UnicodeAttribute(hash_key=True)
    enterprise_id = UnicodeAttribute()
    region_code = UnicodeAttribute()
    subject = UnicodeAttribute()  # visit / refused_attempt / unregistered_inspection
    visit_id = UnicodeAttribute(null=True)
    scan_id = UnicodeAttribute(null=True)
    agency_id = UnicodeAttribute(null=True)
    agency_name = UnicodeAttribute(null=True)
    occurred_on = UnicodeAttribute(null=True)
    description = UnicodeAttribute()
    prohibited_practices = _strings(default=list)
    status = UnicodeAttribute(default="received")  # received / handling / answered
    history = JSONAttribute(default=list)  # [{status, at, by, note}]
    answer = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    version = VersionAttribute()
    by_region = ComplaintByRegion()
    by_enterprise = ComplaintByEnterprise()


class SupervisionByRegion(GlobalSecondaryIndex[_Record]):
    Meta = _index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class _SupervisionRecord(Model):
    """The judicial bureau's own records (Art. 28, 30), one table: `pk` names the record, `sk` a part."""

    Meta = _meta("supervision")
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    record_kind = UnicodeAttribute()
    region_code = UnicodeAttribute(null=True)  # set on the records a region lists (in the index)
    created_at = UnicodeAttribute(null=True)
    HEAD = "~"  # the sk of a record's own item

    @property
    def record_id(self) -> str:
        """The id in `pk` (`<kind>#<id>`)."""
        return self.pk.split("#", 1)[1]


def region_records(
    index: SupervisionByRegion[_Record], kind: str, region_code: str, cursor: str | None, limit: int
) -> pagination.Results[_Record]:
    """A page of a region's supervision records of one `record_kind`, newest first (the by_region index
    holds every kind: samples, cases, letters, measures)."""
    return pagination.query(
        index,
        region_code,
        cursor,
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        filter_condition=_SupervisionRecord.record_kind == kind,
    )


class ReturnSample(_SupervisionRecord):
    """A return-visit sample (pk `sample#<id>`, sk `~`): its inputs, so anyone can draw it again."""

    params = JSONAttribute(null=True)
    strata = JSONAttribute(null=True)  # {agency_id: [visit_id, ...]}
    created_by = UnicodeAttribute(null=True)
    by_region: SupervisionByRegion[ReturnSample] = SupervisionByRegion()

    @classmethod
    def key(cls, sample_id: str) -> tuple[str, str]:
        return f"sample#{sample_id}", cls.HEAD


class ReturnEntry(_SupervisionRecord):
    """One sampled visit (pk `sample#<id>`, sk `visit#<visit_id>`) and its call-back answers."""

    visit_id = UnicodeAttribute(null=True)
    agency_id = UnicodeAttribute(null=True)
    enterprise_id = UnicodeAttribute(null=True)
    enterprise_name = UnicodeAttribute(null=True)
    answers = JSONAttribute(null=True)
    answered_at = UnicodeAttribute(null=True)
    case_id = UnicodeAttribute(null=True)

    @staticmethod
    def key(sample_id: str, visit_id: str) -> tuple[str, str]:
        return f"sample#{sample_id}", f"visit#{visit_id}"

    @classmethod
    def of_sample(cls, sample_id: str) -> ResultIterator[ReturnEntry]:
        return cls.query(f"sample#{sample_id}", cls.sk.startswith("visit#"))


class SupervisionCase(_SupervisionRecord):
    """A case the judicial bureau opened (pk `case#<id>`, sk `~`), e.g. from a return visit."""

    agency_id = UnicodeAttribute(null=True)
    visit_id = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    findings = _strings(default=list)
    status = UnicodeAttribute(null=True)  # open / letter_issued / closed
    letter_ids = _strings(default=list)
    by_region: SupervisionByRegion[SupervisionCase] = SupervisionByRegion()

    @classmethod
    def key(cls, case_id: str) -> tuple[str, str]:
        return f"case#{case_id}", cls.HEAD


class Letter(_SupervisionRecord):
    """A supervision letter (pk `letter#<id>`, sk `~`), Art. 30: a suggestion (监督建议书) the judicial
    bureau issues, or a decision (决定书) the bureau requests and the same-level government issues.
    `region_code` is the supervised agency's region (the by_region index); `bureau_region_code` the
    bureau's, whose government is the one that issues a decision."""

    letter_kind = UnicodeAttribute(null=True)
    number = UnicodeAttribute(null=True)  # given when issued (a requested decision has none yet)
    agency_id = UnicodeAttribute(null=True)
    agency_name = UnicodeAttribute(null=True)
    bureau_region_code = UnicodeAttribute(null=True)
    issuer_name = UnicodeAttribute(null=True)  # who signs: 张北县司法局 / 张北县人民政府
    case_ids = _strings(default=list)
    findings = _strings(default=list)
    requirements = UnicodeAttribute(null=True)
    reply_due = UnicodeAttribute(null=True)
    reply_due_provisional = BooleanAttribute(default=False)
    reply_working_days = NumberAttribute(null=True)
    issued_by = UnicodeAttribute(null=True)
    issued_at = UnicodeAttribute(null=True)
    parent_id = UnicodeAttribute(null=True)
    # suggestion: issued / replied / escalated; decision: requested / issued / declined / replied
    status = UnicodeAttribute(null=True)
    reply = UnicodeAttribute(null=True)
    corrected = BooleanAttribute(null=True)  # the reply says the agency corrected (False: it refuses)
    replied_at = UnicodeAttribute(null=True)
    request_grounds = UnicodeAttribute(null=True)  # why the bureau asks its government for a decision
    requested_by = UnicodeAttribute(null=True)
    decline_reason = UnicodeAttribute(null=True)
    version = VersionAttribute()
    by_region: SupervisionByRegion[Letter] = SupervisionByRegion()

    @classmethod
    def key(cls, letter_id: str) -> tuple[str, str]:
        return f"letter#{letter_id}", cls.HEAD


class Accountability(_SupervisionRecord):
    """A summons (约谈), public report (通报) or order to correct (责令改正) the judicial bureau recorded
    (Art. 31), under its agency (pk `agency#<agency_id>`, sk `measure#<created_at>#<id>`), so the agency
    reads its own in one Query; `region_code` (the agency's) puts it in the region's index."""

    measure_id = UnicodeAttribute(null=True)
    measure_kind = UnicodeAttribute(null=True)  # summons / report / order (rules.labels.ACCOUNTABILITY)
    agency_id = UnicodeAttribute(null=True)
    agency_name = UnicodeAttribute(null=True)
    inspector_id = UnicodeAttribute(null=True)  # the person responsible, when not the agency's head
    person_name = UnicodeAttribute(null=True)
    bureau_region_code = UnicodeAttribute(null=True)
    issuer_name = UnicodeAttribute(null=True)
    findings = _strings(default=list)
    requirements = UnicodeAttribute(null=True)
    held_on = UnicodeAttribute(null=True)  # summons: the day of the talk
    scope = UnicodeAttribute(null=True)  # report: to whom it is reported
    correct_by = UnicodeAttribute(null=True)  # order: the day correction is due
    recorded_by = UnicodeAttribute(null=True)
    by_region: SupervisionByRegion[Accountability] = SupervisionByRegion()

    @staticmethod
    def key(agency_id: str, created_at: str, measure_id: str) -> tuple[str, str]:
        return f"agency#{agency_id}", f"measure#{created_at}#{measure_id}"

    @classmethod
    def of_agency(cls, agency_id: str) -> tuple[str, object]:
        """The partition and range condition of an agency's measures."""
        return f"agency#{agency_id}", cls.sk.startswith("measure#")


class SubsidyApplicant(Model):
    Meta = _meta("subsidy-applicants")
    year = UnicodeAttribute(hash_key=True)
    applicant_id = UnicodeAttribute(range_key=True)  # USCC for an enterprise or unit, GB/T 2260 code for a county
    applicant_kind = UnicodeAttribute()  # county / enterprise / unit
    name = UnicodeAttribute()
    region_code = UnicodeAttribute()
    facts = JSONAttribute()
    updated_at = UnicodeAttribute()


class SubsidyResultByApplicant(GlobalSecondaryIndex["SubsidyResult"]):
    Meta = _index("by_applicant")
    applicant_id = UnicodeAttribute(hash_key=True)
    calculated_at = UnicodeAttribute(range_key=True)


class SubsidyResult(Model):
    """One applicant's calculation in a run, with the facts and rule set version it was computed from."""

    Meta = _meta("subsidy-results")
    SUMMARY = "~run"
    run_id = UnicodeAttribute(hash_key=True)
    applicant_id = UnicodeAttribute(range_key=True)
    year = UnicodeAttribute()
    region_code = UnicodeAttribute(null=True)
    ruleset_version = UnicodeAttribute()
    calculated_at = UnicodeAttribute()
    facts = JSONAttribute(null=True)
    result = JSONAttribute()
    # The summary item's running totals, raised once per chunk of a run (money in fen, exact).
    status = UnicodeAttribute(null=True)  # queued / running / done / failed
    failure = UnicodeAttribute(null=True)  # why a failed run failed (Chinese)
    applicants = NumberAttribute(null=True)
    errors = NumberAttribute(null=True)
    cash_fen = NumberAttribute(null=True)
    equity_fen = NumberAttribute(null=True)
    chunks = NumberAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    by_applicant = SubsidyResultByApplicant()


class IdempotencyKey(Model):
    """A caller's Idempotency-Key on a POST: the request it came with (SHA-256 of method, path and body)
    and, once given, the answer. Written in the same transaction as the request's first effects
    (`claiming`); DynamoDB deletes it after `expires_at` (epoch seconds)."""

    Meta = _meta("idempotency")
    key_id = UnicodeAttribute(hash_key=True)
    request_hash = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at = NumberAttribute()
    status = NumberAttribute(null=True)
    content_type = UnicodeAttribute(null=True)
    answer = UnicodeAttribute(null=True)

    @staticmethod
    def key(subject: str, key: str) -> str:
        return f"{subject}#{key}"


MODELS = (
    Enterprise,
    Agency,
    Inspector,
    Item,
    Notice,
    Obligation,
    PlanVersion,
    Campaign,
    DrawEntry,
    Task,
    Assignment,
    Visit,
    VisitEvent,
    Scan,
    Tally,
    Rating,
    Complaint,
    ReturnSample,
    SubsidyApplicant,
    SubsidyResult,
    IdempotencyKey,
)
