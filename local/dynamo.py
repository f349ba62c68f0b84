"""The embedded DynamoDB: moto in server mode on 127.0.0.1, tables made from infra/tables.yml.

Persistence (`Journal`): a snapshot of moto's whole state (DynamoDB, S3 with its version ids, SQS,
SES) plus a log of the writes answered since. Every write is appended to the log before its answer
leaves the server, so a kill -9 loses nothing acknowledged; reads are never logged. A start loads the
snapshot and replays the log; compaction (at start, on a timer and at a clean stop) folds the log into
a new snapshot, so a restart costs what the data holds, not the requests ever made. `make reset`
deletes it all.
"""

from __future__ import annotations

import base64
import copyreg
import gc
import io
import json
import logging
import os
import pickle
import threading
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
import yaml

from .config import ROOT, TABLE_PREFIX

_CREATE_KEYS = (
    "TableName",
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "BillingMode",
)


def infra_resources(file: str, prefix: str = TABLE_PREFIX) -> dict[str, dict]:
    """The Resources of an infra/ file, with the names the local stack gives them."""
    text = (ROOT / "infra" / file).read_text().replace("${self:custom.tablePrefix}", prefix)
    return yaml.safe_load(text)["Resources"]


def table_definitions(prefix: str = TABLE_PREFIX) -> dict[str, dict]:
    """CreateTable arguments for each AWS::DynamoDB::Table in infra/tables.yml, keyed by logical id."""
    resources = infra_resources("tables.yml", prefix)
    return {
        name: {k: v for k, v in res["Properties"].items() if k in _CREATE_KEYS}
        for name, res in resources.items()
        if res["Type"] == "AWS::DynamoDB::Table"
    }


def create_queues(endpoint: str, prefix: str = TABLE_PREFIX) -> list[str]:
    """The SQS queues of infra/queues.yml, dead-letter queues first so redrive policies can name them."""
    resources = infra_resources("queues.yml", prefix)
    client = boto3.client(
        "sqs", endpoint_url=endpoint, region_name="cn-north-1", aws_access_key_id="local", aws_secret_access_key="local"
    )
    arns, urls = {}, []
    for name, res in sorted(resources.items(), key=lambda item: "RedrivePolicy" in item[1]["Properties"]):
        props = res["Properties"]
        attributes = {"VisibilityTimeout": str(props.get("VisibilityTimeout", 30))}
        if "RedrivePolicy" in props:
            target = props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": arns[target], "maxReceiveCount": props["RedrivePolicy"]["maxReceiveCount"]}
            )
        url = client.create_queue(QueueName=props["QueueName"], Attributes=attributes)["QueueUrl"]
        arns[name] = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        urls.append(url)
    return urls


def bucket_names(prefix: str = TABLE_PREFIX) -> dict[str, str]:
    """Local names of the S3 buckets of infra/storage.yml (CloudFormation names them in AWS):
    EvidenceBucket is `<prefix>-evidence`."""
    return {
        name: f"{prefix}-{name.removesuffix('Bucket').lower()}"
        for name, res in infra_resources("storage.yml", prefix).items()
        if res["Type"] == "AWS::S3::Bucket"
    }


def create_buckets(endpoint: str, prefix: str = TABLE_PREFIX) -> list[str]:
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="cn-north-1", aws_access_key_id="local", aws_secret_access_key="local"
    )
    existing = {b["Name"] for b in client.list_buckets()["Buckets"]}
    created = []
    for name in bucket_names(prefix).values():
        if name not in existing:
            client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
            client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            created.append(name)
    return created


def verify_sender(endpoint: str) -> None:
    """SES sends only from a verified address: the local stack's is verified in moto."""
    from .config import NOTIFY_FROM, SES_REGION

    boto3.client(
        "ses", endpoint_url=endpoint, region_name=SES_REGION, aws_access_key_id="local", aws_secret_access_key="local"
    ).verify_email_identity(EmailAddress=NOTIFY_FROM)


def create_tables(endpoint: str, prefix: str = TABLE_PREFIX) -> list[str]:
    client = boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name="cn-north-1", aws_access_key_id="local", aws_secret_access_key="local"
    )
    existing = set(client.list_tables()["TableNames"])
    created = []
    for spec in table_definitions(prefix).values():
        if spec["TableName"] not in existing:
            client.create_table(**spec)
            created.append(spec["TableName"])
    return created


