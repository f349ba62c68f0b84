"""The one table of codes to Chinese labels (sheqi/rules/labels.py) covers every reason the rules give."""

import json
import re
from pathlib import Path

from sheqi.rules import labels

LAYER = Path(labels.__file__).resolve().parent.parent


def test_every_reason_in_the_source_has_a_label():
    source = "\n".join(p.read_text() for p in LAYER.rglob("*.py"))
    raised = set(re.findall(r'(?:_finding|Finding)\("([a-z_]+)"', source))
    raised |= set(re.findall(r'CodeRejected\([^)]*code="([a-z_]+)"', source, re.S))
    assert raised and raised <= set(labels.REASONS), sorted(raised - set(labels.REASONS))


def test_labels_are_chinese_and_the_script_carries_them_all():
    for group, table in labels.GROUPS.items():
        for code, text in table.items():
            assert re.search(r"[\u4e00-\u9fff]", text), (group, code, text)
    shown = json.loads(labels.script().removeprefix("window.SHEQI_LABELS = ").rstrip(";\n"))
    assert shown == json.loads(json.dumps(labels.GROUPS))
    assert labels.label("outcome", "no_violation") == "未发现违法行为" and labels.label("reason", "new_code") == "new_code"
