"""Queue worker (SQS): one chunk of a subsidy batch run per message. A failure leaves the message to
be delivered again; after the queue's maxReceiveCount tries it goes to the dead-letter queue for an
administrator, and its run ends as failed rather than wait for ever."""

import json
import os

from sheqi.log import logger
from sheqi.subsidy import service

# SubsidyRunsQueue's maxReceiveCount (infra/queues.yml); serverless.yml sets the same number.
MAX_RECEIVES = int(os.environ.get("SUBSIDY_RUN_MAX_RECEIVES", "3"))


@logger.inject_lambda_context
def handler(event: dict, context) -> dict:
    for record in event["Records"]:
        message = json.loads(record["body"])
        try:
            service.process_run_chunk(message)
        except Exception:
            if int(record["attributes"].get("ApproximateReceiveCount", "1")) >= MAX_RECEIVES:
                service.fail_run(message["run_id"], "本批次的一部分多次处理失败，已转入死信队列，请联系平台管理员")
            raise
        logger.info("subsidy run chunk done", extra={"run_id": message["run_id"], "chunk": message["chunk"]})
    return {"processed": len(event["Records"])}