# One request at a time: moto checks a write's condition and applies it in two Python steps, so
# concurrent requests could both pass a condition DynamoDB would let only one pass. Holding this lock
# per request gives the atomicity the production store has; snapshots are taken between requests.
_LOCK = threading.Lock()


def snapshot() -> bytes:
    """moto's whole state, every service in use, as bytes (take it between requests: hold _LOCK)."""
    from moto.core.base_backend import BackendDict
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    state = {bd.service_name: {account: dict(regions) for account, regions in bd.items()} for bd in BackendDict._instances}
    reducers = copyreg.dispatch_table.copy()
    # Locks and conditions (SQS long polls) come back new; an item's attributes come back without
    # LimitedSizeDict re-checking its size on every key (checked when written; O(n^2) per item).
    reducers.update(
        {
            threading.Condition: lambda _: (threading.Condition, ()),
            type(threading.Lock()): lambda _: (threading.Lock, ()),
            type(threading.RLock()): lambda _: (threading.RLock, ()),
            LimitedSizeDict: lambda attrs: (copyreg.__newobj__, (LimitedSizeDict,), dict(attrs), None, None, dict.update),
        }
    )
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = reducers
    pickler.dump(state)
    return buffer.getvalue()


def restore(data: bytes) -> None:
    """Put moto back in the state `snapshot` returned: one call, whatever the tables hold."""
    from moto.backends import get_backend
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    gc.disable()  # unpickling makes many objects at once: no collections in between
    try:
        state = pickle.loads(data)
    finally:
        gc.enable()
    with _LOCK:
        reset_model_data()  # moto's list of every model object made, kept for its dashboard, as /moto-api/reset does
        for bd in BackendDict._instances:
            for regions in bd.values():  # each account's backends go; the accounts stay (cheaper than new ones)
                regions.clear()
        for service, accounts in state.items():
            backends = get_backend(service)
            for account, regions in accounts.items():
                backends[account].update(regions)


# Requests that change nothing are not logged: reads, and the queue calls a replay could not repeat
# (receipt handles are new on every receive; a message received after the snapshot comes back after a
# crash, which the workers tolerate).
_READS = ("Get", "BatchGet", "Query", "Scan", "Describe", "List", "TransactGet", "Receive")
_UNREPLAYABLE = ("DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch")


def _changes_state(environ: dict, body: bytes) -> bool:
    target = environ.get("HTTP_X_AMZ_TARGET")  # JSON protocols: DynamoDB, SQS
    if target:
        action = target.rpartition(".")[2]
    elif environ.get("PATH_INFO") == "/" and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]  # query protocol: SES, SNS
    else:
        return environ["REQUEST_METHOD"] not in ("GET", "HEAD", "OPTIONS")  # S3's REST
    return not action.startswith(_READS) and action not in _UNREPLAYABLE


