"""serverless.yml names real handlers; every sample event parses and reaches its handler."""

import json
from pathlib import Path

import pytest
import yaml

from local import config, serverless_config
from local.invoke import invoke, load_handler
from sheqi.store.subsidy import SubsidyResult
from tests.helpers import EVENTS, MOTO_PORT

FUNCTIONS = yaml.safe_load(Path("serverless.yml").read_text())["functions"]
HTTP_SAMPLES = sorted(p.relative_to(EVENTS).as_posix() for p in (EVENTS / "http").glob("*.json"))
SCHEDULE_SAMPLES = sorted(p.relative_to(EVENTS).as_posix() for p in (EVENTS / "schedule").glob("*.json"))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_handler_imports(name):
    handler = load_handler(FUNCTIONS[name]["handler"])
    # Every entry point is the logger's wrapper: it carries the invocation's ids into the log, and its first
    # call ends the cold start (the collector paused while the handler loaded starts again).
    assert handler.__code__.co_qualname == "Logger.inject_lambda_context.<locals>.wrapped"
    assert FUNCTIONS[name]["package"] == {"artifact": f"build/functions/{name}.zip"}  # scripts/build.py builds it


def test_handlers_do_not_import_local_only_or_printing_packages():
    """Each handler imported in turn by one clean interpreter: a local-only package that first shows up
    in sys.modules after a handler's import came with that handler. The printing libraries load only
    when a route prints."""
    import subprocess
    import sys

    modules = {name: spec["handler"].rpartition(".")[0].replace("/", ".") for name, spec in FUNCTIONS.items()}
    code = (
        "import importlib, json, sys; sys.path.insert(0, 'layers/python'); found, seen = {}, set()\n"
        f"for name, module in {modules!r}.items():\n"
        "    importlib.import_module(module)\n"
        "    found[name] = [m for m in ('flask', 'moto', 'werkzeug', 'croniter', 'local', 'PIL', 'reportlab')\n"
        "                   if m in sys.modules and m not in seen]\n"
        "    seen.update(found[name])\n"
        "print(json.dumps(found))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**config.environment(MOTO_PORT), "PATH": ""},
        check=True,
    ).stdout
    found = json.loads(out)
    assert set(found) == set(FUNCTIONS)
    assert {name: bad for name, bad in found.items() if bad} == {}


@pytest.mark.parametrize("sample", HTTP_SAMPLES)
def test_http_samples_route_and_answer(demo, sample):
    event = json.loads((EVENTS / sample).read_text())
    assert event["version"] == "2.0"
    route, params = serverless_config.resolve(event["requestContext"]["http"]["method"], event["rawPath"])
    assert route is not None and route.route_key == event["routeKey"]
    assert params == event.get("pathParameters", {})
    assert route.authorized == ("authorizer" in event["requestContext"])
    result = invoke(route.handler, route.function, event)
    assert result["statusCode"] < 500, result


@pytest.mark.parametrize("sample", SCHEDULE_SAMPLES)
def test_schedule_samples_reach_a_scheduled_function(demo, sample):
    event = json.loads((EVENTS / sample).read_text())
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    schedules = serverless_config.schedules()
    function = Path(sample).stem
    match = [s for s in schedules if s.handler.startswith(f"functions/{function}/")]
    assert match, f"no schedule in serverless.yml for {sample}"
    result = invoke(match[0].handler, match[0].function, event)
    assert result["date"] == "2026-11-25"


def test_local_events_have_the_samples_shape():
    from local.events import http_event

    sample = json.loads((EVENTS / "http/get_enterprise.json").read_text())
    built = http_event(
        method="GET",
        raw_path=sample["rawPath"],
        route_key=sample["routeKey"],
        path_parameters=sample["pathParameters"],
        headers={"host": "x"},
        claims={"sub": "s"},
    )
    assert set(built) == set(sample)
    assert set(built["requestContext"]) == set(sample["requestContext"])
    assert set(built["requestContext"]["http"]) == set(sample["requestContext"]["http"])


def test_queue_samples_reach_the_wired_worker(demo):
    from local.queues import sqs_event

    sample = json.loads((EVENTS / "sqs/subsidy_run_worker.json").read_text())
    built = sqs_event([{"MessageId": "m", "ReceiptHandle": "r", "Body": "{}"}], "q")
    assert set(built["Records"][0]) == set(sample["Records"][0])
    triggers = {t.handler for t in serverless_config.queue_triggers()}
    assert triggers == {"functions/subsidy_run_worker/handler.handler", "functions/reminder_region_worker/handler.handler"}
    reminder = json.loads((EVENTS / "sqs/reminder_region_worker.json").read_text())
    result = invoke("functions/reminder_region_worker/handler.handler", "reminderRegionWorker", reminder)
    assert result["results"][0]["region_code"] == "130722"
    # The sample's run is unknown here: the worker takes the message and writes nothing.
    assert invoke("functions/subsidy_run_worker/handler.handler", "subsidyRunWorker", sample) == {"processed": 1}
    assert list(SubsidyResult.query("run-2025-4f1c2b9a7e30")) == []


def test_the_subsidy_worker_knows_its_queues_receive_limit():
    from local.dynamo import infra_resources

    limit = infra_resources("queues.yml")["SubsidyRunsQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"]
    assert FUNCTIONS["subsidyRunWorker"]["environment"]["SUBSIDY_RUN_MAX_RECEIVES"] == str(limit)


def test_the_collector_is_paused_for_the_cold_start_and_resumed_by_the_first_invocation():
    """In Lambda (AWS_LAMBDA_FUNCTION_NAME set) the cyclic collector is off while a handler loads, and the
    first invocation, whatever its answer, freezes what was loaded and turns the collector back on."""
    import subprocess
    import sys

    code = (
        "import gc, json, sys; sys.path.insert(0, 'layers/python'); from local.invoke import load_handler\n"
        "handler = load_handler('functions/ratings/handler.handler')\n"
        "paused = not gc.isenabled()\n"
        "event = json.load(open('events/http/rate_visit.json')); event['requestContext'].pop('authorizer')\n"
        "status = handler(event, None)['statusCode']\n"
        "print(json.dumps([paused, status, gc.isenabled(), gc.get_freeze_count() > 10000]))"
    )
    env = {**config.environment(MOTO_PORT), "PATH": ""}
    in_lambda = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env | {"AWS_LAMBDA_FUNCTION_NAME": "sheqi-ci-ratings"},
    )
    assert json.loads(in_lambda.stdout.splitlines()[-1]) == [True, 401, True, True]
    elsewhere = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert json.loads(elsewhere.stdout.splitlines()[-1]) == [False, 401, True, False]
