"""The deploy build's checks (scripts/build.py) refuse what a Lambda runtime would not run as tested."""

import io
import re
import zipfile
from types import SimpleNamespace

import pytest

from scripts import build

RUNTIME = SimpleNamespace(name="python3.13", cache_tag="cpython-313", magic=bytes.fromhex("f30d0d0a"))


def archive(files: dict[str, bytes]) -> zipfile.ZipFile:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return zipfile.ZipFile(data)


def pyc(magic=RUNTIME.magic, flags=build.PYC_UNCHECKED_HASH) -> bytes:
    return magic + flags.to_bytes(4, "little") + bytes(8) + b"code"


def elf(machine: int) -> bytes:
    return b"\x7fELF" + bytes(14) + machine.to_bytes(2, "little")


def test_bytecode_of_the_runtime_version_with_unchecked_hashes_passes():
    build.check_bytecode(RUNTIME, archive({"python/m.py": b"", "python/__pycache__/m.cpython-313.pyc": pyc()}), "t")


@pytest.mark.parametrize(
    "files",
    [
        {"python/m.py": b""},  # none shipped
        {"python/m.py": b"", "python/__pycache__/m.cpython-313.pyc": pyc(flags=0)},  # timestamp-checked
        {"python/m.py": b"", "python/__pycache__/m.cpython-313.pyc": pyc(magic=b"\xa7\r\r\n")},  # 3.11's magic
        {
            "python/m.py": b"",
            "python/__pycache__/m.cpython-313.pyc": pyc(),
            "python/__pycache__/m.cpython-311.pyc": pyc(magic=b"\xa7\r\r\n"),
        },  # stale, other version
    ],
)
def test_missing_stale_or_checked_bytecode_fails(files):
    with pytest.raises(SystemExit):
        build.check_bytecode(RUNTIME, archive(files), "t")


def test_twin_layers_may_differ_in_native_code_only():
    shipped = archive(
        {
            "python/m.py": b"x",
            "python/_ext.cpython-313-aarch64-linux-gnu.so": elf(183),
            "python/p.libs/libz-1a.so.1": elf(183),
            "python/p-1.dist-info/WHEEL": b"aarch64",
        }
    )
    twin = archive(
        {
            "python/m.py": b"x",
            "python/_ext.cpython-313-x86_64-linux-gnu.so": elf(62),
            "python/p.libs/libz-2b.so.1": elf(62),
            "python/p-1.dist-info/WHEEL": b"x86_64",
        }
    )
    build.check_twin(shipped, twin)
    with pytest.raises(SystemExit):
        build.check_twin(shipped, archive({"python/m.py": b"y", "python/_ext.cpython-313-x86_64-linux-gnu.so": b""}))
    with pytest.raises(SystemExit):
        build.check_twin(shipped, archive({"python/m.py": b"x"}))


def test_a_layer_with_a_runtime_library_or_foreign_native_code_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "check_bytecode", lambda *args: None)
    metadata = "Metadata-Version: 2.1\nName: {}\nVersion: {}\n"
    good = {
        "python/pynamodb-6.1.0.dist-info/METADATA": metadata.format("pynamodb", "6.1.0").encode(),
        "python/_ext.cpython-313-aarch64-linux-gnu.so": elf(183),
    }
    locked = {"pynamodb": "6.1.0", "botocore": "1.38.36"}
    for files, ok in [
        (good, True),
        (good | {"python/botocore-1.38.36.dist-info/METADATA": metadata.format("botocore", "1.38.36").encode()}, False),
        (good | {"python/_ext.cpython-313-aarch64-linux-gnu.so": elf(62)}, False),
    ]:
        path = tmp_path / "layer.zip"
        with zipfile.ZipFile(path, "w") as z:
            for name, content in files.items():
                z.writestr(name, content)
        if ok:
            build.check_layer(RUNTIME, path, "aarch64", locked)
        else:
            with pytest.raises(SystemExit):
                build.check_layer(RUNTIME, path, "aarch64", locked)


LOCKED_FOR = SimpleNamespace(name="python3.13", platform="aarch64-manylinux_2_34", version="3.13")


def test_the_test_environment_runs_the_locked_versions():
    assert build.check_lock(LOCKED_FOR)["msgspec"]


@pytest.mark.parametrize(
    "change",
    [
        lambda text: text.replace("aarch64-manylinux_2_34", "x86_64-manylinux_2_34"),  # resolved for another platform
        lambda text: re.sub(r"^msgspec==\S+", "msgspec==0.19.0", text, flags=re.M),  # not what the tests installed
        lambda text: text.replace("pynamodb==", "pynamodb-old=="),  # requirements.in unmet
    ],
)
def test_a_lock_for_another_platform_or_other_versions_fails(tmp_path, monkeypatch, change):
    lock = tmp_path / "requirements.txt"
    lock.write_text(change(build.LOCK.read_text()))
    monkeypatch.setattr(build, "LOCK", lock)
    with pytest.raises(SystemExit):
        build.check_lock(LOCKED_FOR)
