"""Registers: enterprises, agencies, inspectors and their certificates, agencies' inspection items.

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
"""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model

from sheqi.store.tables import index, strings, table


class EnterpriseByRegion(GlobalSecondaryIndex["Enterprise"]):
    Meta = index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    enterprise_id = UnicodeAttribute(range_key=True)


class Enterprise(Model):
    Meta = table("enterprises")
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
    Meta = index("by_region")
    region_code = UnicodeAttribute(hash_key=True)
    agency_id = UnicodeAttribute(range_key=True)


class Agency(Model):
    Meta = table("agencies")
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
    Meta = index("by_agency")
    agency_id = UnicodeAttribute(hash_key=True)
    inspector_id = UnicodeAttribute(range_key=True)


class InspectorByCertificate(GlobalSecondaryIndex["Inspector"]):
    Meta = index("by_certificate")
    certificate_no = UnicodeAttribute(hash_key=True)


class InspectorByExpiry(GlobalSecondaryIndex["Inspector"]):
    Meta = index("by_expiry")
    expiry_month = UnicodeAttribute(hash_key=True)
    valid_until = UnicodeAttribute(range_key=True)


class Inspector(Model):
    Meta = table("inspectors")
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
    conflicts = strings(default=list)  # enterprises they may not be drawn for
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
    Meta = table("inspectors")
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
    Meta = table("items")
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
