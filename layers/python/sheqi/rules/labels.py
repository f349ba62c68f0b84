"""One table of codes to Chinese labels, for every code a page shows: the console and the phone pages
read it as `/phone/labels.js` (`script()`), so no English code reaches a person. The groups are the
tables the rules already word their decisions and error messages with; `REASONS` names every reason
a scan decision or a qualification check gives (each `Finding`'s code; tests/unit/test_labels.py
finds every code in the source here)."""

from __future__ import annotations

import json
from typing import Any

from sheqi.rules import plan_rules
from sheqi.rules.scan_rules import EXCEPTION_REASONS, LATE_REASONS
from sheqi.rules.visit_rules import FINDINGS, MEASURES, OUTCOMES, PROHIBITED_PRACTICES, THIRD_PARTIES

REASONS = {
    # the scan-in decision (scan_rules): refusals and flags
    "awaiting_second_inspector": "等待第二名执法人员扫码",
    "device_time_in_future": "设备时间超前",
    "enterprise_not_targeted": "非本任务检查对象",
    "far_from_premises": "扫码位置远离企业",
    "frequency_cap_reached": "已达年度检查频次上限",
    "identified_by_business_licence": "以营业执照二维码识别",
    "item_not_published": "检查事项未公布",
    "late_scan": "离线补传",
    "late_scan_too_old": "补传超过期限",
    "late_scan_without_reason": "补传未说明原因",
    "location_missing": "未提供定位",
    "location_mock": "模拟定位",
    "location_zero_accuracy": "定位精度异常",
    "not_in_plan": "不在已备案检查计划内",
    "not_on_task_team": "不在检查组中",
    "offsite_check_sufficed": "非现场检查已足够",
    "outside_task_window": "不在批准的检查时间内",
    "over_cap_exception": "依例外情形超频次检查",
    "scan_contention": "同时扫码过多，请重扫",
    "task_not_approved": "检查任务未批准",
    "task_withdrawn": "检查任务已撤回",
    "exception_ground_mismatch": "例外情形的依据不符",
    "revisit_other_items": "同一机关短期内再次入企检查其他事项",
    # jurisdiction and scope (Art. 3, 8)
    "outside_jurisdiction": "超出本机关管辖地域",
    "lead_not_competent": "牵头机关对该企业无管辖权",
    "not_an_enterprise": "不属于本规定所称企业",
    "task_not_found": "检查任务不存在",
    "task_not_on_site": "非现场检查任务",
    # qualification (Art. 4) and the code itself
    "agency_without_enforcement_power": "该单位无行政执法权",
    "certificate_expired": "执法证件已过期",
    "certificate_kind_mismatch": "执法证件类型不符",
    "certificate_not_yet_valid": "执法证件尚未生效",
    "no_certificate": "未持执法证件",
    "not_formal_staff": "非在编执法人员",
    "code_enterprise_unknown": "企业未登记",
    "code_malformed": "二维码无法识别",
    "code_superseded": "入企码已作废",
    "code_revoked": "入企码已注销",
    "code_signature_invalid": "入企码签名无效",
    "code_key_unknown": "入企码密钥未知",
    "code_not_licence": "非营业执照二维码",
}
SCAN_OUTCOMES = {"pending": "等待第二名执法人员", "opened": "检查开始", "joined": "加入检查", "refused": "不予登记"}
VISIT_STATUSES = {"open": "检查中", "closed": "已结束"}
CREDIT_TIERS = {"good": "信用良好", "average": "信用一般", "poor": "信用较差"}
COMPLAINT_SUBJECTS = {
    "visit": "对已登记检查的投诉",
    "refused_attempt": "对被拒绝登记的检查的投诉",
    "unregistered_inspection": "未扫码登记即实施检查",
}
COMPLAINT_STATUSES = {"received": "已受理", "handling": "处理中", "answered": "已答复"}
ACCOUNTABILITY = {"summons": "约谈", "report": "通报", "order": "责令改正"}  # Art. 31
CASE_STATUSES = {"open": "已立案待处理", "closed": "已办结"}
NOTICE_STATUSES = {"pending": "未确认", "acknowledged": "已确认"}
TASK_TYPES = {"routine": "日常检查", "case": "个案检查", "special": "专项检查"}  # Art. 6
TRIGGERS = {
    "complaint": "投诉举报",
    "referral": "转办、交办",
    "data_monitoring": "数据监测发现",
    "enterprise_request": "企业申请",
}
METHODS = {k: v for k, v in plan_rules.METHODS.items() if k != "both"}  # a task's (Art. 7); "both" is a plan entry's
EVENTS = {
    "opened": "扫码入企，检查开始",
    "joined": "执法人员加入检查",
    "finding": "记录检查结果",
    "closed": "检查结束",
    "transfer_completed": "案件移送完成",
    "correction": "更正记录",
}

GROUPS: dict[str, dict[Any, str]] = {
    "reason": REASONS,
    "scan_outcome": SCAN_OUTCOMES,
    "visit_status": VISIT_STATUSES,
    "outcome": OUTCOMES,
    "finding": FINDINGS,
    "measure": MEASURES,
    "practice": PROHIBITED_PRACTICES,
    "late_reason": LATE_REASONS,
    "exception": EXCEPTION_REASONS,
    "credit_tier": CREDIT_TIERS,
    "complaint_subject": COMPLAINT_SUBJECTS,
    "complaint_status": COMPLAINT_STATUSES,
    "case_status": CASE_STATUSES,
    "accountability": ACCOUNTABILITY,
    "notice_status": NOTICE_STATUSES,
    "event": EVENTS,
    "third_party": THIRD_PARTIES,
    "task_type": TASK_TYPES,
    "trigger": TRIGGERS,
    "method": METHODS,
}


def label(group: str, code: object) -> str:
    """The Chinese label of a code, or the code itself if the table has none (never an error on a page)."""
    return GROUPS[group].get(code, str(code))


def script() -> str:
    """The table as a browser script: `SHEQI_LABELS[group][code]`."""
    return f"window.SHEQI_LABELS = {json.dumps(GROUPS, ensure_ascii=False)};\n"
