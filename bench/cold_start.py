"""Cold import of every handler from the packaged artefacts, against bare `import boto3`, in one run.

Lays out the packaged layer and each packaged function as Lambda does (the task root, then the layer's
python/ on sys.path; both read-only, hence `-B`: nothing compiled at import is kept), and imports each
handler in a fresh process of the runtime's Python that has only the runtime's own libraries
(build/runtime), with the environment the generated template gives that function (CloudFormation
intrinsics replaced by values of their shape) and the variables Lambda itself sets. The first import of
each handler is the deploy smoke: it must succeed (the settings are validated at import), take botocore
from the runtime, and leave boto3 unloaded (a handler imports it only where it sends to S3, SQS, SNS or
SES). Then each handler's import alternates with a bare `import boto3` process; its ratio is the median
of its paired ratios of CPU time. Prints each ratio and the worst.

    python bench/cold_start.py                 packages first (scripts/package.sh), then 9 pairs per handler
    python bench/cold_start.py --packaged --quick --max-ratio 1.8   scripts/check-deploy.sh: 3 pairs, a bound

The machine is shared and noisy: compare ratios, not milliseconds, and only within one run. Where this
machine's processor is not the runtime's (arm64 Lambda, x86_64 here), the layer imported is its twin built
for this machine from the same lock (build/import-layer.zip; scripts/build.py checks that the two differ in
native code only).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts import build  # noqa: E402

RUNTIME_PYTHON = ROOT / "build/runtime/bin/python"


def load_state() -> dict:
    """The packaged service as osls recorded it, with its JSON references resolved."""
    state = json.loads((ROOT / ".serverless/serverless-state.json").read_text())

    def resolve(node):
        if isinstance(node, dict) and set(node) == {"$ref"}:
            target = state
            for key in re.findall(r'\["([^"]+)"\]', node["$ref"]):
                target = target[key]
            return resolve(target)
        return node

    service = state["service"]
    layers = resolve(service["layers"])
    service["layer_artifacts"] = [resolve(layer["package"])["artifact"] for layer in layers.values()]
    return service


def lambda_env(service: dict, name: str, task_root: Path) -> dict[str, str]:
    """The function's variables from the generated template, as Lambda would set them at import."""
    function = service["functions"][name]
    template = ROOT / ".serverless/cloudformation-template-update-stack.json"
    resources = json.loads(template.read_text())["Resources"]
    [properties] = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"]["Handler"] == function["handler"]
    ]

    def resolved(value):
        """What CloudFormation puts in the variable at deploy time, in shape (account and names made up),
        so the settings' validation at import sees a queue URL where the deployed function would."""
        if isinstance(value, str):
            return "placeholder-secret" if "{{resolve:" in value else value
        [(function, argument)] = value.items()
        logical, attribute = (argument, "Ref") if function == "Ref" else (argument + ["?"])[:2]
        kind = resources.get(logical, {}).get("Type", "")
        if kind == "AWS::SQS::Queue" and attribute in ("Ref", "QueueUrl"):
            return f"https://sqs.{region}.amazonaws.com.cn/000000000000/{logical}"
        if kind == "AWS::S3::Bucket" and attribute == "Ref":
            return logical.lower()
        if attribute == "Arn":
            return f"arn:aws-cn:{kind.split('::')[1].lower()}:{region}:000000000000:{logical}"
        return f"placeholder-{logical}".lower()

    region = service["provider"]["region"]
    variables = properties.get("Environment", {}).get("Variables", {})
    env = {key: resolved(value) for key, value in variables.items()}
    return env | {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": properties["FunctionName"],
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{properties['Runtime']}",
        "LAMBDA_TASK_ROOT": str(task_root),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PATH": "/usr/bin:/bin",
    }


def unpack(zip_path: str | Path, dest: Path) -> Path:
    with zipfile.ZipFile(ROOT / zip_path) as archive:
        archive.extractall(dest)
    return dest


