"""`scripts/run`, the README's first command, as a user runs it: it builds
(nothing to do after scripts/test's build), starts Rivulet with the demo load,
prints an admin password that it keeps in the data dir, and its demo load
restocks, as that admin, a product that sells out. A second start, told the
data dir only by a config file, keeps the password. Runs alone (RUN_SERIAL in
tests/CMakeLists.txt): scripts/build rewrites web/dist, which other tests'
servers serve."""
import json
import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rivulet_harness import ROOT, SERVER_ENV, wait_until  # noqa: E402
from orders_client import Shop, set_stock  # noqa: E402

ADMIN_LINE = re.compile(r"Admin sign-in: (\S+) / (\S+) \(kept in (\S+)\)")


class RunScript:
    def __init__(self, data_dir, out_path, where=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("RIVULET_ADMIN_")}
        env.update(SERVER_ENV)
        self.out_path = out_path
        (data_dir / "ports.json").unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [str(ROOT / "scripts" / "run"), *(where or ["--data-dir", str(data_dir)]), "--bind", "127.0.0.1",
             "--http-port", "0", "--aws-port", "0"],
            stdout=open(out_path, "w"), stderr=subprocess.STDOUT, env=env, start_new_session=True)
        ports = data_dir / "ports.json"
        wait_until(lambda: ports.exists() and ports.stat().st_size > 0 or self.exited(), 600, "ports.json")
        assert not self.exited(), self.output()
        p = json.loads(ports.read_text())
        self.http_url = f"http://127.0.0.1:{p['http']}"
        self.aws_url = f"http://127.0.0.1:{p['aws']}"

    def exited(self):
        return self.proc.poll() is not None

    def output(self):
        return Path(self.out_path).read_text(errors="replace")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)  # as Ctrl-C would: the script stops the load and the server
        try:
            self.proc.wait(timeout=60)
        finally:
            if not self.exited():
                os.killpg(self.proc.pid, signal.SIGKILL)


def test_run_starts_the_demo_with_a_kept_admin_who_restocks(tmp_path):
    data = tmp_path / "data"
    run = RunScript(data, tmp_path / "run-1.out")
    try:
        email, password, kept = wait_until(lambda: ADMIN_LINE.search(run.output()), 30, "the admin line").groups()
        assert email == "admin@rivulet.local"
        assert kept == str(data / "demo-admin")
        assert (data / "demo-admin").read_text().split() == [email, password]
        assert stat.S_IMODE((data / "demo-admin").stat().st_mode) == 0o600

        admin = Shop(run).login(email, password)
        # The demo load runs as that admin: it sees each order decided on /ws.
        load_log = data / "demo-load.log"
        wait_until(lambda: load_log.exists() and re.search(r"decided +[1-9]", load_log.read_text()), 60,
                   "the demo load's decided orders")
        listed = admin.get("/api/admin/orders", params={"limit": 10}).json()["items"]
        assert any(o.get("customerEmail", "").endswith("@loadgen.example") for o in listed)

        # A product that sells out is restocked within one 5 s round.
        set_stock(run, "p-010", 0)
        wait_until(lambda: admin.product("p-010")["stock"] > 0, 20, "p-010 restocked")
        assert "action=rivulet:RestockProduct resource=product/p-010 quantity=100" in run.output()
    finally:
        run.stop()
    assert run.proc.returncode == 0, run.output()[-3000:]

    # A second start keeps the admin and prints the same password, also when
    # the data dir is named only in a config file.
    config = tmp_path / "rivulet.toml"
    config.write_text(f'[server]\ndata_dir = "{data}"\n')
    again = RunScript(data, tmp_path / "run-2.out", where=["--config", str(config)])
    try:
        match = wait_until(lambda: ADMIN_LINE.search(again.output()), 30, "the admin line")
        assert match.group(2) == password
        Shop(again).login(email, password)
    finally:
        again.stop()
