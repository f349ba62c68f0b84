"""Science bureau deadlines from seed 004 (a district science-and-industry bureau's post-approval
supervision rules): a project is accepted within 6 months of its end; a technical contract's
registration is decided within 30 days. Each opens an obligation the reminder run follows."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from msgspec import Meta

from sheqi import clock
from sheqi.auth import Identity, deny_scope, supervises
from sheqi.errors import Conflict
from sheqi.inputs import Body
from sheqi.reminders import obligations
from sheqi.rules import regions
from sheqi.store import Obligation, get_or_404, update_if


class ProjectIn(Body):
    project_id: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{3,64}$")]
    name: Annotated[str, Meta(min_length=2, max_length=200)]
    unit_name: Annotated[str, Meta(min_length=2, max_length=200)]
    region_code: Annotated[str, Meta(pattern=r"^\d{6}$")]
    ended_on: date


class ContractIn(Body):
    contract_id: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{3,64}$")]
    name: Annotated[str, Meta(min_length=2, max_length=200)]
    applicant: Annotated[str, Meta(min_length=2, max_length=200)]
    region_code: Annotated[str, Meta(pattern=r"^\d{6}$")]
    received_on: date


class DoneIn(Body):
    done_on: date
    note: Annotated[str, Meta(max_length=1000)] = ""


KINDS = {"projects": "project_acceptance", "contracts": "contract_registration"}


def _bureau(caller: Identity, region_code: str) -> None:
    regions.validate(region_code)
    if not supervises(caller, region_code, role="science_bureau"):
        raise deny_scope("科技监管事项")


def register_project(caller: Identity, data: ProjectIn) -> Obligation:
    _bureau(caller, data.region_code)
    return _open("project_acceptance", data.project_id, f"{data.unit_name}“{data.name}”项目验收", data.region_code,
                 {"project_id": data.project_id, "name": data.name, "unit_name": data.unit_name, "ended_on": data.ended_on.isoformat()},
                 data.ended_on, obligations.calendar_deadline(data.ended_on, months=6))


def register_contract(caller: Identity, data: ContractIn) -> Obligation:
    _bureau(caller, data.region_code)
    return _open("contract_registration", data.contract_id, f"{data.applicant}“{data.name}”技术合同登记", data.region_code,
                 {"contract_id": data.contract_id, "name": data.name, "applicant": data.applicant,
                  "received_on": data.received_on.isoformat()},
                 data.received_on, obligations.calendar_deadline(data.received_on, days=30))


def _open(kind: str, key: str, title: str, region_code: str, subject: dict, start: date, due) -> Obligation:
    obligation_id = f"{kind}:{region_code}:{key}"
    if not obligations.open_once(obligation_id, kind=kind, title=title, owner=f"science_bureau:{region_code}",
                                 region_code=region_code, subject=subject, start=start, due=due):
        raise Conflict("该事项已登记", code="already_registered")
    obligations.note_region(region_code)
    return Obligation.get(obligation_id)


def mark_done(caller: Identity, collection: str, region_code: str, key: str, data: DoneIn) -> Obligation:
    _bureau(caller, region_code)
    obligation_id = f"{KINDS[collection]}:{region_code}:{key}"
    record = get_or_404(Obligation, obligation_id, message="事项不存在", code="obligation_not_found")
    if record.status != "open":
        raise Conflict("该事项已办结", code="already_done")
    update_if(record, [Obligation.subject.set({**record.subject, "done_on": data.done_on.isoformat(), "note": data.note})])
    obligations.complete(obligation_id)
    return Obligation.get(obligation_id)


def view(record: Obligation) -> dict:
    return obligations.view(record, clock.today())
