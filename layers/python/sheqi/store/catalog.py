"""Every model of every table, for tools and tests (the local stack, the schema check, benchmarks). No
function imports it: a function imports only the modules of the tables it uses."""

from __future__ import annotations

from pynamodb.models import Model

from sheqi.store import (
    feedback,
    idempotency,
    notices,
    obligations,
    plans,
    registers,
    subsidy,
    supervision,
    tallies,
    tasks,
    visits,
)

MODULES = (registers, notices, obligations, plans, tasks, visits, tallies, feedback, supervision, subsidy, idempotency)

# One model per table, the one that declares the table's every index (tests/unit/test_store_schema.py).
TABLES: tuple[type[Model], ...] = (
    registers.Enterprise,
    registers.Agency,
    registers.Inspector,
    registers.Item,
    notices.Notice,
    obligations.Obligation,
    plans.PlanVersion,
    plans.Campaign,
    tasks.DrawEntry,
    tasks.Task,
    tasks.Assignment,
    visits.Visit,
    visits.VisitEvent,
    visits.Scan,
    tallies.Tally,
    feedback.Rating,
    feedback.Complaint,
    supervision.ReturnSample,
    subsidy.SubsidyApplicant,
    subsidy.SubsidyResult,
    idempotency.IdempotencyKey,
)


def models() -> list[type[Model]]:
    """Every model class with a table, each once."""
    return [
        value
        for module in MODULES
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Model)
        and value.__module__ == module.__name__
        and hasattr(value.Meta, "table_name")
    ]
