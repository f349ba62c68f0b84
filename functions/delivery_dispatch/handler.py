"""Scheduled every few minutes (EventBridge): deliver due notices by SMS and mail, retrying with
backoff; notices that fail every attempt become dead letters for the platform admin."""

from sheqi.log import logger
from sheqi.reminders import delivery


@logger.inject_lambda_context
def handler(event: dict, context) -> dict:
    counts = delivery.run()
    logger.info("deliveries done", extra=counts)
    return counts
