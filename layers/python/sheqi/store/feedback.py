"""The enterprise's voice: one rating per visit and its agencies' quarterly sums, complaints (Art. 24, 27).

Ratings       PK visit_id (one per visit: PutItem if absent, in one transaction with the aggregates)
  - ratings of a region, newest first (judicial bureau)                Query by_region (region_code, rated_at)
Complaints    PK complaint_id
  - an enterprise's complaints / a region's, newest first              Query by_enterprise / by_region (…, created_at)
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute, VersionAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from sheqi.rules.visit_rules import PROHIBITED_PRACTICES
from sheqi.store.tables import index, strings, table


class RatingByRegion(GlobalSecondaryIndex["Rating"]):
    Meta = index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    rated_at = UnicodeAttribute(range_key=True)


class Rating(Model):
    """The inspected enterprise's one rating of a visit (Art. 24, 27)."""

    Meta = table("ratings")
    visit_id = UnicodeAttribute(hash_key=True)
    enterprise_id = UnicodeAttribute()
    region_code = UnicodeAttribute()
    agency_ids = strings()
    conduct = NumberAttribute()
    procedure = NumberAttribute()
    efficiency = NumberAttribute()
    comment = UnicodeAttribute(null=True)
    prohibited_practices = strings(default=list)
    rated_at = UnicodeAttribute()
    by_region = RatingByRegion()


class RatingAggregate(Model):
    """An agency's ratings in a quarter (key `ratings#<agency>#<year>Q<n>`), raised in each rating's
    transaction. The agency sees it only once the quarter is over and enough enterprises rated."""

    Meta = table("tallies")
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
    Meta = index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ComplaintByEnterprise(GlobalSecondaryIndex["Complaint"]):
    Meta = index("by_enterprise")
    enterprise_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Complaint(Model):
    """An enterprise's complaint about a visit, a refused attempt, or an inspection that skipped scan-in,
    handled by the judicial bureau of its region (Art. 24, 27)."""

    Meta = table("complaints")
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
    prohibited_practices = strings(default=list)
    status = UnicodeAttribute(default="received")  # received / handling / answered
    history = JSONAttribute(default=list)  # [{status, at, by, note}]
    answer = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    version = VersionAttribute()
    by_region = ComplaintByRegion()
    by_enterprise = ComplaintByEnterprise()
