"""The tallies table: small records that writes coordinate on, and the yearly counts the judicial bureau watches.

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
"""

from __future__ import annotations

from typing import TypeVar

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from sheqi.store.tables import index, table

_Record = TypeVar("_Record", bound=Model)


class TallyWatch(GlobalSecondaryIndex[_Record]):
    """Sparse: the counts the judicial bureau watches, by scope and count (Art. 12, 24)."""

    Meta = index("watch")
    watch_scope = UnicodeAttribute(hash_key=True)
    count = NumberAttribute(range_key=True)  # type: ignore[assignment]  # the stored name; shadows Index.count


class Tally(Model):
    """A yearly inspection count (key `count#...`). The enterprise's total for a year also carries its
    watch scope (`frequency#<region>#<year>`), so the enterprises inspected most are one query."""

    Meta = table("tallies")
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

    Meta = table("tallies")
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
