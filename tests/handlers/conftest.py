"""Fixtures of the handler tests."""
from datetime import datetime

import pytest

from local import demo_data
from sheqi import clock, store
from sheqi.clock import CST
from tests.handlers.scanning import NOW


@pytest.fixture
def june(tables, monkeypatch):
    """Demo data with plans for 2026 acknowledged on 1 January, then the clock at mid-June."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 1, 1, 9, 0, tzinfo=CST))
    demo_data.load()
    li = store.Inspector.get("market-li")            # the demo's "expiring soon" certificate, renewed
    li.valid_until, li.expiry_month = "2027-12-31", "2027-12"
    li.save()
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW
