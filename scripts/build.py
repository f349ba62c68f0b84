"""Builds what a deploy ships, for the Lambda runtime and architecture serverless.yml names, from the one
lock (requirements.txt) the test environment also installs; then checks that what it built is what was tested.

    python scripts/build.py        build the artefacts below and check them (scripts/check-deploy.sh runs it)
    python scripts/build.py lock   resolve requirements.in into requirements.txt for the runtime's platform

build/layer.zip           python/: sheqi and the locked packages the runtime lacks, for the runtime's platform,
                          with bytecode of the runtime's Python version. Unchecked-hash .pyc files: the layer
                          is read-only, so Lambda could never write a fresh one, and never needs to check one.
build/functions/<f>.zip   each function's folder, with its bytecode likewise
build/import-layer.zip    the same layer for this machine's platform when that differs (arm64 Lambda, x86_64
                          CI): native code only loads on its own processor; everything else is checked equal
build/runtime/            a venv of the runtime's Python holding only what the runtime provides (RUNTIME_LIBS)
"""

from __future__ import annotations

import glob
import hashlib
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
LOCK = ROOT / "requirements.txt"
REQUIREMENTS = ROOT / "requirements.in"
# boto3 and what it needs ship with every Python runtime, compiled; a copy in the layer would come first on
# the path and replace them (a vendored botocore alone doubles `import boto3`).
RUNTIME_LIBS = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
GLIBC = {"3.12": "2_34", "3.13": "2_34"}  # python3.12 and later run on Amazon Linux 2023 (glibc 2.34)
MACHINE = {"arm64": "aarch64", "x86_64": "x86_64"}
ELF_MACHINE = {"aarch64": 183, "x86_64": 62}
PYC_UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked


def fail(message: str) -> None:
    sys.exit(f"部署构建检查未通过：{message}")


class Runtime:
    """The Lambda runtime a service's serverless.yml asks for."""

    def __init__(self):
        provider = yaml.safe_load((ROOT / "serverless.yml").read_text())["provider"]
        self.name = provider["runtime"]  # python3.13
        self.version = self.name.removeprefix("python")  # 3.13
        self.machine = MACHINE[provider.get("architecture", "x86_64")]
        if self.version not in GLIBC:
            fail(f"scripts/build.py 不认识运行时 {self.name} 的 glibc 版本")
        self.platform = f"{self.machine}-manylinux_{GLIBC[self.version]}"
        self.host_platform = f"{platform.machine()}-manylinux_{GLIBC[self.version]}"
        self.python = find_python(self.version)
        magic, self.cache_tag = run(
            [self.python, "-c", "import importlib.util as u, sys; print(u.MAGIC_NUMBER.hex(), sys.implementation.cache_tag)"]
        ).split()
        self.magic = bytes.fromhex(magic)


def run(command: list, **kwargs) -> str:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    if done.returncode:
        fail(f"{' '.join(map(str, command))}\n{done.stdout}{done.stderr}")
    return done.stdout


def find_python(version: str) -> str:
    """An interpreter of the runtime's Python version: bytecode is only valid for the version that wrote it."""
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = [
        os.environ.get("SHEQI_RUNTIME_PYTHON"),
        shutil.which(f"python{version}"),
        *sorted(glob.glob(f"{pyenv}/versions/{version}.*/bin/python{version}"), reverse=True),
    ]
    for candidate in filter(None, candidates):
        found = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True
        )
        if found.returncode == 0 and found.stdout.strip() == version:
            return candidate
    fail(f"找不到 Python {version}（Lambda 运行时的版本，编译字节码要用它）；可用 SHEQI_RUNTIME_PYTHON 指定解释器")


def uv(*args, **kwargs) -> str:
    return run([sys.executable, "-m", "uv", *args, "--quiet"], **kwargs)


# --- the lock ----------------------------------------------------------------------------------


def pins() -> dict[str, tuple[str, str]]:
    """Name -> (version, its lock entry with hashes), from requirements.txt."""
    entries, name = {}, None
    for line in LOCK.read_text().splitlines():
        if match := re.match(r"([A-Za-z0-9._-]+)==(\S+)", line):
            name = canonicalize_name(match[1])
            entries[name] = (match[2], line)
        elif line.startswith(" ") and name and not line.lstrip().startswith("#"):
            entries[name] = (entries[name][0], f"{entries[name][1]}\n{line}")
        else:
            name = None
    return entries


def write_pins(path: Path, names) -> Path:
    locked = pins()
    path.write_text("".join(locked[n][1] + "\n" for n in sorted(names)))
    return path


