"""Art. 22: the inspection documents the system issues follow the Ministry of Justice's
《行政检查文书基本格式文本（试行）》 and carry its key elements. Each document names the form it follows
by title only where a source we hold names that title; otherwise by the stage of the collection it
belongs to. Sources: the seed text of the Zhangjiakou rules (Art. 19, 22) and the Ministry's own
account of the collection (司法部官网, 2025-05-08, 《以文书标准化为抓手 规范行政检查全流程》: seven
templates over 审批—通知—实施—记录—反馈, whose basic elements include the legal basis, the
enforcing body, the task's source and frequency, certificates shown, assisting persons, and the
duty to inform, recusal and remedies; it names 《行政检查通知书》)."""

from __future__ import annotations

from msgspec import Struct

from sheqi.rules.articles import ART

COLLECTION = "《行政检查文书基本格式文本（试行）》"
MOJ_ACCOUNT = "司法部官网《以文书标准化为抓手 规范行政检查全流程》（2025年5月8日）"


class Form(Struct, frozen=True):
    follows: str  # the form, by the title a source gives, or the collection's stage
    source: str  # where that title or stage is stated
    elements: dict[str, str]  # key element -> its Chinese name


FORMS = {
    "announcement": Form(
        f"{COLLECTION}之《行政检查通知书》",
        MOJ_ACCOUNT,
        {
            "agencies": "执法主体",
            "items": "检查事项",
            "legal_basis": "法律依据",
            "window": "检查时间",
            "method": "检查方式",
            "source": "任务来源",
            "inspectors": "执法人员及证件",
            "rights": "被检查人权利（回避申请、权利救济）",
        },
    ),
    "record": Form(
        f"{COLLECTION}之现场检查笔录",
        f"{ART[19]}（入企检查要制作现场检查笔录）、{ART[22]}",
        {
            "agencies": "执法主体",
            "enterprise": "被检查人",
            "time": "检查时间",
            "inspectors": "执法人员及证件号",
            "items": "检查事项及法律依据",
            "findings": "检查情况",
            "assisted_by": "协助检查人员（如有）",
        },
    ),
    # No source we hold gives this text's title: it is named by its stage (反馈：事后告知).
    "result_notice": Form(
        f"{COLLECTION}的事后告知（检查结果告知）文本",
        f"{ART[19]}（检查结果及时告知企业）、{MOJ_ACCOUNT}",
        {
            "agencies": "执法主体",
            "time": "检查时间",
            "items": "检查事项",
            "result": "检查结果",
            "handling": "处理意见",
            "rights": "权利救济",
        },
    ),
}
OPTIONAL = {("record", "assisted_by")}
# The judicial bureau's letters (Art. 30) are supervision documents, not inspection documents: the
# collection has no form for them, and they are laid out as official letters.
NOT_INSPECTION_DOCUMENTS = {
    "suggestion": "监督文书（第三十条），不属行政检查文书，基本格式文本未设此类文本",
    "decision": "监督文书（第三十条），不属行政检查文书，基本格式文本未设此类文本",
}


def missing(kind: str, values: dict[str, object]) -> list[str]:
    """The key elements of `kind`'s form that `values` leaves empty, by their Chinese names."""
    form = FORMS[kind]
    return [label for key, label in form.elements.items() if not values.get(key) and (kind, key) not in OPTIONAL]


def describe(kind: str, values: dict[str, object]) -> dict[str, object]:
    """What a document says of its form: which it follows, the source of that name, and any key element missing."""
    form = FORMS[kind]
    return {"follows": form.follows, "source": form.source, "article": ART[22], "missing": missing(kind, values)}


def footer(kind: str) -> str:
    """The line a notice ends with, naming its form."""
    return f"（本文书参照{FORMS[kind].follows}制作，{ART[22]}）"