class Journal:
    """The local store on disk: `snapshot.pickle` (moto's state, and the generation of the log that
    follows it) and `writes-<generation>.jsonl` (each answered write: method, URL, headers, body, and
    the S3 version id it was given, so a replay gives the object the same one)."""

    COMPACT_EVERY = 300  # seconds between compactions while writes come in

    def __init__(self, folder: Path):
        self.folder = folder
        self.generation, self.writes, self.file = 0, 0, None
        self._compacting = threading.Lock()

    def _log(self, generation: int) -> Path:
        return self.folder / f"writes-{generation:06d}.jsonl"

    def load(self, app) -> None:
        """Restore the snapshot, replay the writes after it, and fold them into a new snapshot."""
        import moto

        self.folder.mkdir(parents=True, exist_ok=True)
        snap = self.folder / "snapshot.pickle"
        if snap.exists():
            saved = pickle.loads(snap.read_bytes())
            try:
                restore(saved["state"])
            except Exception as error:
                raise RuntimeError(
                    f"本地数据由 moto {saved['moto']} 保存，当前 moto {moto.__version__} 无法读取：请安装 "
                    f"moto=={saved['moto']}，或 make reset 清空本地数据"
                ) from error
            self.generation = saved["generation"]
        replayed = 0
        legacy = self.folder.parent / LEGACY_RECORDING
        if legacy.exists() and not snap.exists():  # an older version's recording (every request), replayed once
            replayed += _replay(app, legacy)
        logs = {int(path.stem.partition("-")[2]): path for path in self.folder.glob("writes-*.jsonl")}
        for generation in sorted(g for g in logs if g >= self.generation):
            replayed += _replay(app, logs[generation])
        # A compaction cut short (killed before its snapshot landed) leaves a log newer than the snapshot:
        # writes go on after the newest log, so the next compaction's log is a new, empty one.
        self.generation = max([self.generation, *logs])
        self.file = self._log(self.generation).open("a", encoding="utf-8")
        if replayed or legacy.exists():
            self.compact()

    def append(self, entry: dict) -> None:
        """Called under _LOCK, before the write's answer is sent: flushed to the OS, it survives a kill -9."""
        self.file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.file.flush()
        self.writes += 1

    def compact(self) -> None:
        """Snapshot the state and start a new log; the old log and snapshot go once the new one is on disk."""
        import moto

        with self._compacting:
            with _LOCK:
                state = snapshot()
                self.generation += 1
                self.file.close()
                self.file, self.writes = self._log(self.generation).open("a", encoding="utf-8"), 0
            temp = self.folder / "snapshot.pickle.tmp"
            with temp.open("wb") as out:
                pickle.dump({"generation": self.generation, "moto": moto.__version__, "state": state}, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.folder / "snapshot.pickle")
            for path in self.folder.glob("writes-*.jsonl"):
                if int(path.stem.partition("-")[2]) < self.generation:
                    path.unlink()
            (self.folder.parent / LEGACY_RECORDING).unlink(missing_ok=True)

    def compact_while_running(self) -> None:
        """Compact every COMPACT_EVERY seconds that saw a write (a daemon thread)."""

        def run() -> None:
            while not stopped.wait(self.COMPACT_EVERY):
                if self.writes:
                    self.compact()

        stopped = threading.Event()
        threading.Thread(target=run, daemon=True, name="store-compaction").start()


LEGACY_RECORDING = "dynamodb-recording.jsonl"  # moto's recorder's log, kept by versions before the journal


def _replay(app, path: Path) -> int:
    """Send each logged request to the app, in-process; a last line cut short by a kill -9 was never answered."""
    from werkzeug.test import Client

    client, count = Client(app), 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                if lines.readline():
                    raise
                break
            body = base64.b64decode(entry["body"]) if entry.get("body_encoded") else (entry.get("body") or "").encode()
            headers = {k: v for k, v in entry["headers"].items() if k.lower() not in ("transfer-encoding", "content-length")}
            url = urlsplit(entry["url"])
            client.open(url.path, query_string=url.query, method=entry["method"], headers=headers, data=body).close()
            if entry.get("version_id"):
                _pin_version(url.path, entry["version_id"])
            count += 1
    return count


def _pin_version(path: str, version_id: str) -> None:
    """Give the object the replayed request just wrote the version id S3 answered with the first time."""
    from moto.s3.models import s3_backends

    bucket, _, key = unquote(path).lstrip("/").partition("/")
    for _account, _partition, backend in s3_backends.iter_backends():
        if bucket in backend.buckets:
            backend.buckets[bucket].keys.getlist(key)[-1]._version_id = version_id


class _Serialized:
    """The store's WSGI app behind _LOCK; with a journal, each answered write is logged before its answer."""

    def __init__(self, app, journal: Journal | None):
        self.app, self.journal = app, journal

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/moto-api/"):
            # Control calls (reset, seed) are not the data's, and never wait on a request.
            return self.app(environ, start_response)
        if self.journal is None:
            with _LOCK:
                return list(self.app(environ, start_response))
        from werkzeug.datastructures import EnvironHeaders
        from werkzeug.wsgi import get_input_stream

        body = get_input_stream(environ).read()
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        answer = {}

        def keep(status, headers, exc_info=None):
            answer.update(status=status, headers=dict(headers))
            return start_response(status, headers, exc_info)

        with _LOCK:
            chunks = list(self.app(environ, keep))  # the answer is sent only after this returns
            if answer["status"].startswith("2") and _changes_state(environ, body):
                query = environ.get("QUERY_STRING", "")
                entry = {
                    "method": environ["REQUEST_METHOD"],
                    "headers": dict(EnvironHeaders(environ)),
                    "url": environ.get("RAW_URI") or environ.get("PATH_INFO", "/") + (f"?{query}" if query else ""),
                    "body": base64.b64encode(body).decode("ascii"),
                    "body_encoded": True,
                }
                if "versionId" not in parse_qs(query) and "x-amz-version-id" in answer["headers"]:
                    entry["version_id"] = answer["headers"]["x-amz-version-id"]
                self.journal.append(entry)
        return chunks


