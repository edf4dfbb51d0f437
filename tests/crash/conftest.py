import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from rivulet_harness import kill_leftover_servers, rivulet  # noqa: E402,F401  (the shared fixtures)
