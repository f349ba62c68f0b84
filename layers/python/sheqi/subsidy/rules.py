"""Loading a policy file into a validated rule set. A malformed file fails on load, with the file,
the rule and the field named, never at calculation time."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from msgspec import Struct, field

from sheqi.numbers import MONEY_CEILING

# PRC Civil Code art. 1259: 以上, 以下, 以内, 届满 include the number; 不满, 超过, 以外 exclude it.
# The policy texts also write (含)/(不含), 及以上, 不低于 (= 以上) and 不超过 (= 以内), 低于 (= 不满).
WORDINGS = {
    "以上": True,
    "以下": True,
    "以内": True,
    "届满": True,
    "及以上": True,
    "（含）": True,
    "不低于": True,
    "不超过": True,
    "不满": False,
    "超过": False,
    "以外": False,
    "（不含）": False,
    "低于": False,
}
FACT_TYPES = ("bool", "money", "rate", "text", "choice", "list")
APPLICANTS = ("county", "enterprise", "unit")
# set_elsewhere: the clause promises money but leaves the amount to another document or body (`set_by`).
AMOUNT_KINDS = ("fixed", "tiered", "percentage", "assessed", "assessed_rate", "set_elsewhere")
# A percentage's cap over a list fact: each item capped alone, or the applicant's items together.
CAP_PER = ("item", "applicant")


class PolicyError(ValueError):
    """A policy file that does not say what the engine needs; the message names file, rule and field."""


class Bound(Struct, frozen=True):
    value: Decimal
    wording: str

    @property
    def inclusive(self) -> bool:
        return WORDINGS[self.wording]

    def admits_from_below(self, x: Decimal) -> bool:  # x is at or above a lower bound
        return x >= self.value if self.inclusive else x > self.value

    def admits_from_above(self, x: Decimal) -> bool:  # x is at or below an upper bound
        return x <= self.value if self.inclusive else x < self.value


class Rule(Struct, frozen=True):
    id: str
    clause: str
    text: str
    applicants: tuple[str, ...]
    when: tuple[dict, ...]
    amount: dict
    each: str | None = None
    group: str | None = None
    pays: str = "cash"
    reading: str | None = None  # the reading chosen where the text is open, shown with every result
    source: str | None = None  # the document the clause comes from, when not the rule set's own
    valid_from: date | None = None  # the rule's period of validity (its own, else the rule set's)
    valid_until: date | None = None


class RuleSet(Struct, frozen=True):
    policy_id: str
    title: str
    year: int
    facts: dict
    rules: tuple[Rule, ...]
    version: str = field(default="")  # policy id and content hash: recorded with every result
    valid_from: date | None = None
    valid_until: date | None = None


def _fail(path: Path, where: str, message: str) -> PolicyError:
    return PolicyError(f"{path.name}: {where}: {message}")


def _bound(path: Path, where: str, spec) -> Bound:
    if not isinstance(spec, dict) or set(spec) != {"value", "wording"}:
        raise _fail(path, where, "a bound is {value, wording}")
    if spec["wording"] not in WORDINGS:
        raise _fail(path, where, f"unknown wording {spec['wording']!r}; known: {', '.join(WORDINGS)}")
    try:
        value = Decimal(str(spec["value"]))
    except InvalidOperation:
        raise _fail(path, where, f"bound value {spec['value']!r} is not a number") from None
    if isinstance(spec["value"], float):
        raise _fail(path, where, 'write fractional bounds as strings ("0.07"), never floats')
    return Bound(value, spec["wording"])


def _money(path: Path, where: str, value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(path, where, f"an amount is a whole number of yuan, got {value!r}")
    return Decimal(value)


def _facts(path: Path, facts) -> dict:
    if not isinstance(facts, dict) or not facts:
        raise _fail(path, "facts", "missing or empty")
    for name, spec in facts.items():
        kind = spec.get("type") if isinstance(spec, dict) else None
        if kind not in FACT_TYPES:
            raise _fail(path, f"facts.{name}.type", f"must be one of {', '.join(FACT_TYPES)}")
        if not spec.get("label"):
            raise _fail(path, f"facts.{name}.label", "every fact needs a Chinese label")
        if kind == "list":
            _facts(path, spec.get("item"))
        if kind == "choice" and not spec.get("choices"):
            raise _fail(path, f"facts.{name}.choices", "a choice needs its choices")
        if kind == "money" and "max" in spec:
            ceiling = spec["max"]
            if isinstance(ceiling, bool) or not isinstance(ceiling, int) or not 0 < ceiling <= MONEY_CEILING:
                raise _fail(path, f"facts.{name}.max", f"a money ceiling is a whole number of yuan up to {MONEY_CEILING}")
    return facts


def _amount(path: Path, where: str, spec: dict, fact_names: set[str]) -> dict:
    kind = spec.get("kind") if isinstance(spec, dict) else None
    if kind not in AMOUNT_KINDS:
        raise _fail(path, f"{where}.kind", f"must be one of {', '.join(AMOUNT_KINDS)}")
    out = {"kind": kind, "ceiling": bool(spec.get("ceiling", False))}
    if kind == "set_elsewhere":
        if not isinstance(spec.get("set_by"), str) or not spec["set_by"].strip():
            raise _fail(path, f"{where}.set_by", "name who or what sets the amount (金额由…确定)")
        return {**out, "set_by": spec["set_by"].strip()}
    if kind != "fixed":
        if spec.get("fact") not in fact_names:
            raise _fail(path, f"{where}.fact", f"unknown fact {spec.get('fact')!r}")
        out["fact"] = spec["fact"]
    if kind == "fixed":
        out["amount"] = _money(path, f"{where}.amount", spec.get("amount"))
    elif kind == "tiered":
        tiers = spec.get("tiers") or []
        if not tiers:
            raise _fail(path, f"{where}.tiers", "a tiered amount needs tiers")
        out["tiers"] = tuple(
            {
                "lower": _bound(path, f"{where}.tiers[{i}].lower", t["lower"]) if "lower" in t else None,
                "upper": _bound(path, f"{where}.tiers[{i}].upper", t["upper"]) if "upper" in t else None,
                "amount": _money(path, f"{where}.tiers[{i}].amount", t.get("amount")),
            }
            for i, t in enumerate(tiers)
        )
        _disjoint(path, where, out["tiers"])
    elif kind == "percentage":
        out["rate"] = _rate(path, f"{where}.rate", spec.get("rate"))
        out["cap"] = _bound(path, f"{where}.cap", spec["cap"]) if "cap" in spec else None
        if spec.get("cap_per", "item") not in CAP_PER:
            raise _fail(path, f"{where}.cap_per", f"must be one of {', '.join(CAP_PER)}")
        out["cap_per"] = spec.get("cap_per")
    else:
        out["lower"] = _bound(path, f"{where}.lower", spec.get("lower"))
        out["upper"] = _bound(path, f"{where}.upper", spec.get("upper"))
        if kind == "assessed_rate":
            if spec.get("rate_fact") not in fact_names:
                raise _fail(path, f"{where}.rate_fact", f"unknown fact {spec.get('rate_fact')!r}")
            out["rate_fact"] = spec["rate_fact"]
    return out


def _rate(path: Path, where: str, value) -> Decimal:
    if not isinstance(value, str):
        raise _fail(path, where, 'write a rate as a decimal string such as "0.15"')
    try:
        rate = Decimal(value)
    except InvalidOperation:
        raise _fail(path, where, f"{value!r} is not a decimal") from None
    if not 0 < rate <= 1:
        raise _fail(path, where, "a rate lies in (0, 1]")
    return rate


def _disjoint(path: Path, where: str, tiers: tuple) -> None:
    """No number may fall into two tiers: check every bound and points just beside it."""
    edges = {t[side].value for t in tiers for side in ("lower", "upper") if t[side]}
    probes = {e + d for e in edges for d in (Decimal("-0.01"), Decimal(0), Decimal("0.01"))}
    for x in probes:
        hits = [i for i, t in enumerate(tiers) if tier_admits(t, x)]
        if len(hits) > 1:
            raise _fail(path, f"{where}.tiers", f"tiers {hits} overlap at {x}")


def tier_admits(tier: dict, x: Decimal) -> bool:
    return (tier["lower"] is None or tier["lower"].admits_from_below(x)) and (
        tier["upper"] is None or tier["upper"].admits_from_above(x)
    )


def _condition(path: Path, where: str, spec, fact_names: set[str]) -> dict:
    if not isinstance(spec, dict):
        raise _fail(path, where, "a condition is a mapping")
    if "ratio" in spec:
        parts = spec["ratio"]
        if not (isinstance(parts, list) and len(parts) == 2 and set(parts) <= fact_names):
            raise _fail(path, f"{where}.ratio", "a ratio names two known facts [numerator, denominator]")
    elif spec.get("fact") not in fact_names:
        raise _fail(path, f"{where}.fact", f"unknown fact {spec.get('fact')!r}")
    if not ({"is", "lower", "upper"} & set(spec)):
        raise _fail(path, where, "a condition needs `is`, `lower` or `upper`")
    return {**spec, **{side: _bound(path, f"{where}.{side}", spec[side]) for side in ("lower", "upper") if side in spec}}


def _period(path: Path, where: str, spec: dict, default: tuple[date | None, date | None]) -> tuple[date | None, date | None]:
    """A period of validity: valid_from and valid_until, dates (YAML 2017-12-31), both ends included.
    A rule giving either end has its own period (an end it leaves out is open); else the default."""
    if "valid_from" not in spec and "valid_until" not in spec:
        return default
    for end in ("valid_from", "valid_until"):
        value = spec.get(end)
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            raise _fail(path, f"{where}{end}", f"a date such as 2017-12-31, got {value!r}")
    starts, ends = spec.get("valid_from"), spec.get("valid_until")
    if starts and ends and starts > ends:
        raise _fail(path, f"{where}valid_until", "ends before valid_from")
    return starts, ends


def _rule(path: Path, where: str, spec: dict, facts: dict, period: tuple[date | None, date | None]) -> Rule:
    for key in ("clause", "text", "applicants", "amount"):
        if not spec.get(key):
            raise _fail(path, f"{where}.{key}", "missing")
    if not set(spec["applicants"]) <= set(APPLICANTS):
        raise _fail(path, f"{where}.applicants", f"must be among {', '.join(APPLICANTS)}")
    each = spec.get("each")
    if each is not None and facts.get(each, {}).get("type") != "list":
        raise _fail(path, f"{where}.each", f"{each!r} is not a list fact")
    if each is not None and spec.get("group"):
        raise _fail(path, f"{where}.group", "a per-item rule cannot be in an exclusivity group")
    if spec.get("pays", "cash") not in ("cash", "equity"):
        raise _fail(path, f"{where}.pays", "cash or equity")
    names = set(facts[each]["item"]) if each else set(facts)
    amount = _amount(path, f"{where}.amount", spec["amount"], names)
    if spec.get("group") and amount["kind"] == "set_elsewhere":
        raise _fail(path, f"{where}.group", "an amount set elsewhere cannot be weighed in an exclusivity group")
    if amount.get("cap") and (each is None) is not (amount["cap_per"] is None):
        raise _fail(path, f"{where}.amount.cap_per", "a cap over a list fact says item or applicant; elsewhere it has none")
    for key in ("reading", "source"):
        if spec.get(key) is not None and not (isinstance(spec[key], str) and spec[key].strip()):
            raise _fail(path, f"{where}.{key}", "Chinese text, not empty")
    valid_from, valid_until = _period(path, f"{where}.", spec, period)
    return Rule(
        id=spec["id"],
        clause=str(spec["clause"]),
        text=spec["text"],
        applicants=tuple(spec["applicants"]),
        when=tuple(_condition(path, f"{where}.when[{i}]", c, names) for i, c in enumerate(spec.get("when") or [])),
        amount=amount,
        each=each,
        group=spec.get("group"),
        pays=spec.get("pays", "cash"),
        reading=spec.get("reading"),
        source=spec.get("source"),
        valid_from=valid_from,
        valid_until=valid_until,
    )


def load_ruleset(path: str | Path) -> RuleSet:
    import yaml  # here, not at the top: only a request that reads the policy pays for it at a cold start

    path = Path(path)
    raw_text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(raw_text)
    except yaml.YAMLError as error:
        raise PolicyError(f"{path.name}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path.name}: the top level must be a mapping")
    for key in ("policy_id", "title", "year", "facts", "rules"):
        if key not in data:
            raise _fail(path, key, "missing")
    facts = _facts(path, data["facts"])
    period = _period(path, "", data, (None, None))
    rules, seen = [], set()
    for index, spec in enumerate(data["rules"] or []):
        rid = spec.get("id") if isinstance(spec, dict) else None
        where = f"rules[{index}] ({rid or 'no id'})"
        if not rid or rid in seen:
            raise _fail(path, f"{where}.id", "every rule needs a unique id")
        seen.add(rid)
        rules.append(_rule(path, where, spec, facts, period))
    version = f"{data['policy_id']}@{hashlib.sha256(raw_text.encode()).hexdigest()[:12]}"
    return RuleSet(data["policy_id"], data["title"], int(data["year"]), facts, tuple(rules), version, *period)


DEFAULT_POLICY = Path(__file__).resolve().parent / "policies" / "cangzhou_2025.yaml"
_default: RuleSet | None = None


def default_ruleset() -> RuleSet:
    global _default
    if _default is None:
        _default = load_ruleset(DEFAULT_POLICY)
    return _default
