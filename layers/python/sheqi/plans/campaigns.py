"""Special campaigns (专项检查, Art. 13): approved by a government at county level or above (or the
superior of a vertically managed agency), filed, published, and counted against a yearly quota per
agency. A campaign of two or more departments is one joint plan; an emergency campaign is filed at
once and the annual plan re-filed within 10 working days."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from msgspec import Meta

from sheqi import auth, clock
from sheqi.auth import Identity
from sheqi.errors import Conflict, RuleViolation
from sheqi.inputs import Body, Key, OneOf, Uscc, Year
from sheqi.plans import filing
from sheqi.plans.filing import REFILE_WORKING_DAYS
from sheqi.registry import registers
from sheqi.reminders import notices, obligations
from sheqi.rules.articles import ART
from sheqi.rules.workdays import Deadline
from sheqi.store import Cancelled, Transaction, get_or_404, get_or_none, save_if
from sheqi.store.plans import Campaign
from sheqi.store.registers import Agency, Item
from sheqi.store.tallies import Tally

APPROVING_LEVELS = ("county_government", "city_government", "provincial_government", "state_council", "vertical_superior")


class CampaignIn(Body):
    year: Year
    title: Annotated[str, Meta(min_length=4, max_length=100)]
    item_ids: Annotated[list[Key], Meta(min_length=1, max_length=20)]
    approving_authority: Annotated[str, Meta(min_length=4, max_length=100)]  # e.g. 张北县人民政府
    approving_level: Annotated[str, OneOf(APPROVING_LEVELS)]
    approval_document: Annotated[str, Meta(min_length=4, max_length=100)]  # e.g. 张政字〔2026〕12号
    approved_on: date
    joint_agency_ids: Annotated[list[Uscc], Meta(max_length=10)] = []
    emergency: bool = False


class QuotaIn(Body):
    year: Year
    quota: Annotated[int, Meta(ge=0, le=100)]


def set_quota(caller: Identity, agency_id: str, data: QuotaIn) -> dict:
    """The yearly number of special campaigns an agency may run, set by the platform (on the
    government's decision)."""
    auth.require_role(caller, "platform_admin")
    registers.get_agency(agency_id)
    Tally(Tally.campaign_quota_key(agency_id, data.year), count=data.quota).save()
    return {"agency_id": agency_id, "year": data.year, "quota": data.quota}


def file(caller: Identity, agency_id: str, data: CampaignIn) -> Campaign:
    """Record and file an approved campaign; the quota holds under concurrent filings, because the
    count is raised in the same transaction, on condition it stays under the quota."""
    agency = registers.managed_agency(caller, agency_id)
    published = {i.item_id for i in Item.query(agency_id, filter_condition=Item.status == "published")}
    unpublished = [i for i in data.item_ids if i not in published]
    if unpublished:
        raise RuleViolation(
            f"检查事项 {unpublished[0]} 未公布，不得部署专项检查", code="item_not_published", field="item_ids", article=ART[14]
        )
    allowed = get_or_none(Tally, Tally.campaign_quota_key(agency_id, data.year), consistent_read=True)
    quota = int(allowed.count) if allowed else 0
    if quota == 0:
        raise RuleViolation(
            f"本机关{data.year}年度未核定专项检查数量，不得部署（专项检查实行年度数量控制）",
            code="campaign_quota_reached",
            field="year",
            article=ART[13],
        )
    due = obligations.working_day_deadline(data.approved_on, REFILE_WORKING_DAYS) if data.emergency else None
    campaign = Campaign(
        agency_id,
        uuid.uuid4().hex,
        year=str(data.year),
        title=data.title,
        item_ids=data.item_ids,
        approving_authority=data.approving_authority,
        approving_level=data.approving_level,
        approval_document=data.approval_document,
        approved_on=data.approved_on.isoformat(),
        joint_agency_ids=data.joint_agency_ids,
        emergency=data.emergency,
        refile_due=due.due.isoformat() if due else None,
        refile_due_provisional=bool(due and due.provisional),
        filed_at=clock.now_iso(),
    )
    try:
        with Transaction() as tx:
            tx.save(campaign, condition=Campaign.campaign_id.does_not_exist())
            tx.update(
                Tally(Tally.campaigns_key(agency_id, data.year)),
                actions=[Tally.count.add(1)],
                condition=(Tally.count < quota) | Tally.count.does_not_exist(),
            )
    except Cancelled as error:
        if error.failed:
            raise RuleViolation(
                f"本机关{data.year}年度专项检查已达数量控制上限（{quota}项），不得再部署",
                code="campaign_quota_reached",
                field="year",
                article=ART[13],
            ) from None
        raise
    if due:
        _urgent(campaign, agency, due)
    return campaign


def _urgent(campaign: Campaign, agency: Agency, due: Deadline) -> None:
    """An emergency campaign runs before the plan is amended (Art. 13): the amended plan is due within 10
    working days (Art. 16), reminded like every deadline, and the judicial bureau is told at once."""
    obligations.open_once(
        f"plan_refile:{campaign.agency_id}:campaign:{campaign.campaign_id}",
        kind="plan_refile",
        title=f"{agency.name}紧急部署专项检查“{campaign.title}”后修改检查计划",
        owner=f"agency:{campaign.agency_id}",
        region_code=agency.region_code,
        subject={"agency_id": campaign.agency_id, "year": int(campaign.year), "after": campaign.filed_at},
        start=date.fromisoformat(campaign.approved_on),
        due=due,
        working_days=REFILE_WORKING_DAYS,
    )
    notices.create_once(
        f"judicial:{agency.region_code}",
        f"urgent-campaign:{campaign.campaign_id}",
        kind="urgent_campaign",
        article=ART[13],
        title=f"紧急部署专项检查：{agency.name}",
        body=f"{agency.name}经{campaign.approving_authority}（{campaign.approval_document}）批准，紧急部署专项检查"
        f"“{campaign.title}”，修改后的检查计划应于{due.due.isoformat()}前备案（第十三条、第十六条）。",
    )


def publish(caller: Identity, agency_id: str, campaign_id: str) -> Campaign:
    registers.managed_agency(caller, agency_id)
    campaign = get(agency_id, campaign_id)
    if campaign.status == "published":
        raise Conflict("专项检查已公布", code="no_change")
    campaign.status, campaign.published_at = "published", clock.now_iso()
    save_if(campaign)
    return campaign


def get(agency_id: str, campaign_id: str) -> Campaign:
    return get_or_404(Campaign, agency_id, campaign_id, message=f"专项检查 {campaign_id} 不存在", code="campaign_not_found")


def check_for_task(campaign_id: str, agency_id: str, year: str, item_ids: list[str]) -> Campaign:
    """A special-campaign task needs the lead agency's campaign of that year, filed, published (a campaign
    runs only once published, Art. 13) and covering its items."""
    campaign = get_or_none(Campaign, agency_id, campaign_id)
    if campaign is None:
        raise RuleViolation(
            "专项检查须经批准并备案：未找到本机关的该项专项检查",
            code="campaign_not_approved",
            field="campaign_id",
            article=ART[13],
        )
    if campaign.year != year:
        raise RuleViolation(
            f"该专项检查属于{campaign.year}年度", code="campaign_wrong_year", field="campaign_id", article=ART[13]
        )
    if campaign.status != "published":
        raise RuleViolation(
            "专项检查须经批准、备案并向社会公布后方可实施：该专项检查尚未公布",
            code="campaign_not_published",
            field="campaign_id",
            article=ART[13],
        )
    outside = [i for i in item_ids if i not in campaign.item_ids]
    if outside:
        raise RuleViolation(
            f"检查事项 {outside[0]} 不在该专项检查的范围内", code="item_not_in_campaign", field="participants", article=ART[13]
        )
    return campaign


def published(agency_id: str, year: int) -> dict:
    """What the public sees of an agency's year (Art. 13, 16): its published plans and campaigns."""
    agency = registers.get_agency(agency_id)
    return {
        "agency": {"agency_id": agency.agency_id, "name": agency.name},
        "plans": filing.list_versions(agency_id, year, published_only=True),
        "campaigns": list_published(agency_id, year),
    }


def list_published(agency_id: str, year: int) -> list[dict]:
    return [
        view(c)
        for c in Campaign.query(agency_id, filter_condition=(Campaign.year == str(year)) & (Campaign.status == "published"))
    ]


def view(campaign: Campaign) -> dict:
    return {
        "agency_id": campaign.agency_id,
        "campaign_id": campaign.campaign_id,
        "year": int(campaign.year),
        "title": campaign.title,
        "item_ids": campaign.item_ids,
        "approving_authority": campaign.approving_authority,
        "approving_level": campaign.approving_level,
        "approval_document": campaign.approval_document,
        "approved_on": campaign.approved_on,
        "joint_agency_ids": campaign.joint_agency_ids,
        "emergency": campaign.emergency,
        "refile_due": campaign.refile_due,
        "refile_due_provisional": campaign.refile_due_provisional,
        "status": campaign.status,
        "filed_at": campaign.filed_at,
        "published_at": campaign.published_at,
        "article": ART[13],
    }