def _quicker_moto() -> None:
    """On every request moto lists its own package's folders (to tell a service from the Host header) and
    inspects the response class's methods; neither changes while it runs, so each is done once."""
    import functools

    from moto import backends
    from moto.core import responses

    if not isinstance(responses.method_names_from_class, functools._lru_cache_wrapper):
        modules = frozenset(backends.list_of_moto_modules())
        backends.list_of_moto_modules = lambda: modules
        responses.method_names_from_class = functools.lru_cache(maxsize=None)(responses.method_names_from_class)


def start_server(port: int, journal: Journal | None = None) -> tuple[object, str]:
    """Start moto on 127.0.0.1:port; with a journal, load it first and log every write to it.
    Returns the werkzeug server (call .shutdown() to stop) and the endpoint URL."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    _quicker_moto()
    app = DomainDispatcherApplication(create_backend_app)
    if journal is not None:
        journal.load(app)
    server = make_server("127.0.0.1", port, _Serialized(app, journal), threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True, name="moto-dynamodb").start()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto and the gateway share it; the gateway logs its own lines
    return server, f"http://127.0.0.1:{port}"


def server_process(port: int, data_dir: Path | None = None):
    """The store in a process of its own (benchmarks: so it does not share this process's GIL), answering
    on `port` when this returns, with the seconds its start took as `.load_seconds`. It ends when this
    process does, however this one ends: it reads its standard input, which closes with this process."""
    import subprocess
    import sys

    args = [sys.executable, "-m", "local.dynamo", str(port)] + ([str(data_dir)] if data_dir else [])
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, text=True)
    ready = process.stdout.readline()  # printed once it answers
    if not ready.startswith("ready "):
        process.kill()
        raise RuntimeError(f"moto 服务器未能在端口 {port} 启动")
    process.load_seconds = float(ready.split()[1])
    return process


def start_server_process(port: int) -> str:
    """server_process, stopped when this process exits; returns the endpoint."""
    import atexit

    process = server_process(port)
    atexit.register(process.kill)
    return f"http://127.0.0.1:{port}"


def count_calls(models, counter) -> None:
    """Count every DynamoDB call the models' clients make, by operation (botocore's before-call hook)."""
    for model in models:
        model._get_connection().connection.client.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: counter.update([model.name])
        )


def raw_pair_seconds(endpoint: str, table: str, pairs: int) -> float:
    """Seconds per raw PutItem + consistent GetItem on the server: the baseline benchmarks report against."""
    import time

    client = boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name="cn-north-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    started = time.perf_counter()
    for n in range(pairs):
        key = {"tally_key": {"S": f"bench#{n}"}}
        client.put_item(TableName=table, Item={**key, "count": {"N": "1"}})
        client.get_item(TableName=table, Key=key, ConsistentRead=True)
    return (time.perf_counter() - started) / pairs


def _serve(argv: list[str]) -> None:
    """`python -m local.dynamo PORT [DATA_DIR]`: the store alone, until standard input closes (then,
    with a data folder, a clean stop: compacted)."""
    import sys
    import time

    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    for service in ("dynamodb", "s3", "sqs", "ses", "sns", "iam"):  # imported (and their regions listed) before the clock starts
        get_backend(service)[DEFAULT_ACCOUNT_ID]
    started = time.perf_counter()
    journal = Journal(Path(argv[1]) / "store") if len(argv) > 1 else None
    start_server(int(argv[0]), journal)
    print(f"ready {time.perf_counter() - started:.4f}", flush=True)
    sys.stdin.read()
    if journal is not None and journal.writes:
        journal.compact()


if __name__ == "__main__":
    import sys

    from local import dynamo  # the module itself, not this __main__ copy: what a snapshot refers to is local.dynamo's

    dynamo._serve(sys.argv[1:])
