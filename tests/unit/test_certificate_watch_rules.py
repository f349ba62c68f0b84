from datetime import date

from sheqi.registry.certificate_watch import _months, expiry_stage

TODAY = date(2026, 11, 25)


def test_stages_at_their_boundaries():
    assert expiry_stage(date(2026, 11, 24), TODAY, 30) == "expired"
    assert expiry_stage(TODAY, TODAY, 30) == "due_soon"  # valid through today
    assert expiry_stage(date(2026, 12, 25), TODAY, 30) == "due_soon"
    assert expiry_stage(date(2026, 12, 26), TODAY, 30) is None


def test_months_span_year_end():
    assert _months(date(2026, 10, 25), date(2027, 1, 3)) == ["2026-10", "2026-11", "2026-12", "2027-01"]
