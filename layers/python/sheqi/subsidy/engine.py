"""What an applicant is owed under a rule set, and why. Pure: plain values in, a JSON-able result out.

Money is Decimal throughout and leaves as a string with two decimals ("200000.00"): amounts in yuan
arrive as JSON integers (floats are refused), rates as decimal strings ("0.30").
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sheqi import numbers
from sheqi.errors import ValidationError
from sheqi.subsidy.rules import Rule, RuleSet, tier_admits

CENT = Decimal("0.01")


def _yuan(x: Decimal) -> str:
    return str(x.quantize(CENT, rounding=ROUND_HALF_UP))


def _label(labels: dict, name: str) -> str:
    return labels[name]["label"].replace("（元）", "")


def wan(x: Decimal) -> str:
    """Amounts in the texts' own unit (万元) for the Chinese explanations."""
    return f"{(x / 10000).normalize():f}万元"


# Items across an applicant's list facts: each is judged by its clauses and kept in the stored result,
# which DynamoDB holds up to 400 KB in one item (about 650 bytes per item judged).
MAX_ITEMS = 200


class MissingFact(ValidationError):
    code = "missing_fact"


# --- facts ----------------------------------------------------------------------------------------


def _invalid(spec: dict, field: str, problem: str = "类型错误") -> ValidationError:
    return ValidationError(f"字段 {field}（{spec['label']}）{problem}", field=field, code="invalid_fact")


def _bool(spec: dict, value, field: str) -> bool:
    if not isinstance(value, bool):
        raise _invalid(spec, field)
    return value


def _money(spec: dict, value, field: str) -> Decimal:
    try:
        return numbers.whole_yuan(value, spec.get("max", numbers.MONEY_CEILING))
    except ValueError as error:
        raise _invalid(spec, field, str(error)) from None


def _rate(spec: dict, value, field: str) -> Decimal:
    try:
        return numbers.decimal_text(value, Decimal(0), Decimal(1))
    except ValueError as error:
        raise _invalid(spec, field, str(error)) from None


