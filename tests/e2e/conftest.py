import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rivulet_harness import rivulet  # noqa: E402,F401  (the shared fixture)
