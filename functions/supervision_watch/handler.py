"""Scheduled daily (EventBridge): new watch-list entries to each region's judicial bureau, once each."""

from sheqi import clock
from sheqi.log import logger
from sheqi.supervision import watchlists


@logger.inject_lambda_context
def handler(event: dict, context) -> dict:
    result = watchlists.daily(clock.local_date(event["time"]))
    logger.info("supervision watch done", extra=result)
    return result