def lock(rt: Runtime) -> None:
    uv(
        "pip",
        "compile",
        "requirements.in",
        "--python-platform",
        rt.platform,
        "--python-version",
        rt.version,
        "--only-binary",
        ":all:",
        "--generate-hashes",
        "--output-file",
        "requirements.txt",
        cwd=ROOT,
    )
    print(f"requirements.txt 已为 {rt.name}（{rt.platform}）重新解析")


# --- building ----------------------------------------------------------------------------------


def compile_bytecode(rt: Runtime, stage: Path, shown_as: str) -> None:
    run(
        [
            rt.python,
            "-m",
            "compileall",
            "-q",
            "-f",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            "-s",
            stage,
            "-p",
            shown_as,
            stage,
        ]
    )


def zip_dir(stage: Path, dest: Path) -> Path:
    """Same bytes for the same files (fixed times, sorted), so an unchanged layer is not uploaded again."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(p for p in stage.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(stage).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return dest


def build_layer(rt: Runtime, target_platform: str, stage: Path) -> Path:
    shutil.rmtree(stage, ignore_errors=True)
    requirements = write_pins(BUILD / "layer-requirements.txt", set(pins()) - RUNTIME_LIBS)
    uv(
        "pip",
        "install",
        "--python",
        rt.python,
        "--target",
        stage / "python",
        "--python-platform",
        target_platform,
        "--python-version",
        rt.version,
        "--only-binary",
        ":all:",
        "--no-deps",
        "--require-hashes",
        "--requirement",
        requirements,
    )
    shutil.rmtree(stage / "python" / "bin", ignore_errors=True)  # console scripts: nothing runs them
    shutil.copytree(ROOT / "layers/python/sheqi", stage / "python/sheqi", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    compile_bytecode(rt, stage, "/opt")
    return zip_dir(stage, stage.with_suffix(".zip"))


def functions() -> dict[str, str]:
    """Function name -> its folder (functions/<x>), from serverless.yml."""
    spec = yaml.safe_load((ROOT / "serverless.yml").read_text())["functions"]
    return {name: str(Path(fn["handler"]).parent) for name, fn in spec.items()}


def build_functions(rt: Runtime) -> None:
    shutil.rmtree(BUILD / "functions", ignore_errors=True)
    for name, folder in functions().items():
        stage = BUILD / "functions" / name
        shutil.copytree(ROOT / folder, stage / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        compile_bytecode(rt, stage, "/var/task")
        zip_dir(stage, stage.with_suffix(".zip"))


def build_runtime_env(rt: Runtime, venv: Path = BUILD / "runtime") -> Path:
    """The runtime's Python with only the runtime's own libraries, compiled as the runtime has them."""
    shutil.rmtree(venv, ignore_errors=True)
    uv("venv", "--python", rt.python, venv)
    uv(
        "pip",
        "install",
        "--python",
        venv / "bin/python",
        "--no-deps",
        "--require-hashes",
        "--compile-bytecode",
        "--requirement",
        write_pins(BUILD / "runtime-requirements.txt", RUNTIME_LIBS),
    )
    return venv / "bin/python"


def import_layer_zip(rt: Runtime) -> Path:
    """The layer zip this machine can import: the shipped one, or its twin for this machine's processor."""
    return BUILD / ("layer.zip" if platform.machine() == rt.machine else "import-layer.zip")


def build(rt: Runtime) -> None:
    BUILD.mkdir(exist_ok=True)
    build_layer(rt, rt.platform, BUILD / "layer")
    if platform.machine() != rt.machine:
        build_layer(rt, rt.host_platform, BUILD / "import-layer")
    build_functions(rt)
    build_runtime_env(rt)


# --- checking ----------------------------------------------------------------------------------


