"""The judicial bureau's records (Art. 28, 30, 31): return-visit samples, cases, letters, accountability measures.

Supervision   PK pk, SK sk: return-visit samples and their entries, cases, letters (one table)
  - a sample and its entries                                           Query pk = sample#<id>
  - a region's samples, cases, letters, newest first                   Query by_region (region_code, created_at)
  - an agency's accountability measures (Art. 31), newest first        Query pk = agency#<agency_id>, sk begins_with
                                                                       "measure#" (sk measure#<created_at>#<id>);
                                                                       a region's: by_region, record_kind "measure"
"""

from __future__ import annotations

from typing import TypeVar

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.pagination import ResultIterator

from sheqi.store import pagination
from sheqi.store.tables import index, strings, table

_Record = TypeVar("_Record", bound=Model)


class SupervisionByRegion(GlobalSecondaryIndex[_Record]):
    Meta = index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class _SupervisionRecord(Model):
    """The judicial bureau's own records (Art. 28, 30), one table: `pk` names the record, `sk` a part."""

    Meta = table("supervision")
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
    findings = strings(default=list)
    status = UnicodeAttribute(null=True)  # open / letter_issued / closed
    letter_ids = strings(default=list)
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
    case_ids = strings(default=list)
    findings = strings(default=list)
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
    findings = strings(default=list)
    requirements = UnicodeAttribute(null=True)
    held_on = UnicodeAttribute(null=True)  # summons: the day of the talk
    scope = UnicodeAttribute(null=True)  # report: to whom it is reported
    correct_by = UnicodeAttribute(null=True)  # order: the day correction is due
    recorded_by = UnicodeAttribute(null=True)
    # order: the agency's written report that it corrected (written once), and when
    correction_report = UnicodeAttribute(null=True)
    corrected_on = UnicodeAttribute(null=True)
    reported_at = UnicodeAttribute(null=True)
    reported_by = UnicodeAttribute(null=True)
    by_region: SupervisionByRegion[Accountability] = SupervisionByRegion()

    @staticmethod
    def key(agency_id: str, created_at: str, measure_id: str) -> tuple[str, str]:
        return f"agency#{agency_id}", f"measure#{created_at}#{measure_id}"

    @classmethod
    def of_agency(cls, agency_id: str) -> tuple[str, Condition]:
        """The partition and range condition of an agency's measures."""
        return f"agency#{agency_id}", cls.sk.startswith("measure#")
