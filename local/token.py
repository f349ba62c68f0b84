"""Print a signed local token for a demo identity: `python -m local.token NAME` (no NAME lists them)."""
from __future__ import annotations

import sys

from sheqi import auth

from . import config
from .demo_data import IDENTITIES


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in IDENTITIES:
        print("用法：make token NAME=<身份>，可用身份：", file=sys.stderr)
        for name, (label, identity) in IDENTITIES.items():
            print(f"  {name:<20} {identity.role:<15} {label}", file=sys.stderr)
        return 2
    print(auth.issue_token(IDENTITIES[argv[0]][1], config.jwt_secret()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