def _text(spec: dict, value, field: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 200:
        raise _invalid(spec, field)
    return value.strip()


def _choice(spec: dict, value, field: str) -> str:
    if value not in spec["choices"]:
        raise _invalid(spec, field, f"取值无效，可选：{'、'.join(spec['choices'])}")
    return value


def _list(spec: dict, value, field: str) -> list[dict]:
    if not isinstance(value, list) or len(value) > 100:
        raise _invalid(spec, field, "应为列表（至多100项）")
    items = []
    for i, item in enumerate(value):
        where = f"{field}[{i}]"
        if not isinstance(item, dict):
            raise ValidationError(f"字段 {where} 应为对象", field=where, code="invalid_fact")
        unknown = set(item) - set(spec["item"])
        if unknown:
            name = sorted(unknown)[0]
            raise ValidationError(f"字段 {where}.{name} 不是本政策的事实项", field=f"{where}.{name}", code="unknown_fact")
        missing = [n for n in spec["item"] if n not in item]
        if missing:
            raise MissingFact(f"缺少 {where}.{missing[0]}（{spec['item'][missing[0]]['label']}）", field=f"{where}.{missing[0]}")
        items.append({n: _value(spec["item"][n], item[n], f"{where}.{n}") for n in spec["item"]})
    return items


_PARSERS = {"bool": _bool, "money": _money, "rate": _rate, "text": _text, "choice": _choice, "list": _list}


def _value(spec: dict, value, field: str):
    """A fact's typed value, by the type its policy declares (rules.FACT_TYPES, checked on load)."""
    return _PARSERS[spec["type"]](spec, value, field)


def normalise(ruleset: RuleSet, facts: dict) -> dict:
    """Typed facts; unknown names and wrong types are refused. Absent facts stay absent unless the
    policy gives a default (yes/no facts default to no, lists to empty)."""
    if not isinstance(facts, dict):
        raise ValidationError("字段 facts 应为对象", field="facts", code="invalid_fact")
    unknown = sorted(set(facts) - set(ruleset.facts))
    if unknown:
        raise ValidationError(
            f"facts.{unknown[0]} 不是本政策（{ruleset.policy_id}）的事实项", field=f"facts.{unknown[0]}", code="unknown_fact"
        )
    typed = {}
    for name, spec in ruleset.facts.items():
        if name in facts:
            typed[name] = _value(spec, facts[name], f"facts.{name}")
        elif "default" in spec:
            typed[name] = _value(spec, spec["default"], f"facts.{name}")
        elif spec["type"] in ("bool", "list"):
            typed[name] = False if spec["type"] == "bool" else []
    items = sum(len(typed[name]) for name, spec in ruleset.facts.items() if spec["type"] == "list" and name in typed)
    if items > MAX_ITEMS:
        raise ValidationError(
            f"facts 中各列表合计{items}项，至多{MAX_ITEMS}项（每项一条计算结果，结果须能整条保存）",
            field="facts",
            code="too_many_items",
        )
    return typed


# --- one rule ---------------------------------------------------------------------------------------


def _need(context: dict, name: str, labels: dict, rule: Rule, prefix: str):
    if name not in context:
        raise MissingFact(
            f"缺少事实 {prefix}{name}（{labels[name]['label']}）：条款 {rule.clause}（{rule.id}）需要它",
            field=f"{prefix}{name}",
            details={"rule_id": rule.id, "clause": rule.clause},
        )
    return context[name]


def _check(condition: dict, context: dict, labels: dict, rule: Rule, prefix: str) -> dict:
    if "ratio" in condition:
        top, bottom = (_need(context, n, labels, rule, prefix) for n in condition["ratio"])
        value = top / bottom if bottom else Decimal(0)
        shown = f"{_label(labels, condition['ratio'][0])}占{_label(labels, condition['ratio'][1])}的比例为{(value * 100).quantize(CENT)}%"
        values = {"numerator": _yuan(top), "denominator": _yuan(bottom), "ratio": str(value.quantize(Decimal("0.0001")))}
    else:
        value = _need(context, condition["fact"], labels, rule, prefix)
        shown = f"{_label(labels, condition['fact'])}：{wan(value) if isinstance(value, Decimal) else _describe(value)}"
        values = {condition["fact"]: _describe(value)}
    passed = True
    parts = []
    if "is" in condition:
        passed = value == condition["is"]
        parts.append(f"须为{_describe(condition['is'])}")
    for side in ("lower", "upper"):
        if side in condition:
            bound = condition[side]
            ok = bound.admits_from_below(value) if side == "lower" else bound.admits_from_above(value)
            passed = passed and ok
            number = f"{(bound.value * 100).normalize():f}%" if "ratio" in condition else wan(bound.value)
            parts.append(f"须{number}{bound.wording}（{'含' if bound.inclusive else '不含'}本数）")
    return {"passed": passed, "detail": f"{shown}，{'；'.join(parts)}：{'符合' if passed else '不符合'}", "values": values}


def _describe(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return _yuan(value)
    return str(value)


def _amount(rule: Rule, context: dict, labels: dict, prefix: str, where: str) -> tuple[Decimal | None, dict]:
    spec = rule.amount
    if spec["kind"] == "fixed":
        return spec["amount"], {"detail": f"{'最高额度' if spec['ceiling'] else '定额'}{wan(spec['amount'])}"}
    x = _need(context, spec["fact"], labels, rule, prefix)
    if spec["kind"] == "tiered":
        tier = next((t for t in spec["tiers"] if tier_admits(t, x)), None)
        if tier is None:
            return None, {"detail": f"{_label(labels, spec['fact'])}{wan(x)}，未达到任何档次"}
        bounds = "、".join(f"{wan(b.value)}{b.wording}" for b in (tier["lower"], tier["upper"]) if b)
        return tier["amount"], {"detail": f"{_label(labels, spec['fact'])}{wan(x)}，落入“{bounds}”档：{wan(tier['amount'])}"}
    if spec["kind"] == "percentage":
        raw = x * spec["rate"]
        shown = f"{wan(x)} × {(spec['rate'] * 100).normalize():f}% = {wan(raw)}"
        cap = spec["cap"] if spec["cap_per"] != "applicant" else None  # else capped once over the items (_pooled)
        if cap is not None and not cap.admits_from_above(raw):
            return cap.value, {"detail": f"{shown}，超过{'每项' if spec['cap_per'] else ''}上限，按{wan(cap.value)}"}
        return raw, {"detail": shown}
    low, high = spec["lower"], spec["upper"]
    if spec["kind"] == "assessed":
        if not (low.admits_from_below(x) and high.admits_from_above(x)):
            raise ValidationError(
                f"{where}{spec['fact']}：评审金额{wan(x)}不在条款 {rule.clause} 规定的{wan(low.value)}至{wan(high.value)}之间",
                field=f"{prefix}{spec['fact']}",
                code="assessed_out_of_range",
                details={"rule_id": rule.id},
            )
        return x, {"detail": f"评审确定{wan(x)}（条款区间{wan(low.value)}至{wan(high.value)}）"}
    rate = _need(context, spec["rate_fact"], labels, rule, prefix)
    if not (low.admits_from_below(rate) and high.admits_from_above(rate)):
        raise ValidationError(
            f"{where}{spec['rate_fact']}：比例{rate}不在{low.value}至{high.value}之间（条款 {rule.clause}）",
            field=f"{prefix}{spec['rate_fact']}",
            code="assessed_out_of_range",
            details={"rule_id": rule.id},
        )
    return x * rate, {"detail": f"评估作价{wan(x)} × {(rate * 100).normalize():f}%"}


def _row(rule: Rule, item: str | None, checks: list[dict]) -> dict:
    return {
        "rule_id": rule.id,
        "clause": rule.clause,
        "source": rule.source,
        "text": rule.text,
        "item": item,
        "eligible": False,
        "checks": checks,
        "pays": rule.pays,
        "reading": rule.reading,
        "valid_from": rule.valid_from and rule.valid_from.isoformat(),
        "valid_until": rule.valid_until and rule.valid_until.isoformat(),
        "amount": None,
        "amount_kind": None,
        "amount_note": None,
        "decision": "not_eligible",
        "superseded_by": None,
    }


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _lapsed(rule: Rule, ruleset: RuleSet, year: int) -> str | None:
    """Why a rule does not apply to the year's facts, or None when its period of validity covers some
    day of that year (facts are a year's, so a period ending mid-year still covers them)."""
    starts, ends = rule.valid_from, rule.valid_until
    if (starts is None or starts <= date(year, 12, 31)) and (ends is None or ends >= date(year, 1, 1)):
        return None
    period = f"{_day(starts) if starts else '不限'}至{_day(ends) if ends else '不限'}"
    return f"本条款出自《{rule.source or ruleset.title}》，有效期为{period}；测算年度{year}年不在有效期内，不予支持"


def _evaluate(rule: Rule, context: dict, labels: dict, prefix: str, item: str | None) -> dict:
    checks = []
    for condition in rule.when:
        checks.append(_check(condition, context, labels, rule, prefix))
        if not checks[-1]["passed"]:
            break  # later conditions are not needed, so their facts need not be supplied
    met = not checks or checks[-1]["passed"]
    result = {**_row(rule, item, checks), "eligible": met}
    if met and rule.amount["kind"] == "set_elsewhere":
        # Eligible, reported with who sets the amount; no amount, so never in a total.
        note = f"本方案未规定金额，金额由{rule.amount['set_by']}确定"
        checks.append({"passed": True, "detail": note, "values": {}})
        return {**result, "amount_kind": "set_elsewhere", "amount_note": note, "decision": "amount_set_elsewhere"}
    if not met:
        return result
    amount, how = _amount(rule, context, labels, prefix, prefix)
    checks.append({"passed": amount is not None, "detail": how["detail"], "values": {}})
    if amount is None:
        return {**result, "eligible": False}
    ceiling = rule.amount["ceiling"]
    return {
        **result,
        "amount": _yuan(amount),
        "amount_kind": "ceiling" if ceiling else "exact",
        "amount_note": f"最高{wan(amount)}，具体金额由评审确定" if ceiling else "按条款计算的确定金额",
        "decision": "paid",
    }


# --- the whole calculation -----------------------------------------------------------------------


def calculate(ruleset: RuleSet, applicant_kind: str, facts: dict, year: int | None = None) -> dict:
    """`year`: the year the facts are of (the rule set's own by default); a rule whose period of
    validity misses it does not pay, and says so."""
    if applicant_kind not in ("county", "enterprise", "unit"):
        raise ValidationError(
            "字段 applicant_kind 取值无效，可选：county、enterprise、unit", field="applicant_kind", code="invalid_field"
        )
    year = year or ruleset.year
    typed = normalise(ruleset, facts)
    results = []
    for rule in ruleset.rules:
        if applicant_kind not in rule.applicants:
            continue
        lapsed = _lapsed(rule, ruleset, year)
        out = (
            {**_row(rule, None, [{"passed": False, "detail": lapsed, "values": {}}]), "decision": "out_of_period"}
            if lapsed
            else {}
        )
        if rule.each is None:
            results.append(out if lapsed else _evaluate(rule, typed, ruleset.facts, "facts.", None))
            continue
        labels = ruleset.facts[rule.each]["item"]
        rows = []
        for i, item in enumerate(typed.get(rule.each, [])):
            name = next((v for n, v in item.items() if labels[n]["type"] == "text"), f"第{i + 1}项")
            rows.append({**out, "item": name} if lapsed else _evaluate(rule, item, labels, f"facts.{rule.each}[{i}].", name))
        results.extend([_pooled(rule, rows)] if rows and not lapsed and rule.amount.get("cap_per") == "applicant" else rows)
    _exclusive(results, ruleset)
    paid = [r for r in results if r["decision"] == "paid"]
    cash = [r for r in paid if r["pays"] == "cash"]
    unset = sum(1 for r in results if r["decision"] == "amount_set_elsewhere")
    note = (
        "金额为“最高”额度的，合计亦为上限，实际金额以评审结果为准"
        if any(r["amount_kind"] == "ceiling" for r in cash)
        else "合计为按条款计算的确定金额"
    )
    return {
        "policy_id": ruleset.policy_id,
        "ruleset_version": ruleset.version,
        "year": year,
        "applicant_kind": applicant_kind,
        "clauses": results,
        "total_cash": _yuan(sum((Decimal(r["amount"]) for r in cash), Decimal(0))),
        "total_cash_is_ceiling": any(r["amount_kind"] == "ceiling" for r in cash),
        "total_equity": _yuan(sum((Decimal(r["amount"]) for r in paid if r["pays"] == "equity"), Decimal(0))),
        "note": note
        + (f"；另有{unset}项条款符合条件但本方案未规定金额（金额由其他文件或部门确定），未计入合计" if unset else ""),
    }


def _pooled(rule: Rule, rows: list[dict]) -> dict:
    """cap_per: applicant: the items' amounts are added and capped once, as one award to the applicant."""
    cap = rule.amount["cap"]
    paid = [r for r in rows if r["decision"] == "paid"]
    raw = sum((Decimal(r["amount"]) for r in paid), Decimal(0))
    capped = not cap.admits_from_above(raw)
    checks = [{**c, "detail": f"{r['item']}：{c['detail']}"} for r in rows for c in r["checks"]]
    checks.append(
        {
            "passed": bool(paid),
            "values": {},
            "detail": f"各项合计{wan(raw)}，上限{wan(cap.value)}按每个申报主体合计计算（不按每项）"
            + (f"，超过上限，按{wan(cap.value)}" if capped else "，未超过上限"),
        }
    )
    pooled = {**(paid or rows)[0], "item": "、".join(r["item"] for r in rows), "checks": checks}
    return {**pooled, "amount": _yuan(cap.value if capped else raw)} if paid else pooled


def _exclusive(results: list[dict], ruleset: RuleSet) -> None:
    """就高不重复: in each exclusivity group only the highest eligible award is paid (the first in the
    file on a tie)."""
    groups = {r.id: r.group for r in ruleset.rules if r.group}
    by_group: dict[str, list[dict]] = {}
    for result in results:
        if result["eligible"] and result["rule_id"] in groups:
            by_group.setdefault(groups[result["rule_id"]], []).append(result)
    for members in by_group.values():
        winner = max(members, key=lambda r: Decimal(r["amount"]))  # max keeps the first of equals
        for loser in members:
            if loser is not winner:
                loser.update(decision="superseded", superseded_by=winner["rule_id"])
