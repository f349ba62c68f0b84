"""The demo data stays usable on any date: a data folder made in December still scans in January."""

from datetime import datetime

from local import demo_data
from local.demo_data import ENTERPRISES, MARKET, demo_task_id
from sheqi import clock
from sheqi.clock import CST
from sheqi.inspections import tasks
from sheqi.store.notices import Notice
from sheqi.store.obligations import Obligation
from sheqi.store.plans import Campaign
from sheqi.store.tasks import InspectionRequest
from sheqi.store.visits import Visit
from tests.handlers.scanning import E1, open_visit


def test_demo_made_in_december_scans_in_january_and_a_restart_adds_the_year_after(tables, monkeypatch):
    december, january = datetime(2026, 12, 20, 9, 0, tzinfo=CST), datetime(2027, 1, 5, 9, 0, tzinfo=CST)
    monkeypatch.setattr(clock, "now", lambda: december)
    demo_data.load()
    assert tasks.get(demo_task_id("market-routine", 2027)).window_start == "2027-01-01T00:00:00+08:00"

    monkeypatch.setattr(clock, "now", lambda: january)
    status, answer = open_visit(demo_task_id("market-routine"), E1, at=january)
    assert status == 201 and answer["outcome"] == "opened", answer
    assert demo_data.load() > 0  # the start in January: 2028's plans and tasks
    assert tasks.get(demo_task_id("police-fire", 2028)).year == "2028"
    assert demo_data.load() == 0  # and nothing twice


def test_demo_exercises_a_joint_task_an_exception_with_its_ground_a_transfer_and_an_urgent_campaign(tables):
    """What `make run` loads: the scenarios on top of the registers, plans and tasks, once."""
    assert demo_data.load() > 0 and demo_data.load() == 0
    year = clock.today().year
    joint = tasks.get(demo_task_id("joint-winery"))
    assert joint.status == "approved" and [p["agency_id"] for p in joint.participants][1] == MARKET
    requested = tasks.get(demo_task_id("dairy-request"))
    request = InspectionRequest.get(InspectionRequest.key(requested.exception["ground"]["reference"]))
    assert requested.exception["reason"] == 5 and request.enterprise_id == ENTERPRISES[1]["enterprise_id"]
    visit = next(Visit.by_enterprise.query(ENTERPRISES[1]["enterprise_id"]))
    assert visit.outcome["outcome"] == "no_violation" and visit.outcome["transfers"][0]["to_authority"] == "张北县应急管理局"
    assert Obligation.get(f"case_transfer:{visit.visit_id}:1").status == "open"
    assert any(n.kind == "exception_visit" for n in Notice.query("judicial:130722"))
    assert any(n.kind == "urgent_campaign" for n in Notice.query("judicial:130722"))
    assert [c.emergency for c in Campaign.query(MARKET) if c.year == str(year)] == [True]
