"""The demo data stays usable on any date: a data folder made in December still scans in January."""
from datetime import datetime

from local import demo_data
from local.demo_data import demo_task_id
from sheqi import clock
from sheqi.clock import CST
from sheqi.inspections import tasks
from tests.handlers.scanning import E1, open_visit


def test_demo_made_in_december_scans_in_january_and_a_restart_adds_the_year_after(tables, monkeypatch):
    december, january = datetime(2026, 12, 20, 9, 0, tzinfo=CST), datetime(2027, 1, 5, 9, 0, tzinfo=CST)
    monkeypatch.setattr(clock, "now", lambda: december)
    demo_data.load()
    assert tasks.get(demo_task_id("market-routine", 2027)).window_start == "2027-01-01T00:00:00+08:00"

    monkeypatch.setattr(clock, "now", lambda: january)
    status, answer = open_visit(demo_task_id("market-routine"), E1, at=january)
    assert status == 201 and answer["outcome"] == "opened", answer
    assert demo_data.load() > 0                       # the start in January: 2028's plans and tasks
    assert tasks.get(demo_task_id("police-fire", 2028)).year == "2028"
    assert demo_data.load() == 0                      # and nothing twice
