"""Settings are read from the environment once, at cold start, and a bad one stops every handler from
starting with a Chinese message naming the variable, instead of failing a request later."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from local import config
from sheqi import settings
from sheqi.rules.reminder_rules import YEAR_END_DAYS
from tests.helpers import MOTO_PORT

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {
    "EVIDENCE_BUCKET": "sheqi-evidence",
    "REMINDER_RUNS_QUEUE_URL": "https://sqs.cn-north-1.amazonaws.com.cn/1/r",
    "SUBSIDY_RUNS_QUEUE_URL": "https://sqs.cn-north-1.amazonaws.com.cn/1/s",
    "NOTIFY_FROM": "noreply@sheqi.gov.cn",
}


def test_defaults_match_the_rules_and_serverless_yml():
    found = settings.load(REQUIRED)
    assert (found.table_prefix, found.aws_region, found.notify_channels) == ("sheqi-local", "cn-north-1", ("sms", "email"))
    assert (found.rating_window_days, found.rating_min_enterprises, found.scan_pairing_minutes) == (30, 5, 30)
    assert found.year_end_reminder_days == YEAR_END_DAYS
    assert found.watch_frequency_thresholds == {"good": 3, "average": 5, "poor": 8}


def test_values_are_parsed_and_empty_ones_count_as_unset():
    found = settings.load(
        {
            **REQUIRED,
            "AWS_DEFAULT_REGION": "cn-northwest-1",
            "NOTIFY_CHANNELS": " sms , log ",
            "DELIVERY_LOG": "/tmp/d.log",
            "RATING_WINDOW_DAYS": "45",
            "DYNAMODB_ENDPOINT": "",
            "YEAR_END_REMINDER_DAYS": "12-10,12-30",
            "WATCH_FREQUENCY_THRESHOLDS": '{"poor": 4}',
        }
    )
    assert (found.aws_region, found.notify_channels, found.rating_window_days) == ("cn-northwest-1", ("sms", "log"), 45)
    assert found.dynamodb_endpoint is None and found.year_end_reminder_days == ("12-10", "12-30")
    assert found.watch_frequency_thresholds == {"poor": 4}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"RATING_WINDOW_DAYS": "30天"}, "环境变量 RATING_WINDOW_DAYS 的值 '30天' 无效，应为：检查结束后可评价的天数（正整数）"),
        ({"RATING_MIN_ENTERPRISES": "0"}, "环境变量 RATING_MIN_ENTERPRISES 的值 '0' 无效"),
        (
            {"NOTIFY_CHANNELS": "sms,fax"},
            "环境变量 NOTIFY_CHANNELS 的值 'fax' 无效，应为：通知渠道，逗号分隔，取值 sms、email、log",
        ),
        ({"WATCH_FREQUENCY_THRESHOLDS": "good=3"}, "环境变量 WATCH_FREQUENCY_THRESHOLDS 的值 'good=3' 无效"),
        ({"WATCH_FREQUENCY_THRESHOLDS": '{"excellent": 2}'}, "环境变量 WATCH_FREQUENCY_THRESHOLDS 的值 'excellent' 无效"),
        ({"YEAR_END_REMINDER_DAYS": "12-01,02-30"}, "环境变量 YEAR_END_REMINDER_DAYS 的值 '02-30' 无效"),
        ({"TABLE_PREFIX": "sheqi prod"}, "环境变量 TABLE_PREFIX 的值 'sheqi prod' 无效"),
        ({"PUBLIC_CODE_URL": "sheqi.example.gov.cn/c/"}, "环境变量 PUBLIC_CODE_URL 的值 'sheqi.example.gov.cn/c/' 无效"),
        ({"NOTIFY_FROM": ""}, "NOTIFY_CHANNELS 启用了 email 渠道，须设置环境变量 NOTIFY_FROM"),
        ({"NOTIFY_CHANNELS": "log"}, "NOTIFY_CHANNELS 启用了 log 渠道，须设置环境变量 DELIVERY_LOG"),
        ({"EVIDENCE_BUCKET": ""}, "缺少环境变量 EVIDENCE_BUCKET（检查证据存储桶名称）"),
    ],
)
def test_a_bad_setting_is_named_in_chinese(variables, message):
    with pytest.raises(settings.SettingsError) as raised:
        settings.load({**REQUIRED, **variables})
    assert message in str(raised.value)


def test_every_bad_setting_is_named_at_once():
    with pytest.raises(settings.SettingsError) as raised:
        settings.load({"SCAN_LATE_DAYS": "-1"})
    named = [re.search(r"[A-Z][A-Z0-9_]+", line)[0] for line in str(raised.value).splitlines()[1:]]
    assert named == ["EVIDENCE_BUCKET", "REMINDER_RUNS_QUEUE_URL", "SUBSIDY_RUNS_QUEUE_URL", "SCAN_LATE_DAYS"]


def test_the_local_environment_is_valid_and_reset_reads_it_again(env):
    assert settings.load(config.environment(MOTO_PORT)).dynamodb_endpoint == f"http://127.0.0.1:{MOTO_PORT}"
    before = settings.get()
    assert settings.get() is before  # read once per container
    env(RATING_WINDOW_DAYS="7")
    assert settings.get().rating_window_days == 7


def test_every_handler_fails_its_cold_start_on_a_bad_setting():
    """Lambda imports the handler module at cold start: that import must fail, naming the variable."""
    handlers = sorted(
        p.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".") for p in ROOT.glob("functions/*/handler.py")
    )
    code = (
        "import importlib, json, sys; sys.path.insert(0, 'layers/python'); from sheqi.settings import SettingsError\n"
        "failed = {}\n"
        "for module in json.loads(sys.argv[1]):\n"
        "    try:\n        importlib.import_module(module)\n"
        "    except SettingsError as error:\n        failed[module] = str(error)\n"
        "print(json.dumps(failed, ensure_ascii=False))"
    )
    environment = {**config.environment(MOTO_PORT), "RATING_WINDOW_DAYS": "thirty", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(handlers)], capture_output=True, text=True, cwd=ROOT, env=environment, check=True
    ).stdout
    failed = json.loads(out)
    assert sorted(failed) == handlers
    assert all("环境变量 RATING_WINDOW_DAYS 的值 'thirty' 无效" in message for message in failed.values())
