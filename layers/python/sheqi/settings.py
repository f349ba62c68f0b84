"""The deployment's settings: one typed object read from the environment (serverless.yml sets it in
Lambda, local/config.configure locally) and validated as a whole at cold start. The store reads it as
it is imported, and every handler imports the store, so a bad value stops a function from starting,
with a message naming the variable, rather than failing a request later. Secrets (the signing
keyrings) are not settings: `signing.keyrings` reads them through `secrets`.

A msgspec Struct, as the request models are: each field says in its Annotated metadata (`Env`) which
variable it is read from and what a value must be.
"""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct, field

SERVICE = "sheqi"  # serverless.yml's service: the logger's and the metrics' `service`
URL = Meta(pattern=r"^https?://\S+$")
REGION = Meta(pattern=r"^[a-z]{2}(-[a-z]+)+-\d+$")
Positive = Annotated[int, Meta(gt=0)]
# A day of the year as MM-DD, 02-29 included.
MonthDay = Annotated[
    str,
    Meta(
        pattern=r"^((0[13578]|1[02])-(0[1-9]|[12]\d|3[01])|(0[469]|11)-(0[1-9]|[12]\d|30)"
        r"|02-(0[1-9]|[12]\d))$"
    ),
]


def _comma_list(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


class Env:
    """Annotated metadata of a setting: the variable it is read from (the first set, if several), what a
    value must be (in Chinese, for the error), and how its text is read before it is checked."""

    __slots__ = ("names", "description", "read")

    def __init__(self, names: str | tuple[str, ...], description: str, read: Callable[[str], object] = str):
        self.names = (names,) if isinstance(names, str) else names
        self.description, self.read = description, read


class Settings(Struct, frozen=True, kw_only=True):
    """Every variable the layer reads, with its default."""

    table_prefix: Annotated[
        str, Meta(pattern=r"^[A-Za-z0-9_.-]+$"), Env("TABLE_PREFIX", "DynamoDB 表名前缀（字母、数字、_ . -）")
    ] = "sheqi-local"
    aws_region: Annotated[str, REGION, Env(("AWS_REGION", "AWS_DEFAULT_REGION"), "AWS 区域，如 cn-north-1")] = "cn-north-1"
    dynamodb_endpoint: Annotated[str, URL, Env("DYNAMODB_ENDPOINT", "DynamoDB 地址（仅本地，http(s) 地址）")] | None = None
    s3_endpoint: Annotated[str, URL, Env("AWS_ENDPOINT_URL_S3", "S3 地址（仅本地，http(s) 地址）")] | None = None
    # Phones reach the store at another address than the functions (locally: through the gateway, at the base URL).
    s3_upload_endpoint: (
        Annotated[str, URL, Env("S3_UPLOAD_ENDPOINT", "手机上传证据的 S3 地址（仅本地，http(s) 地址）")] | None
    ) = None
    evidence_bucket: Annotated[str, Env("EVIDENCE_BUCKET", "检查证据存储桶名称")]
    reminder_runs_queue_url: Annotated[str, URL, Env("REMINDER_RUNS_QUEUE_URL", "提醒分区任务队列的 SQS 地址")]
    subsidy_runs_queue_url: Annotated[str, URL, Env("SUBSIDY_RUNS_QUEUE_URL", "补助测算任务队列的 SQS 地址")]
    public_code_url: Annotated[str, URL, Env("PUBLIC_CODE_URL", "入企码链接前缀（http(s) 地址）")] = (
        "https://sheqi.example.gov.cn/c/"
    )
    notify_channels: Annotated[
        tuple[Literal["sms", "email", "log"], ...],
        Env("NOTIFY_CHANNELS", "通知渠道，逗号分隔，取值 sms、email、log", _comma_list),
    ] = ("sms", "email")
    notify_from: (
        Annotated[str, Meta(pattern=r"^[^@\s]+@[^@\s]+$"), Env("NOTIFY_FROM", "通知邮件的发信地址（启用 email 渠道时必填）")]
        | None
    ) = None
    ses_region: Annotated[str, REGION, Env("SES_REGION", "发送邮件的 SES 区域（缺省为 AWS_REGION）")] | None = None
    delivery_log: Annotated[str, Env("DELIVERY_LOG", "送达记录文件路径（启用 log 渠道时必填）")] | None = None
    cjk_font: Annotated[str, Env("SHEQI_CJK_FONT", "中文字体文件路径")] | None = None
    watch_frequency_thresholds: Annotated[
        dict[Literal["good", "average", "poor"], Positive],
        Meta(min_length=1),
        Env(
            "WATCH_FREQUENCY_THRESHOLDS",
            'JSON 对象，信用等级（good、average、poor）对应年度检查次数阈值（正整数），如 {"good": 3, "average": 5, "poor": 8}',
            json.loads,
        ),
    ] = field(default_factory=lambda: {"good": 3, "average": 5, "poor": 8})
    complaint_stale_days: Annotated[Positive, Env("COMPLAINT_STALE_DAYS", "投诉久拖未决的天数（正整数）")] = 15
    rating_window_days: Annotated[Positive, Env("RATING_WINDOW_DAYS", "检查结束后可评价的天数（正整数）")] = 30
    rating_min_enterprises: Annotated[Positive, Env("RATING_MIN_ENTERPRISES", "公布季度评价所需的最少评价企业数（正整数）")] = 5
    scan_pairing_minutes: Annotated[Positive, Env("SCAN_PAIRING_MINUTES", "两名检查人员扫码配对的分钟数（正整数）")] = 30
    scan_late_days: Annotated[Positive, Env("SCAN_LATE_DAYS", "迟报扫码可受理的天数（正整数）")] = 10
    offsite_suffices_days: Annotated[Positive, Env("OFFSITE_SUFFICES_DAYS", "非现场检查无问题后免于常规入企的天数（正整数）")] = (
        90
    )
    revisit_window_days: Annotated[
        Positive, Env("REVISIT_WINDOW_DAYS", "同一机关再次入企检查其他事项报司法行政机关的天数（正整数，第十七条）")
    ] = 30
    reminder_upcoming_days: Annotated[Positive, Env("REMINDER_UPCOMING_DAYS", "到期前提醒的天数（正整数）")] = 3
    escalation_working_days: Annotated[Positive, Env("ESCALATION_WORKING_DAYS", "逾期后报请督办的工作日数（正整数）")] = 5
    year_end_reminder_days: Annotated[
        tuple[MonthDay, ...],
        Meta(min_length=1),
        Env("YEAR_END_REMINDER_DAYS", "年末提醒日期，逗号分隔的 月-日，如 12-01,12-15", _comma_list),
    ] = ("12-01", "12-15", "12-25", "12-31")
    certificate_warning_days: Annotated[Positive, Env("CERTIFICATE_WARNING_DAYS", "执法证到期前提醒的天数（正整数）")] = 30
    idempotency_days: Annotated[Positive, Env("IDEMPOTENCY_DAYS", "幂等键保留的天数（正整数，应长于离线补报的期限）")] = 30

    def __post_init__(self):
        for channel, variable, value in (("email", "NOTIFY_FROM", self.notify_from), ("log", "DELIVERY_LOG", self.delivery_log)):
            if channel in self.notify_channels and not value:
                raise ValueError(f"NOTIFY_CHANNELS 启用了 {channel} 渠道，须设置环境变量 {variable}")


class SettingsError(RuntimeError):
    """The environment holds a bad setting; the message names every bad variable, in Chinese."""


def _env(tp) -> Env:
    if typing.get_origin(tp) is Annotated:
        return next(m for m in tp.__metadata__ if isinstance(m, Env))
    return _env(typing.get_args(tp)[0])  # X | None


@cache
def _fields() -> list[tuple[msgspec.structs.FieldInfo, Env]]:
    return [(info, _env(info.type)) for info in msgspec.structs.fields(Settings)]


_OK = object()


def _refused(value, tp):
    """The part of `value` that is not a `tp` (an item of a list, a key or value of an object, or the
    whole), or _OK."""
    try:
        msgspec.convert(value, tp, strict=False)
        return _OK
    except msgspec.ValidationError:
        pass
    while typing.get_origin(tp) is Annotated or type(None) in typing.get_args(tp):
        tp = typing.get_args(tp)[0]
    args = typing.get_args(tp)
    if typing.get_origin(tp) is tuple and isinstance(value, list):
        return next((bad for item in value if (bad := _refused(item, args[0])) is not _OK), value)
    if typing.get_origin(tp) is dict and isinstance(value, dict):
        return next(
            (bad for key, item in value.items() for bad in (_refused(key, args[0]), _refused(item, args[1])) if bad is not _OK),
            value,
        )
    return value


def load(environ: Mapping[str, str]) -> Settings:
    """Settings from `environ`; an empty variable counts as unset."""
    values, problems = {}, []
    for info, env in _fields():
        variable, text = next(((n, environ[n]) for n in env.names if environ.get(n)), (env.names[0], None))
        if text is None:
            if info.required:
                problems.append(f"缺少环境变量 {variable}（{env.description}）")
            continue
        try:
            value = values[info.name] = env.read(text)
        except ValueError:
            value = text
        if (bad := _refused(value, info.type)) is not _OK:
            problems.append(f"环境变量 {variable} 的值 {bad!r} 无效，应为：{env.description}")
    if not problems:
        try:
            return msgspec.convert(values, Settings, strict=False)
        except msgspec.ValidationError as error:  # a rule across variables: its message says it all
            problems.append(str(error.__cause__ or error))
    raise SettingsError("环境变量设置有误：\n" + "\n".join(f"- {p}" for p in problems))


@cache
def get() -> Settings:
    """The settings of this container, read once (at cold start: see the module's docstring)."""
    return load(os.environ)


def reset() -> None:
    """Forget the settings read, so the next `get()` reads the environment again (tests, the local stack)."""
    get.cache_clear()
