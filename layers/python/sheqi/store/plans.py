"""Annual inspection plans (Art. 11, 16), the index of the versions in force, special campaigns (Art. 13).

Plans         PK agency_id, SK version_key = <year>#<version, 4 digits> (every version is kept, Art. 16)
  - an agency's versions of a year's plan                              Query agency_id, begins_with <year>#
  - one version                                                        GetItem
  - which items are in force on a day: the plan index (Tallies planindex#<agency>#<year>), kept in the
    same transaction as each acknowledgement, read in the scan's batch
Campaigns     PK agency_id, SK campaign_id (special campaigns, Art. 13; yearly count in Tallies)
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.models import Model
from pynamodb.pagination import ResultIterator

from sheqi.store.tables import strings, table


class PlanVersion(Model):
    """One version of an agency's annual inspection plan (Art. 11, 16)."""

    Meta = table("plans")
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

    Meta = table("tallies")
    tally_key = UnicodeAttribute(hash_key=True)
    versions = JSONAttribute()  # [{version, effective_from, item_ids}]
    revision = VersionAttribute()

    @staticmethod
    def key(agency_id: str, year: int | str) -> str:
        return f"planindex#{agency_id}#{year}"


class Campaign(Model):
    Meta = table("campaigns")
    agency_id = UnicodeAttribute(hash_key=True)
    campaign_id = UnicodeAttribute(range_key=True)
    year = UnicodeAttribute()
    title = UnicodeAttribute()
    item_ids = strings()
    approving_authority = UnicodeAttribute()
    approving_level = UnicodeAttribute()
    approval_document = UnicodeAttribute()
    approved_on = UnicodeAttribute()
    joint_agency_ids = strings(default=list)
    emergency = BooleanAttribute(default=False)
    refile_due = UnicodeAttribute(null=True)  # an emergency campaign: the plan is re-filed within 10 working days
    refile_due_provisional = BooleanAttribute(default=False)
    status = UnicodeAttribute(default="filed")  # filed / published
    filed_at = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)
    revision = VersionAttribute()
