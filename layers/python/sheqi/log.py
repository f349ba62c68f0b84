"""The one structured logger (Powertools' JSON logger), for handlers and workers alike."""
from aws_lambda_powertools import Logger

logger = Logger(service="sheqi")
