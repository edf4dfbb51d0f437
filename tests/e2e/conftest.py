import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rivulet_harness import Rivulet  # noqa: E402


@pytest.fixture
def rivulet(tmp_path):
    """A running rivulet on free ports with its own data dir; stopped with
    SIGTERM afterwards, which must exit 0."""
    server = Rivulet(data_dir=tmp_path / "data")
    server.data_dir.mkdir()
    server.start()
    yield server
    if server.proc is not None:
        code = server.stop()
        assert code == 0, f"rivulet exited {code} on SIGTERM:\n{server.log_text()}"
