"""The web UI is served from the site bucket: seeded from the static folder
at the first start, redeployed with `aws s3 sync <dir> s3://site`, and the
next request serves the new files with the gateway's static behaviour
(content types, ETag/304, gzip, SPA fallback)."""
import gzip
import os
import subprocess

import requests

from rivulet_harness import AWS_ENV, AwsAuth, Rivulet


def write_site(root, title):
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(f"<!doctype html><html><head><title>{title}</title></head>"
                                     "<body><div id=\"root\"></div><script src=\"/app.js\"></script></body></html>\n")
    (root / "app.js").write_text(f"console.log('{title}');\n" * 300)
    return root


def sync(server, src):
    proc = subprocess.run(["/usr/bin/aws", "--endpoint-url", server.aws_url, "s3", "sync", str(src), "s3://site"],
                          env=dict(os.environ, **AWS_ENV), capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()


def test_site_bucket_is_seeded_and_redeployed_with_sync(tmp_path):
    first = write_site(tmp_path / "dist-v1", "shop v1")
    server = Rivulet(data_dir=tmp_path / "data", env={"RIVULET_GATEWAY_STATIC_DIR": str(first)})
    server.data_dir.mkdir()
    server.start()
    try:
        r = requests.get(server.http_url + "/")
        assert r.status_code == 200 and "shop v1" in r.text
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        etag = r.headers["ETag"]
        assert requests.get(server.http_url + "/", headers={"If-None-Match": etag}).status_code == 304
        # The bucket holds the seeded files, visible over S3.
        listed = requests.get(server.aws_url + "/site?list-type=2", auth=AwsAuth("s3")).text
        assert "<Key>index.html</Key>" in listed and "<Key>app.js</Key>" in listed

        # Redeploy: the very next request serves the new files.
        second = write_site(tmp_path / "dist-v2", "shop v2")
        sync(server, second)
        r = requests.get(server.http_url + "/")
        assert "shop v2" in r.text and r.headers["ETag"] != etag
        assert requests.get(server.http_url + "/", headers={"If-None-Match": etag}).status_code == 200
        spa = requests.get(server.http_url + "/orders/42")
        assert spa.status_code == 200 and "shop v2" in spa.text
        js = requests.get(server.http_url + "/app.js", headers={"Accept-Encoding": "gzip"}, stream=True)
        raw = js.raw.read(decode_content=False)
        assert js.headers["Content-Encoding"] == "gzip"
        assert js.headers["Content-Type"] == "text/javascript; charset=utf-8"
        assert gzip.decompress(raw) == (second / "app.js").read_bytes()
        assert requests.get(server.http_url + "/missing.js").status_code == 404

        # A restart keeps the deployed site: the folder is only the first seed.
        assert server.stop() == 0
        server.start()
        assert "shop v2" in requests.get(server.http_url + "/").text
    finally:
        if server.proc is not None:
            server.stop()
