"""Where the app keeps files it makes (prepared documents): one interface, two places.

`MEETAPP_STORAGE_URL` chooses:

- unset: a folder `files/` in the instance folder (`file:///a/folder` names another one). Every
  process that serves or runs jobs must see the same folder: one host, or a shared mount.
- `s3://bucket/prefix`: any S3-compatible store (AWS, MinIO, Ceph, Garage...), through boto3,
  installed with `pip install -e '.[s3]'`. `MEETAPP_S3_ENDPOINT_URL` names a store other than
  AWS; `MEETAPP_S3_REGION`, `MEETAPP_S3_ACCESS_KEY_ID` and `MEETAPP_S3_SECRET_ACCESS_KEY` are
  passed on when set (else boto3 looks for credentials as it always does).

A file is named by a key: path segments of letters, digits, `.`, `_` and `-`, joined by `/`,
none starting with a dot (so no `..`). Anything else is refused (`BadKey`) before it reaches a
path or a bucket, so a key can never leave the storage's folder.

    >>> check_key("documents/AbC_12-x/sheet.pdf")
    'documents/AbC_12-x/sheet.pdf'
    >>> check_key("documents/../secret")
    Traceback (most recent call last):
    ...
    meetapp.storage.BadKey: not a storage key: 'documents/../secret'
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app

_SEGMENT = r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}"
_KEY = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT}){{0,9}}")
# Bytes copied at a time, into the store and out of it to a download.
CHUNK = 64 * 1024


class BadKey(ValueError):
    """A key that names no file of the storage (see the module)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"not a storage key: {key[:200]!r}")


def check_key(key: str) -> str:
    if not isinstance(key, str) or _KEY.fullmatch(key) is None:
        raise BadKey(str(key))
    return key


class Storage(Protocol):
    """Files by key (see the module). `open` returns a binary file to read and close."""

    def put(self, key: str, source: IO[bytes]) -> int:
        """Store what is left to read in `source` under `key` (replacing a file there);
        returns its size in bytes. Readers see the old file or the new one, never a part."""
        ...

    def open(self, key: str) -> IO[bytes]:
        """The file, to read from the start (FileNotFoundError when there is none)."""
        ...

    def delete(self, key: str) -> None:
        """Remove the file; nothing happens when there is none."""
        ...

    def exists(self, key: str) -> bool: ...

    def keys(self, prefix: str) -> Iterator[str]:
        """The key of every file under the folder `prefix` (a key), in no set order."""
        ...


class LocalStorage:
    """Files in a folder of this machine (by default the instance folder's `files/`)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        path = self.root.joinpath(*check_key(key).split("/"))
        # A symbolic link inside the folder could still lead out of it.
        if not path.resolve().is_relative_to(self.root):
            raise BadKey(key)
        return path

    def put(self, key: str, source: IO[bytes]) -> int:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside its place, then moved there in one step: a reader never sees half.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".put-")
        try:
            with os.fdopen(handle, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
                size = target.tell()
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return size

    def open(self, key: str) -> IO[bytes]:
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        path = self.path(key)
        path.unlink(missing_ok=True)
        # Empty folders go too, up to the storage's own.
        for folder in path.parents:
            if folder == self.root or not folder.is_relative_to(self.root):
                break
            try:
                folder.rmdir()
            except OSError:
                break

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def keys(self, prefix: str) -> Iterator[str]:
        folder = self.path(prefix)
        if not folder.is_dir():
            return
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(self.root).as_posix()


class S3Storage:
    """Files in a bucket of an S3-compatible store, under a prefix."""

    def __init__(self, bucket: str, prefix: str = "", client: Any = None, **options: Any) -> None:
        if client is None:
            import boto3  # optional: pip install -e '.[s3]'

            client = boto3.client("s3", **{k: v for k, v in options.items() if v})
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, source: IO[bytes]) -> int:
        if not source.seekable():  # its size must be known, and boto3 may read it twice
            spooled = tempfile.SpooledTemporaryFile(CHUNK * 16)  # noqa: SIM115
            shutil.copyfileobj(source, spooled, CHUNK)
            spooled.seek(0)
            source = spooled
        start = source.tell()
        size = source.seek(0, os.SEEK_END) - start
        source.seek(start)
        # upload_fileobj sends big files in parts; the object appears whole when it is done.
        self.client.upload_fileobj(source, self.bucket, self.name(key))
        return size

    def open(self, key: str) -> IO[bytes]:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.name(key))
        except ClientError as error:
            if _not_found(error):
                raise FileNotFoundError(key) from error
            raise
        body: IO[bytes] = response["Body"]
        return body

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.name(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.name(key))
        except ClientError as error:
            if _not_found(error):
                return False
            raise
        return True

    def keys(self, prefix: str) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.name(prefix) + "/"
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :]


def _not_found(error: Any) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in ("404", "NoSuchKey", "NotFound")


def make_storage(app: Flask) -> Storage:
    """The storage `app`'s configuration names (see the module)."""
    url = app.config.get("STORAGE_URL")
    if not url:
        return LocalStorage(Path(app.instance_path) / "files")
    parts = urlsplit(url)
    if parts.scheme == "file" and parts.path:
        return LocalStorage(unquote(parts.path))
    if parts.scheme == "s3" and parts.netloc:
        return S3Storage(
            parts.netloc,
            unquote(parts.path),
            endpoint_url=app.config.get("S3_ENDPOINT_URL"),
            region_name=app.config.get("S3_REGION"),
            aws_access_key_id=app.config.get("S3_ACCESS_KEY_ID"),
            aws_secret_access_key=app.config.get("S3_SECRET_ACCESS_KEY"),
        )
    raise RuntimeError(
        f"MEETAPP_STORAGE_URL must be file:///a/folder or s3://bucket/prefix, not {url!r}"
    )


def storage() -> Storage:
    """The current app's storage, made on first use."""
    app = current_app
    found: Storage | None = app.extensions.get("meetapp.storage")
    if found is None:
        found = app.extensions["meetapp.storage"] = make_storage(app)
    return found
