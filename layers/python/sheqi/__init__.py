"""Shared Lambda layer: domain rules, store, auth and enterprise codes for 涉企行政检查."""

import gc
import os

if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    # A cold start loads long-lived objects only (botocore's service models, PynamoDB's and our classes):
    # the cyclic collector would walk them over and over while they load and free nothing, about 14 ms of
    # a handler's import (bench/cold_start.py). It is paused here, before anything of ours is imported,
    # and started again by the first invocation (`resume_collector`, called by sheqi.log's wrapper).
    gc.disable()


def resume_collector() -> None:
    """End of the cold start: what the import loaded is kept out of every later collection (it lives as long
    as the process) and the collector runs again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
