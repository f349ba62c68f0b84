"""Daily watch over inspectors' certificates: an inspector whose certificate has lapsed may not
inspect (Art. 4), so the agency hears before it lapses and again once it has."""

from __future__ import annotations

from datetime import date, timedelta

from sheqi import metrics
from sheqi.reminders import notices
from sheqi.rules.qualification import ART4
from sheqi.store.registers import Inspector

LOOKBACK_DAYS = 31  # a certificate that lapsed while the job did not run is still reported


def expiry_stage(valid_until: date, today: date, window_days: int) -> str | None:
    if valid_until < today:
        return "expired"
    if valid_until <= today + timedelta(days=window_days):
        return "due_soon"
    return None


def _months(first: date, last: date) -> list[str]:
    months, cursor = [], first.replace(day=1)
    while cursor <= last:
        months.append(cursor.strftime("%Y-%m"))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


@metrics.timed("certificate_watch")
def run(today: date, window_days: int = 30) -> dict:
    """Notify each agency of its active inspectors' certificates due within the window or lapsed."""
    first, last = today - timedelta(days=LOOKBACK_DAYS), today + timedelta(days=window_days)
    created = seen = 0
    for month in _months(first, last):
        condition = Inspector.valid_until.between(first.isoformat(), last.isoformat())
        for inspector in Inspector.by_expiry.query(month, range_key_condition=condition):
            stage = expiry_stage(date.fromisoformat(inspector.valid_until), today, window_days)
            if inspector.status != "active" or stage is None:
                continue
            seen += 1
            what = "已过期，过期期间不得实施行政检查" if stage == "expired" else "即将到期，请及时办理换证"
            created += notices.create_once(
                f"agency:{inspector.agency_id}",
                f"certificate:{inspector.inspector_id}:{inspector.valid_until}:{stage}",
                kind=f"certificate_{stage}",
                article=ART4,
                title=f"执法证件{'已过期' if stage == 'expired' else '即将到期'}：{inspector.name}",
                body=f"{inspector.name}（证号 {inspector.certificate_no}）的执法证件有效期至 {inspector.valid_until}，{what}。",
            )
    return {"date": today.isoformat(), "certificates_due": seen, "notices_created": created}
