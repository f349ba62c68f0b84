"""Science bureaus' subsidy applicants and the results of their runs.

SubsidyApplicants  PK year, SK applicant_id (an applicant's facts for a year)
  - one applicant                                                      GetItem
  - store one; a science bureau only if new or of its jurisdiction     PutItem if absent or begins_with(region_code)
  - every applicant of a year, for a batch run (paged)                 Query year
SubsidyResults     PK run_id, SK applicant_id (the summary of a run is the item `~run`; each chunk a run
                   counted is marked once in Tallies `subsidychunk#<run>#<n>`, so a redelivered chunk counts once)
  - a run's results, paged                                             Query run_id
  - an applicant's results, newest first                               Query by_applicant (applicant_id, calculated_at)
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from sheqi.store.tables import index, table


class SubsidyApplicant(Model):
    Meta = table("subsidy-applicants")
    year = UnicodeAttribute(hash_key=True)
    applicant_id = UnicodeAttribute(range_key=True)  # USCC for an enterprise or unit, GB/T 2260 code for a county
    applicant_kind = UnicodeAttribute()  # county / enterprise / unit
    name = UnicodeAttribute()
    region_code = UnicodeAttribute()
    facts = JSONAttribute()
    updated_at = UnicodeAttribute()


class SubsidyResultByApplicant(GlobalSecondaryIndex["SubsidyResult"]):
    Meta = index("by_applicant")
    applicant_id = UnicodeAttribute(hash_key=True)
    calculated_at = UnicodeAttribute(range_key=True)


class SubsidyResult(Model):
    """One applicant's calculation in a run, with the facts and rule set version it was computed from."""

    Meta = table("subsidy-results")
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
