"""Scheduled daily (EventBridge): certificates due to lapse or lapsed, to their agencies (Art. 4)."""

from sheqi import clock, settings
from sheqi.log import logger
from sheqi.registry import certificate_watch


@logger.inject_lambda_context
def handler(event: dict, context) -> dict:
    today = clock.local_date(event["time"])  # the scheduled instant, so a rerun reproduces its day
    result = certificate_watch.run(today, window_days=settings.get().certificate_warning_days)
    logger.info("certificate watch done", extra=result)
    return result