class Handler:
    def __init__(self, service: dict, name: str, task_root: Path, layer: Path, version: str):
        self.name = name
        self.module, self.attr = service["functions"][name]["handler"].replace("/", ".").rsplit(".", 1)
        self.env = lambda_env(service, name, task_root)
        self.path = [str(task_root), str(layer / f"python/lib/python{version}/site-packages"), str(layer / "python")]

    def smoke(self) -> None:
        probe = (
            f"import sys, json; sys.path[:0] = {self.path!r}; import importlib, botocore\n"
            f"handler = getattr(importlib.import_module({self.module!r}), {self.attr!r})\n"
            f"print(json.dumps([callable(handler), botocore.__file__, 'boto3' in sys.modules]))"
        )
        done = subprocess.run([RUNTIME_PYTHON, "-I", "-B", "-c", probe], env=self.env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"函数 {self.name} 从打包产物导入失败：\n{done.stderr[-3000:]}")
        is_callable, botocore_file, boto3_loaded = json.loads(done.stdout.splitlines()[-1])
        if not is_callable:
            sys.exit(f"函数 {self.name} 的 {self.attr} 不可调用")
        if not botocore_file.startswith(str(RUNTIME_PYTHON.parent.parent)):
            sys.exit(f"函数 {self.name} 的 botocore 不是运行时自带的那份：{botocore_file}")
        if boto3_loaded:
            sys.exit(f"函数 {self.name} 导入时就加载了 boto3：只在用到 S3/SQS/SNS/SES 的地方再导入")

    def command(self) -> list:
        return [RUNTIME_PYTHON, "-I", "-B", "-c", f"import sys; sys.path[:0] = {self.path!r}; import {self.module}"]


def seconds(command: list, env: dict) -> float:
    """CPU seconds of the whole process: a cold start is CPU-bound, and CPU time, unlike wall time, barely
    moves when other work shares the machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packaged", action="store_true", help="use .serverless/ and build/ as they are")
    parser.add_argument("--quick", action="store_true", help="3 pairs per handler instead of 9")
    parser.add_argument("--max-ratio", type=float, help="fail if any handler's ratio exceeds this")
    args = parser.parse_args()
    if not args.packaged:
        subprocess.run(["bash", "scripts/package.sh"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    service = load_state()
    runtime = build.Runtime()
    [layer_zip] = service["layer_artifacts"]
    if (ROOT / layer_zip).resolve() != (build.BUILD / "layer.zip").resolve():
        sys.exit(f"打包的层 {layer_zip} 不是 scripts/build.py 构建并检查过的 build/layer.zip")
    layer_zip = build.import_layer_zip(runtime)
    pairs = 3 if args.quick else 9

    with tempfile.TemporaryDirectory(prefix="sheqi-lambda-") as tmp:
        layer = unpack(layer_zip, Path(tmp) / "opt")  # Lambda unpacks layers into /opt
        handlers = [
            Handler(service, name, unpack(fn["package"]["artifact"], Path(tmp) / "task" / name), layer, runtime.version)
            for name, fn in sorted(service["functions"].items())
        ]
        for handler in handlers:
            handler.smoke()
        bare = [RUNTIME_PYTHON, "-I", "-B", "-c", "import boto3"]
        print(
            f"冷启动导入基准（{runtime.name} {runtime.machine}，打包产物按 Lambda 的布局解开，只有运行时自带的库；"
            f"每个函数与裸 `import boto3` 交替各 {pairs} 次，取成对比值的中位数）"
        )
        print(f"  {'函数':<22}{'导入 CPU 毫秒':>12}{'boto3 CPU 毫秒':>14}{'比值':>8}")
        results = {}
        for handler in handlers:
            ratios, own, base = [], [], []
            for i in range(pairs):
                if i % 2:
                    own.append(seconds(handler.command(), handler.env))
                    base.append(seconds(bare, handler.env))
                else:
                    base.append(seconds(bare, handler.env))
                    own.append(seconds(handler.command(), handler.env))
                ratios.append(own[-1] / base[-1])
            results[handler.name] = statistics.median(ratios)
            print(
                f"  {handler.name:<22}{statistics.median(own) * 1000:>12.0f}{statistics.median(base) * 1000:>14.0f}"
                f"{results[handler.name]:>8.2f}"
            )
    worst = max(results, key=results.get)
    print(
        f"  中位数 {statistics.median(results.values()):.2f}，最差 {worst} {results[worst]:.2f}"
        + (f"（上限 {args.max_ratio}）" if args.max_ratio else "")
    )
    if args.max_ratio and results[worst] > args.max_ratio:
        sys.exit(f"冷启动导入超过上限：{worst} 为裸 import boto3 的 {results[worst]:.2f} 倍（上限 {args.max_ratio}）")


if __name__ == "__main__":
    main()
