"""Queue worker (SQS): one chunk of a subsidy batch run per message. A failure leaves the message to
be delivered again; after three tries it goes to the dead-letter queue for an administrator."""
import json

from sheqi.log import logger
from sheqi.subsidy import service


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context) -> dict:
    for record in event["Records"]:
        message = json.loads(record["body"])
        service.process_run_chunk(message)
        logger.info("subsidy run chunk done", extra={"run_id": message["run_id"], "chunk": message["chunk"]})
    return {"processed": len(event["Records"])}
