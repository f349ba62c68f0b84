"""The local stack. Like Lambda, which puts the layer's python/ folder on the path, it puts
layers/python on sys.path so `import sheqi` resolves to the same code."""

import sys
from pathlib import Path

_LAYER = str(Path(__file__).resolve().parent.parent / "layers" / "python")
if _LAYER not in sys.path:
    sys.path.insert(0, _LAYER)
