"""Where uploaded documents are stored: local disk by default, S3-compatible storage when a bucket is named."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; django.setup(); from django.core.files.storage import storages; s = storages['default']; "
    "print(type(s).__name__, getattr(s, 'bucket_name', ''), getattr(s, 'location', ''), getattr(s, 'default_acl', ''))"
)


def storage_with(**variables) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("S3_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **variables)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.split()


def test_documents_go_to_local_disk_by_default():
    assert storage_with()[0] == "FileSystemStorage"


def test_documents_go_to_a_private_bucket_when_one_is_named():
    name, bucket, location, acl = storage_with(S3_BUCKET="docs", S3_ENDPOINT_URL="https://s3.example.com")
    assert (name, bucket, location, acl) == ("S3Storage", "docs", "media", "private")
