"""Print a signed local token for a demo identity: `python -m local.token NAME`; without NAME, list them.
The secret is the one `make run` keeps in its data folder (SHEQI_DATA_DIR, default .local)."""

from __future__ import annotations

import sys

from sheqi import auth

from . import config
from .demo_data import IDENTITIES


def identities(out) -> None:
    print("用法：make token NAME=<身份>，可用身份：", file=out)
    for name, (label, identity) in IDENTITIES.items():
        print(f"  {name:<20} {identity.role:<15} {label}", file=out)


def main(argv: list[str]) -> int:
    if not argv:
        identities(sys.stdout)
        return 0
    if len(argv) != 1 or argv[0] not in IDENTITIES:
        print(f"未知身份：{' '.join(argv)}", file=sys.stderr)
        identities(sys.stderr)
        return 2
    if not (config.DATA_DIR / "secrets.json").exists():
        # A new secret here would sign tokens the running stack rejects.
        print(f"{config.DATA_DIR} 中没有本地密钥：先用同一 SHEQI_DATA_DIR 运行 make run", file=sys.stderr)
        return 1
    print(auth.issue_token(IDENTITIES[argv[0]][1], config.jwt_secret()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
