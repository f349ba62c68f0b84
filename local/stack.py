"""The local stack: embedded DynamoDB (moto, persisted), tables from infra/, demo data, the
scan-in code posters, the local scheduler and the HTTP gateway. `make run` starts it."""

from __future__ import annotations

import signal
import sys

from . import config

config.configure()

from . import demo_data, dynamo  # noqa: E402  (both import sheqi, which reads the environment)
from .gateway import create_app  # noqa: E402
from .queues import Poller  # noqa: E402
from .scheduler import Scheduler  # noqa: E402


def write_codes() -> str:
    """The demo enterprises' QR codes and posters, for printing or scanning from a screen: drawn again
    only when the code's URL changed (a re-issued code, another SHEQI_BASE_URL), listed in urls.json."""
    import json

    from sheqi.registry import qr_image, registers
    from sheqi.rules import regions

    folder = config.DATA_DIR / "codes"
    folder.mkdir(parents=True, exist_ok=True)
    drawn_for = folder / "urls.json"
    drawn = json.loads(drawn_for.read_text()) if drawn_for.exists() else {}
    for spec in demo_data.ENTERPRISES:
        record = registers.get_enterprise(spec["enterprise_id"])
        url = registers.current_code(record)["url"]
        code, poster = folder / f"{record.enterprise_id}.png", folder / f"{record.enterprise_id}-poster.png"
        if drawn.get(record.enterprise_id) == url and code.exists() and poster.exists():
            continue
        code.write_bytes(qr_image.qr_png(url))
        poster.write_bytes(
            qr_image.poster(
                url, enterprise_name=record.name, uscc=record.enterprise_id, region_name=regions.name(record.region_code)
            )
        )
        drawn[record.enterprise_id] = url
    drawn_for.write_text(json.dumps(drawn, indent=1))
    return str(folder)


def main() -> int:
    journal = dynamo.Journal(config.DATA_DIR / "store")
    _server, endpoint = dynamo.start_server(config.DYNAMO_PORT, journal)
    journal.compact_while_running()
    dynamo.create_tables(endpoint)
    dynamo.create_queues(endpoint)
    dynamo.create_buckets(endpoint)
    dynamo.verify_sender(endpoint)
    created = demo_data.load()
    (config.DATA_DIR / "deliveries.log").touch()
    codes_dir = write_codes()
    Scheduler().start()
    Poller(endpoint).start()
    base = config.base_url()
    print(f"""
涉企行政检查 本地环境已启动
  接口地址：{base}   （数据库：{endpoint}，数据保存在 {config.DATA_DIR}，重启后仍在）
  演示数据：本次新建 {created} 条
  获取令牌：make token NAME=<身份>   （不带 NAME 列出全部身份）
  短信与邮件：发往 moto 模拟的 SNS/SES，并逐条记入 {config.DATA_DIR / "deliveries.log"}
  监督工作台：{config.base_url()}/console/   （用 judicial-zhangbei 等身份的令牌登录）
""")
    for name, (label, identity) in demo_data.IDENTITIES.items():
        print(f"    {name:<20} {identity.role:<15} {label}")
    example = demo_data.ENTERPRISES[0]["enterprise_id"]
    print(
        f"""  入企码与海报：{codes_dir}
  试一试：
    curl -H "Authorization: Bearer $(make -s token NAME=enterprise-1)" {base}/enterprises/{example}
    curl {base}/public/agencies/{demo_data.MARKET}/items
  按 Ctrl+C 停止。
""",
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a clean stop, like Ctrl+C
    try:
        create_app(log=lambda line: print(line, flush=True)).run(
            host=config.HOST, port=config.PORT, threaded=True, use_reloader=False
        )
    finally:
        if journal.writes:
            journal.compact()  # the next start loads one snapshot and replays nothing
    return 0


if __name__ == "__main__":
    sys.exit(main())
