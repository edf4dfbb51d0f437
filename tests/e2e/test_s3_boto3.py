"""S3 API end to end with boto3: listing thousands of keys with delimiters
and pagination, S3 error codes, flexible checksums, aws-chunked uploads as
newer SDKs send them, virtual-host addressing, copy and batch delete."""
import base64
import hashlib
import zlib

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from rivulet_harness import AWS_ENV, AwsAuth, chunk_signed_put, sign_headers


@pytest.fixture
def s3(rivulet):
    return boto3.client("s3", endpoint_url=rivulet.aws_url, region_name="us-east-1",
                        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                        config=Config(retries={"max_attempts": 1}, max_pool_connections=32))


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_listing_thousands_of_keys_with_delimiter_and_pagination(s3):
    from concurrent.futures import ThreadPoolExecutor
    s3.create_bucket(Bucket="many")
    keys = [f"dir{d:02d}/file{i:04d}" for d in range(10) for i in range(300)] + [f"top{i:03d}" for i in range(100)]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket="many", Key=k, Body=b"x"), keys))
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="many", PaginationConfig={"PageSize": 250})
    seen = [o["Key"] for page in pages for o in page.get("Contents", [])]
    assert seen == sorted(keys)  # every key once, in byte order
    root = s3.list_objects_v2(Bucket="many", Delimiter="/")
    assert [p["Prefix"] for p in root["CommonPrefixes"]] == [f"dir{d:02d}/" for d in range(10)]
    assert len(root["Contents"]) == 100 and root["KeyCount"] == 110
    small = s3.get_paginator("list_objects_v2").paginate(Bucket="many", Delimiter="/",
                                                          PaginationConfig={"PageSize": 7})
    items = []
    for page in small:
        items += [p["Prefix"] for p in page.get("CommonPrefixes", [])] + [o["Key"] for o in page.get("Contents", [])]
    assert sorted(items) == sorted(root_items(root)) and len(items) == 110
    in_dir = s3.list_objects_v2(Bucket="many", Prefix="dir03/", StartAfter="dir03/file0289")
    assert [o["Key"] for o in in_dir["Contents"]] == [f"dir03/file{i:04d}" for i in range(290, 300)]
    v1 = s3.get_paginator("list_objects").paginate(Bucket="many", PaginationConfig={"PageSize": 999})
    assert sum(len(p.get("Contents", [])) for p in v1) == len(keys)


def root_items(root):
    return [p["Prefix"] for p in root["CommonPrefixes"]] + [o["Key"] for o in root["Contents"]]


