"""Scheduled daily (EventBridge): certificates due to lapse or lapsed, to their agencies (Art. 4)."""
import os

from sheqi import clock
from sheqi.log import logger
from sheqi.registry import certificate_watch


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    today = clock.local_date(event["time"])  # the scheduled instant, so a rerun reproduces its day
    result = certificate_watch.run(today, window_days=int(os.environ.get("CERTIFICATE_WARNING_DAYS", "30")))
    logger.info("certificate watch done", extra=result)
    return result
