"""The rivulet command line against the real binary: version, ports.json,
default data dir, layered settings (flag > env > file), JSON logs, graceful
shutdown on SIGTERM/SIGINT with a request in flight."""
import http.client
import json
import os
import signal
import subprocess
import threading
import time

import pytest
import requests

from rivulet_harness import BIN, Rivulet


def index_dir(root, marker):
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(f"<html><body>{marker}</body></html>")
    return root


def test_version_prints_version():
    out = subprocess.run([BIN, "version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    assert out.stdout.startswith("rivulet ")


def test_ports_file_names_both_listeners(rivulet):
    data = json.loads((rivulet.data_dir / "ports.json").read_text())
    assert set(data) == {"http", "aws"}
    assert requests.get(f"http://127.0.0.1:{data['http']}/healthz").status_code == 200
    # The AWS listener answers; an unsigned request is refused (S3's 403 AccessDenied).
    assert requests.post(f"http://127.0.0.1:{data['aws']}/", data="{}").status_code == 403
    assert not [p for p in rivulet.data_dir.iterdir() if p.name.startswith("ports.json.tmp")]


def test_default_data_dir_is_created_in_working_directory(tmp_path):
    proc = subprocess.Popen([os.path.abspath(BIN), "--http-port", "0", "--aws-port", "0", "--bind", "127.0.0.1"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        ports = tmp_path / "data" / "ports.json"
        for _ in range(500):
            if ports.exists():
                break
            time.sleep(0.02)
        assert ports.exists(), "rivulet without 'serve' did not start serving with ./data"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0


def test_flag_beats_env_beats_file(tmp_path):
    a, b, c = (index_dir(tmp_path / n, f"from-{n}") for n in ("file", "env", "flag"))
    config = tmp_path / "rivulet.toml"
    config.write_text(f'[gateway]\nstatic_dir = "{a}"\n')

    def served(env=None, extra=()):
        data_dir = tmp_path / f"d{len(os.listdir(tmp_path))}"
        data_dir.mkdir()
        with Rivulet(data_dir=data_dir, env=env,
                     extra_args=["--config", str(config), *extra]) as s:
            return requests.get(s.http_url + "/").text

    assert "from-file" in served()
    assert "from-env" in served(env={"RIVULET_GATEWAY_STATIC_DIR": str(b)})
    assert "from-flag" in served(env={"RIVULET_GATEWAY_STATIC_DIR": str(b)},
                                 extra=["--set", f"gateway.static_dir={c}"])


def test_invalid_setting_fails_startup_with_message(tmp_path):
    out = subprocess.run([BIN, "serve", "--data-dir", str(tmp_path), "--http-port", "0", "--aws-port", "0",
                          "--set", "gateway.read_timeout_ms=soon"], capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert "gateway.read_timeout_ms" in out.stderr + out.stdout


def test_json_log_format_with_access_log(tmp_path):
    (tmp_path / "d").mkdir()
    with Rivulet(data_dir=tmp_path / "d", extra_args=["--log-format", "json", "--set", "gateway.access_log=true"]) as s:
        requests.get(s.http_url + "/healthz")
        conn = http.client.HTTPConnection("127.0.0.1", s.http_port, timeout=10)
        conn.request("GET", '/api/quote"and\\backslash')
        assert conn.getresponse().status == 404
        conn.close()
    lines = [l for l in (tmp_path / "d" / "server.log").read_text().splitlines() if l.startswith("{")]
    assert lines, "no JSON log lines"
    messages = [json.loads(line)["msg"] for line in lines]  # every line is valid JSON
    assert any("GET /healthz 200" in m for m in messages), messages
    assert any('/api/quote"and\\backslash 404' in m for m in messages), messages


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_shutdown_drains_in_flight_request_and_exits_0(tmp_path, sig):
    server = Rivulet(data_dir=tmp_path / "d", env={"RIVULET_GATEWAY_DEBUG_ENDPOINTS": "true"})
    (tmp_path / "d").mkdir()
    server.start()
    result = {}

    def slow_request():
        try:
            r = requests.get(server.http_url + "/api/_debug/slow?ms=1500", timeout=30)
            result["status"], result["body"] = r.status_code, r.json()
        except Exception as e:  # noqa: BLE001 - reported below
            result["error"] = repr(e)

    t = threading.Thread(target=slow_request)
    t.start()
    # Wait until the request is really in flight before signalling.
    for _ in range(500):
        metrics = requests.get(server.http_url + "/metrics").text
        if "rivulet_http_in_flight_requests 2" in metrics:  # the slow one and this one
            break
        time.sleep(0.01)
    server.proc.send_signal(sig)
    code = server.proc.wait(30)
    server.proc = None
    t.join(30)
    assert code == 0, server.log_text()
    assert result.get("status") == 200, result
    assert result["body"] == {"sleptMs": 1500}
    assert "stopped cleanly" in server.log_text()
