"""The deployment's settings: one typed object read from the environment (serverless.yml sets it in
Lambda, local/config.configure locally) and validated as a whole at cold start. The store reads it as
it is imported, and every handler imports the store, so a bad value stops a function from starting,
with a message naming the variable, rather than failing a request later. Secrets (the signing
keyrings) are not settings: `signing.keyrings` reads them through `secrets`.

Plain pydantic over os.environ, not pydantic-settings: that package adds tens of milliseconds to a cold
start (dotenv, cloud secret sources) for nothing used here.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Json,
    PositiveInt,
    ValidationError,
    model_validator,
)

URL = r"^https?://\S+$"


def _comma_list(value):
    return tuple(v.strip() for v in value.split(",") if v.strip()) if isinstance(value, str) else value


def _month_day(value: str) -> str:
    date.fromisoformat(f"2024-{value}")   # a leap year, so 02-29 counts as a day
    return value


MonthDay = Annotated[str, Field(pattern=r"^\d{2}-\d{2}$"), AfterValidator(_month_day)]


def _env(name: str | AliasChoices, description: str, default=..., **constraints):
    return Field(default, validation_alias=name, description=description, **constraints)


class Settings(BaseModel):
    """Every variable the layer reads, with its default; `description` says what a value must be."""
    model_config = ConfigDict(frozen=True, extra="ignore")

    table_prefix: str = _env("TABLE_PREFIX", "DynamoDB 表名前缀（字母、数字、_ . -）", "sheqi-local",
                             pattern=r"^[A-Za-z0-9_.-]+$")
    aws_region: str = _env(AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"), "AWS 区域，如 cn-north-1", "cn-north-1",
                           pattern=r"^[a-z]{2}(-[a-z]+)+-\d+$")
    dynamodb_endpoint: str | None = _env("DYNAMODB_ENDPOINT", "DynamoDB 地址（仅本地，http(s) 地址）", None, pattern=URL)
    s3_endpoint: str | None = _env("AWS_ENDPOINT_URL_S3", "S3 地址（仅本地，http(s) 地址）", None, pattern=URL)
    evidence_bucket: str = _env("EVIDENCE_BUCKET", "检查证据存储桶名称")
    reminder_runs_queue_url: str = _env("REMINDER_RUNS_QUEUE_URL", "提醒分区任务队列的 SQS 地址", pattern=URL)
    subsidy_runs_queue_url: str = _env("SUBSIDY_RUNS_QUEUE_URL", "补助测算任务队列的 SQS 地址", pattern=URL)
    public_code_url: str = _env("PUBLIC_CODE_URL", "入企码链接前缀（http(s) 地址）", "https://sheqi.example.gov.cn/c/",
                                pattern=URL)
    notify_channels: Annotated[tuple[Literal["sms", "email", "log"], ...], BeforeValidator(_comma_list)] = _env(
        "NOTIFY_CHANNELS", "通知渠道，逗号分隔，取值 sms、email、log", ("sms", "email"))
    notify_from: str | None = _env("NOTIFY_FROM", "通知邮件的发信地址（启用 email 渠道时必填）", None,
                                   pattern=r"^[^@\s]+@[^@\s]+$")
    ses_region: str | None = _env("SES_REGION", "发送邮件的 SES 区域（缺省为 AWS_REGION）", None,
                                  pattern=r"^[a-z]{2}(-[a-z]+)+-\d+$")
    delivery_log: str | None = _env("DELIVERY_LOG", "送达记录文件路径（启用 log 渠道时必填）", None)
    cjk_font: str | None = _env("SHEQI_CJK_FONT", "中文字体文件路径", None)
    watch_frequency_thresholds: Json[dict[Literal["good", "average", "poor"], PositiveInt]] = _env(
        "WATCH_FREQUENCY_THRESHOLDS", 'JSON 对象，信用等级（good、average、poor）对应年度检查次数阈值（正整数），'
        '如 {"good": 3, "average": 5, "poor": 8}', {"good": 3, "average": 5, "poor": 8}, min_length=1)
    complaint_stale_days: PositiveInt = _env("COMPLAINT_STALE_DAYS", "投诉久拖未决的天数（正整数）", 15)
    rating_window_days: PositiveInt = _env("RATING_WINDOW_DAYS", "检查结束后可评价的天数（正整数）", 30)
    rating_min_enterprises: PositiveInt = _env("RATING_MIN_ENTERPRISES", "公布季度评价所需的最少评价企业数（正整数）", 5)
    scan_pairing_minutes: PositiveInt = _env("SCAN_PAIRING_MINUTES", "两名检查人员扫码配对的分钟数（正整数）", 30)
    scan_late_days: PositiveInt = _env("SCAN_LATE_DAYS", "迟报扫码可受理的天数（正整数）", 10)
    offsite_suffices_days: PositiveInt = _env("OFFSITE_SUFFICES_DAYS", "非现场检查无问题后免于常规入企的天数（正整数）", 90)
    reminder_upcoming_days: PositiveInt = _env("REMINDER_UPCOMING_DAYS", "到期前提醒的天数（正整数）", 3)
    escalation_working_days: PositiveInt = _env("ESCALATION_WORKING_DAYS", "逾期后报请督办的工作日数（正整数）", 5)
    year_end_reminder_days: Annotated[tuple[MonthDay, ...], BeforeValidator(_comma_list)] = _env(
        "YEAR_END_REMINDER_DAYS", "年末提醒日期，逗号分隔的 月-日，如 12-01,12-15", ("12-01", "12-15", "12-25", "12-31"),
        min_length=1)
    certificate_warning_days: PositiveInt = _env("CERTIFICATE_WARNING_DAYS", "执法证到期前提醒的天数（正整数）", 30)

    @model_validator(mode="after")
    def _channel_needs(self) -> Settings:
        for channel, variable, value in (("email", "NOTIFY_FROM", self.notify_from), ("log", "DELIVERY_LOG", self.delivery_log)):
            if channel in self.notify_channels and not value:
                raise ValueError(f"NOTIFY_CHANNELS 启用了 {channel} 渠道，须设置环境变量 {variable}")
        return self


_DESCRIPTIONS = {name: field.description
                 for field in Settings.model_fields.values()
                 for name in (field.validation_alias.choices if isinstance(field.validation_alias, AliasChoices)
                              else [field.validation_alias])}


class SettingsError(RuntimeError):
    """The environment holds a bad setting; the message names every bad variable, in Chinese."""


def _problem(error: Mapping[str, Any]) -> str:
    if not error["loc"]:   # a rule across variables: its message says it all
        return str(error["ctx"]["error"])
    name = error["loc"][0]
    if error["type"] == "missing":
        return f"缺少环境变量 {name}（{_DESCRIPTIONS[name]}）"
    return f"环境变量 {name} 的值 {error['input']!r} 无效，应为：{_DESCRIPTIONS[name]}"


def load(environ: Mapping[str, str]) -> Settings:
    """Settings from `environ`; an empty variable counts as unset."""
    try:
        return Settings.model_validate({k: v for k, v in environ.items() if v != ""})
    except ValidationError as error:
        problems = list(dict.fromkeys(_problem(e) for e in error.errors()))
        raise SettingsError("环境变量设置有误：\n" + "\n".join(f"- {p}" for p in problems)) from None


@lru_cache(maxsize=1)
def get() -> Settings:
    """The settings of this container, read once (at cold start: see the module's docstring)."""
    return load(os.environ)


def reset() -> None:
    """Forget the settings read, so the next `get()` reads the environment again (tests, the local stack)."""
    get.cache_clear()
