"""When each obligation is reminded, to whom, and when it escalates: pure functions, no AWS.

An obligation has a kind, a due date and an owner (the notice box that must act). Its stages are
dated notices to the owner (and, when overdue long enough, to its supervisor). On any day the
dispatcher sends, per recipient, only the latest stage that has come (a missed earlier stage is
superseded, never sent late), and notes the date of the next stage so it reads the obligation again
only then.
"""

from __future__ import annotations

from datetime import date, timedelta

from msgspec import Struct

from sheqi.rules.articles import ART
from sheqi.rules.workdays import Arrangement, add_working_days

# Seed 004 is the duty register and the post-approval supervision rules of 石家庄市鹿泉区科学技术和工业信息化局
# (区科工局): 《部门职责登记表》, 《与相关部门的职责边界登记表》 and 《事中事后监管制度》; each duty cites its section.
SEED_004 = "石家庄市鹿泉区科学技术和工业信息化局"
RULES_004 = f"{SEED_004}《事中事后监管制度》"
SCIENCE = {
    "project_acceptance": ("科技计划课题执行期结束后6个月内完成结题验收", f"{RULES_004}六（四）3"),
    "project_annual_report": ("课题依托单位提交课题年度执行情况报告（中期检查）", f"{RULES_004}六（四）2"),
    "project_spot_check": ("年度课题抽查检查", f"{RULES_004}六（三）1、（四）1"),
    "contract_registration": (
        "技术合同登记机构自受理之日起30日内完成认定登记",
        f"{SEED_004}《与相关部门的职责边界登记表》第8项（技术合同认定登记）",
    ),
    "registration_body_check": ("每年对技术合同认定登记机构检查不少于1次，指派2名以上工作人员", f"{RULES_004}三（四）1"),
    "transfer_spot_check": ("技术转移机构年度抽查（抽查面20%）", f"{RULES_004}五（三）2"),
    "leader_acceptance": ("科技领军人物、科技创新团队管理期（两年）届满前验收", f"{RULES_004}四（三）、（四）3"),
    "leader_annual_review": ("科技领军人物、科技创新团队项目进展年度调度", f"{RULES_004}四（三）"),
    "rectification": ("按整改通知限期整改并复查", f"{RULES_004}四（六）1、六（四）1"),
}
KINDS = {
    "plan_yearend": ("下一年度检查计划制定、备案并公布", ART[16]),
    "plan_refile": ("变更后的检查计划重新备案", ART[16]),
    "case_transfer": ("案件移送有管辖权的机关", ART[26]),
    "result_notice": ("检查结果告知企业", ART[19]),
    "rating_invite": ("邀请企业评价检查", ART[24]),
    **SCIENCE,
    "letter_reply": ("按监督文书要求整改并书面答复司法行政机关", ART[30]),
    "correction_order": ("按责令改正的要求限期改正并书面报告司法行政机关", ART[31]),
}
STAGE_LABELS = {
    "upcoming": "即将到期",
    "due": "今日到期",
    "overdue": "已逾期",
    "escalated": "逾期未办，报请督办",
    "invite": "邀请评价",
    "last_call": "评价即将截止",
    "undelivered": "结果告知未送达",
}
YEAR_END_DAYS = ("12-01", "12-15", "12-25", "12-31")  # default reminder days of the year-end campaign


class Settings(Struct, frozen=True):
    upcoming_days: int = 3  # "due soon": calendar days before the due date
    escalation_working_days: int = 5  # overdue this many working days: the supervisor hears
    year_end_days: tuple[str, ...] = YEAR_END_DAYS
    last_call_days: int = 5  # rating invitations: a second one this many days before the window closes


class Stage(Struct, frozen=True):
    name: str
    on: date
    recipient: str


def supervisor(kind: str, region_code: str) -> str:
    """Who hears of an obligation overdue long enough: the judicial bureau of the region supervises
    inspections; a city science bureau supervises its districts' science deadlines."""
    if kind in SCIENCE:
        return f"science_bureau:{region_code[:4]}00"
    return f"judicial:{region_code}"


def stages(
    kind: str,
    start: date,
    due: date,
    owner: str,
    region_code: str,
    settings: Settings,
    arrangements: dict[int, Arrangement] | None = None,
) -> list[Stage]:
    if kind == "plan_yearend":
        reminders = [Stage(f"remind-{d}", date.fromisoformat(f"{due.year}-{d}"), owner) for d in settings.year_end_days]
        return reminders + [
            Stage("overdue", due + timedelta(days=1), owner),
            Stage("overdue", due + timedelta(days=1), supervisor(kind, region_code)),
        ]
    if kind == "rating_invite":  # from the close (`start`) to the last day of the rating window (`due`)
        return [Stage("invite", start, owner), Stage("last_call", due - timedelta(days=settings.last_call_days), owner)]
    if kind == "result_notice":
        return [
            Stage("undelivered", due, owner),
            Stage(
                "escalated",
                add_working_days(due, settings.escalation_working_days, arrangements).due,
                supervisor(kind, region_code),
            ),
        ]
    return [
        Stage("upcoming", due - timedelta(days=settings.upcoming_days), owner),
        Stage("due", due, owner),
        Stage("overdue", due + timedelta(days=1), owner),
        Stage(
            "escalated", add_working_days(due, settings.escalation_working_days, arrangements).due, supervisor(kind, region_code)
        ),
    ]


def to_send(all_stages: list[Stage], today: date) -> tuple[list[Stage], date | None]:
    """(the stages to send today: per recipient the latest that has come; the date of the next stage
    after today, or None)."""
    latest: dict[str, Stage] = {}
    for stage in sorted(all_stages, key=lambda s: s.on):
        if stage.on <= today:
            latest[stage.recipient] = stage
    upcoming = [s.on for s in all_stages if s.on > today]
    return list(latest.values()), min(upcoming) if upcoming else None


def message(kind: str, stage: Stage, title: str, due: date, provisional: bool) -> tuple[str, str]:
    """(title, body) of one reminder, in Chinese."""
    what, basis = KINDS[kind]
    label = STAGE_LABELS.get(stage.name, "提醒")
    note = "（该年度节假日安排尚未载入，期限暂按周末计算，载入后重算）" if provisional else ""
    days = (due - stage.on).days
    when = f"期限为 {due.isoformat()}{note}" + (f"，还有 {days} 天" if days > 0 else "" if days == 0 else f"，已逾期 {-days} 天")
    return f"{label}：{title}", f"{what}：{title}。{when}。依据：{basis}。"
