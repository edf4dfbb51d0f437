"""A real SMTP server for tests (python3-aiosmtpd writing a Maildir) and
readers of what it received."""
import email
import email.policy
import re
import socket
import subprocess
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_sink(port, box):
    proc = subprocess.Popen(["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Mailbox", str(box)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    raise AssertionError("aiosmtpd did not start")


def confirmations(box):
    """(order id, Message-ID) of every confirmation email in the Maildir."""
    out = []
    for f in (box / "new").glob("*") if (box / "new").exists() else []:
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",)).get_content()
        m = re.search(r"/orders/(o-[0-9a-f]+)", text)
        if m and "confirm" in msg["Subject"].lower():
            out.append((m.group(1), msg["Message-ID"]))
    return out