def test_errors_carry_s3_codes(s3):
    s3.create_bucket(Bucket="errs")
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="errs", Key="missing")
    assert error_code(e) == "NoSuchKey"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="no-such-bucket", Key="k")
    assert error_code(e) == "NoSuchBucket"
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket="errs")
    assert error_code(e) == "BucketAlreadyOwnedByYou"
    s3.put_object(Bucket="errs", Key="k", Body=b"0123456789")
    with pytest.raises(ClientError) as e:
        s3.delete_bucket(Bucket="errs")
    assert error_code(e) == "BucketNotEmpty"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="errs", Key="k", Range="bytes=50-60")
    assert error_code(e) == "InvalidRange"
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket="errs", Key="missing")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    # Conditional writes (If-None-Match: *) postdate this boto3; plain HTTP then.
    url = s3.meta.endpoint_url + "/errs/k"
    refused = requests.put(url, data=b"new", headers=sign_headers("PUT", url, b"new", {"If-None-Match": "*"}), timeout=10)
    assert refused.status_code == 412 and "<Code>PreconditionFailed</Code>" in refused.text
    upload = s3.create_multipart_upload(Bucket="errs", Key="mp")
    with pytest.raises(ClientError) as e:
        s3.complete_multipart_upload(Bucket="errs", Key="mp", UploadId=upload["UploadId"],
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"abc"'}]})
    assert error_code(e) == "InvalidPart"
    with pytest.raises(ClientError) as e:
        s3.list_parts(Bucket="errs", Key="mp", UploadId="nope")
    assert error_code(e) == "NoSuchUpload"


def test_flexible_checksums_are_verified_and_returned(s3):
    s3.create_bucket(Bucket="sums")
    s3.put_object(Bucket="sums", Key="sha", Body=b"hello", ChecksumAlgorithm="SHA256")
    got = s3.get_object(Bucket="sums", Key="sha", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"hello"
    assert got["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(b"hello").digest()).decode()
    s3.put_object(Bucket="sums", Key="crc", Body=b"hello", ChecksumAlgorithm="CRC32")
    assert s3.head_object(Bucket="sums", Key="crc", ChecksumMode="ENABLED")["ChecksumCRC32"] == "NhCmhg=="
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket="sums", Key="bad", Body=b"hello", ChecksumCRC32="AAAAAA==")
    assert error_code(e) == "BadDigest"


def chunked(data, chunk, trailer=None):
    out = b""
    for i in range(0, len(data), chunk):
        piece = data[i:i + chunk]
        out += b"%x" % len(piece) + b"\r\n" + piece + b"\r\n"
    out += b"0\r\n"
    if trailer:
        out += trailer + b"\r\n"
    return out + b"\r\n"


def test_aws_chunked_uploads_as_newer_sdks_send_them(s3, rivulet):
    s3.create_bucket(Bucket="chunky")
    data = bytes(range(256)) * 1000
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big"))
    unsigned = requests.put(f"{rivulet.aws_url}/chunky/trailer", data=chunked(data, 65536, b"x-amz-checksum-crc32:" + crc),
                            headers={"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                     "Content-Encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32",
                                     "x-amz-decoded-content-length": str(len(data))}, timeout=30, auth=AwsAuth("s3"))
    assert unsigned.status_code == 200, unsigned.text
    headers, body = chunk_signed_put(f"{rivulet.aws_url}/chunky/signed", data, chunk=8192)
    signed = requests.put(f"{rivulet.aws_url}/chunky/signed", data=body, headers=headers, timeout=30)
    assert signed.status_code == 200, signed.text
    for key in ("trailer", "signed"):
        obj = s3.get_object(Bucket="chunky", Key=key)
        assert obj["Body"].read() == data
        assert obj["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
        assert "ContentEncoding" not in obj
    bad = requests.put(f"{rivulet.aws_url}/chunky/bad", data=chunked(data, 65536, b"x-amz-checksum-crc32:AAAAAA=="),
                       headers={"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                "Content-Encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32"}, timeout=30, auth=AwsAuth("s3"))
    assert bad.status_code == 400 and "<Code>BadDigest</Code>" in bad.text
    truncated = requests.put(f"{rivulet.aws_url}/chunky/cut", data=chunked(data, 65536)[:100000],
                             headers={"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}, timeout=30, auth=AwsAuth("s3"))
    assert truncated.status_code == 400
    with pytest.raises(ClientError):
        s3.head_object(Bucket="chunky", Key="cut")


def test_virtual_host_addressing(s3, rivulet):
    s3.create_bucket(Bucket="vhost")
    host = f"vhost.localhost:{rivulet.aws_port}"
    put = requests.put(f"{rivulet.aws_url}/a/b.txt", data=b"virtual", headers={"Host": host}, timeout=10, auth=AwsAuth("s3"))
    assert put.status_code == 200
    assert s3.get_object(Bucket="vhost", Key="a/b.txt")["Body"].read() == b"virtual"
    listing = requests.get(f"{rivulet.aws_url}/?list-type=2", headers={"Host": host}, timeout=10, auth=AwsAuth("s3"))
    assert "<Key>a/b.txt</Key>" in listing.text


def test_copy_delete_objects_and_metadata(s3):
    s3.create_bucket(Bucket="meta")
    s3.put_object(Bucket="meta", Key="src", Body=b"payload", ContentType="application/json",
                  Metadata={"owner": "ops", "Mixed-Case": "v"}, CacheControl="max-age=5")
    head = s3.head_object(Bucket="meta", Key="src")
    assert head["Metadata"] == {"owner": "ops", "mixed-case": "v"}
    assert head["CacheControl"] == "max-age=5" and head["ContentLength"] == 7
    s3.copy_object(Bucket="meta", Key="copy", CopySource={"Bucket": "meta", "Key": "src"})
    assert s3.head_object(Bucket="meta", Key="copy")["Metadata"]["owner"] == "ops"
    s3.copy_object(Bucket="meta", Key="replaced", CopySource="meta/src", MetadataDirective="REPLACE",
                   Metadata={"new": "1"}, ContentType="text/plain")
    replaced = s3.head_object(Bucket="meta", Key="replaced")
    assert replaced["Metadata"] == {"new": "1"} and replaced["ContentType"] == "text/plain"
    result = s3.delete_objects(Bucket="meta", Delete={"Objects": [{"Key": k} for k in ("src", "copy", "ghost")]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["copy", "ghost", "src"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="meta")["Contents"]] == ["replaced"]


def test_upload_part_copy_and_managed_transfer(s3, tmp_path):
    s3.create_bucket(Bucket="xfer")
    data = bytes(range(256)) * (40 * 1024)  # 10 MiB
    src = tmp_path / "f"
    src.write_bytes(data)
    from boto3.s3.transfer import TransferConfig
    cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3.upload_file(str(src), "xfer", "f", Config=cfg)
    assert s3.head_object(Bucket="xfer", Key="f")["ETag"].endswith('-2"')
    s3.copy({"Bucket": "xfer", "Key": "f"}, "xfer", "g", Config=cfg)  # UploadPartCopy with ranges
    dst = tmp_path / "g"
    s3.download_file("xfer", "g", str(dst), Config=cfg)
    assert dst.read_bytes() == data


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def test_head_of_a_large_object_states_its_length_without_reading_it(rivulet, s3):
    import io
    from boto3.s3.transfer import TransferConfig
    size = 100 << 20
    s3.create_bucket(Bucket="big")
    s3.upload_fileobj(io.BytesIO(b"\0" * size), "big", "blob",
                      Config=TransferConfig(multipart_threshold=8 << 20, multipart_chunksize=8 << 20))
    before = peak_rss_kib(rivulet.proc.pid)
    for _ in range(5):
        assert s3.head_object(Bucket="big", Key="blob")["ContentLength"] == size
    # Holding even one copy of the object would raise the peak by 100 MiB.
    assert peak_rss_kib(rivulet.proc.pid) - before < 32 << 10
