"""SQS worker: one region's reminders for one day. Safe to receive a message twice: every reminder
is put in the outbox at most once."""

import json
from datetime import date

from sheqi.log import logger
from sheqi.reminders import run


@logger.inject_lambda_context
def handler(event: dict, context) -> dict:
    results = []
    for record in event["Records"]:
        message = json.loads(record["body"])
        result = run.run_region(message["region_code"], date.fromisoformat(message["date"]))
        logger.info("region reminders done", extra=result)
        results.append(result)
    return {"results": results}