def check_lock(rt: Runtime) -> dict[str, str]:
    text, locked = LOCK.read_text(), {n: v for n, (v, _) in pins().items()}
    if f"--python-platform {rt.platform}" not in text or f"--python-version {rt.version}" not in text:
        fail(f"requirements.txt 不是为 {rt.name}（{rt.platform}）解析的：运行 python scripts/build.py lock")
    for line in REQUIREMENTS.read_text().splitlines():
        if line.split("#")[0].strip():
            wanted = Requirement(line.split("#")[0])
            have = locked.get(canonicalize_name(wanted.name))
            if have is None or not wanted.specifier.contains(have, prereleases=True):
                fail(f"requirements.txt 不满足 requirements.in 的 {wanted}：运行 python scripts/build.py lock")
    tested = {}
    for name in locked:
        try:
            tested[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            tested[name] = "未安装"
    drift = [f"{n} 锁定 {v}，测试环境 {tested[n]}" for n, v in sorted(locked.items()) if tested[n] != v]
    if drift:
        fail("测试环境与锁定版本不一致（运行 make setup）：" + "；".join(drift))
    return locked


def check_layer(rt: Runtime, zip_path: Path, machine: str, locked: dict[str, str]) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(zip_path)
    shipped = {}
    for name in archive.namelist():
        if re.fullmatch(r"python/[^/]+\.dist-info/METADATA", name):
            meta = archive.read(name).decode()
            shipped[canonicalize_name(re.search(r"^Name: (.+)$", meta, re.M)[1])] = re.search(r"^Version: (.+)$", meta, re.M)[1]
    wanted = {n: v for n, v in locked.items() if n not in RUNTIME_LIBS}
    if shipped != wanted:
        extra = sorted(set(shipped.items()) - set(wanted.items()))
        missing = sorted(set(wanted.items()) - set(shipped.items()))
        fail(f"{zip_path.name} 的包与锁定版本不一致：多出 {extra}，缺少 {missing}")
    for name in archive.namelist():
        if re.search(r"\.so(\.|$)", name):
            header = archive.read(name)[:20]
            if header[:4] != b"\x7fELF" or int.from_bytes(header[18:20], "little") != ELF_MACHINE[machine]:
                fail(f"{zip_path.name} 中的 {name} 不是 {machine} 的程序")
    check_bytecode(rt, archive, zip_path.name)
    return archive


def check_bytecode(rt: Runtime, archive: zipfile.ZipFile, label: str) -> None:
    """Every module has bytecode of the runtime's Python, unchecked-hash; no bytecode of any other version."""
    names = set(archive.namelist())
    for name in names:
        if name.endswith(".pyc"):
            header = archive.read(name)[:8]
            if f".{rt.cache_tag}." not in name or header[:4] != rt.magic:
                fail(f"{label} 中的 {name} 不是 {rt.name} 的字节码（magic {header[:4].hex()}，应为 {rt.magic.hex()}）")
            if int.from_bytes(header[4:8], "little") != PYC_UNCHECKED_HASH:
                fail(f"{label} 中的 {name} 不是 unchecked-hash 字节码")
        elif name.endswith(".py"):
            folder, _, file = name.rpartition("/")
            pyc = f"{folder}/__pycache__/{file[:-3]}.{rt.cache_tag}.pyc"
            if pyc not in names:
                fail(f"{label} 中的 {name} 没有 {rt.name} 的字节码")


def check_twin(shipped: zipfile.ZipFile, twin: zipfile.ZipFile) -> None:
    """The import smoke's layer differs from the shipped one only in native code and wheel records (RECORD, WHEEL, SBOMs)."""

    def portable(archive):
        return {
            n: hashlib.sha256(archive.read(n)).hexdigest()
            for n in archive.namelist()
            if not re.search(r"\.so(\.|$)|\.libs/|\.dist-info/(?!METADATA$)", n)
        }

    def extensions(archive):
        return {
            re.sub(r"\.(cpython-[^.]+|abi3)\.so$", "", n)
            for n in archive.namelist()
            if re.search(r"\.so$", n) and ".libs/" not in n
        }

    a, b = portable(shipped), portable(twin)
    if a != b:
        fail(f"导入冒烟用的层与发布的层内容不同：{sorted(set(a.items()) ^ set(b.items()))[:5]}")
    if extensions(shipped) != extensions(twin):
        fail(f"导入冒烟用的层与发布的层原生模块不同：{sorted(extensions(shipped) ^ extensions(twin))}")


def check(rt: Runtime) -> None:
    locked = check_lock(rt)
    shipped = check_layer(rt, BUILD / "layer.zip", rt.machine, locked)
    if platform.machine() != rt.machine:
        check_twin(shipped, check_layer(rt, BUILD / "import-layer.zip", platform.machine(), locked))
    for name in functions():
        check_bytecode(rt, zipfile.ZipFile(BUILD / "functions" / f"{name}.zip"), f"{name}.zip")
    size = (BUILD / "layer.zip").stat().st_size / 1e6
    print(
        f"部署构建通过：{rt.name} {rt.machine}，层 {size:.1f} MB 含 {len(locked) - len(RUNTIME_LIBS)} 个锁定的包"
        f"（boto3 等 {len(RUNTIME_LIBS)} 个由运行时提供），测试环境版本与锁一致，字节码为 {rt.cache_tag}。"
    )


if __name__ == "__main__":
    runtime = Runtime()
    if sys.argv[1:] == ["lock"]:
        lock(runtime)
    else:
        build(runtime)
        check(runtime)
