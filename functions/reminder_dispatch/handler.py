"""Scheduled daily (EventBridge): fan the reminder run out, one queue message per active region."""

from sheqi import clock
from sheqi.log import logger
from sheqi.reminders import run


@logger.inject_lambda_context
def handler(event: dict, context) -> dict:
    today = clock.local_date(event["time"])  # the scheduled instant, so a rerun reproduces its day
    result = {"date": today.isoformat(), "regions": run.dispatch(today)}
    logger.info("reminder run dispatched", extra=result)
    return result
