"""The storage of prepared files, in a folder and in an S3-compatible store (moto's in-memory
S3 here): the same behaviour through one interface, and keys that cannot leave their place."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from meetapp.storage import BadKey, LocalStorage, S3Storage, Storage, make_storage

BUCKET = "meetapp-test"


@pytest.fixture
def s3_client() -> Iterator[Any]:
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    with moto.mock_aws():
        client = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "store")
    return S3Storage(BUCKET, "site/files", client=request.getfixturevalue("s3_client"))


def test_put_open_exists_keys_delete(store: Storage) -> None:
    body = b"%PDF-1.7 " + bytes(range(256)) * 1000
    assert store.put("documents/abc/file", io.BytesIO(body)) == len(body)
    assert store.put("documents/abc/parts/00000", io.BytesIO(b"part")) == 4
    assert store.put("documents/other/file", io.BytesIO(b"other")) == 5
    assert store.exists("documents/abc/file")
    with store.open("documents/abc/file") as file:
        assert file.read() == body
    assert sorted(store.keys("documents/abc")) == [
        "documents/abc/file",
        "documents/abc/parts/00000",
    ]

    # Put again: replaced whole.
    store.put("documents/abc/file", io.BytesIO(b"new"))
    with store.open("documents/abc/file") as file:
        assert file.read() == b"new"

    store.delete("documents/abc/file")
    store.delete("documents/abc/file")  # gone already: nothing happens
    assert not store.exists("documents/abc/file")
    with pytest.raises(FileNotFoundError):
        store.open("documents/abc/file")
    assert sorted(store.keys("documents")) == [
        "documents/abc/parts/00000",
        "documents/other/file",
    ]
    assert list(store.keys("nothing-here")) == []


class Unseekable(io.BytesIO):
    """A stream read once, front to back (a response body)."""

    def seekable(self) -> bool:
        return False


def test_a_stream_that_cannot_seek_is_stored_whole(store: Storage) -> None:
    body = b"streamed " * 50_000
    assert store.put("documents/s/file", Unseekable(body)) == len(body)
    with store.open("documents/s/file") as file:
        assert file.read() == body


BAD_KEYS = [
    "",
    "/etc/passwd",
    "../secret",
    "documents/../../secret",
    "documents/./file",
    "documents//file",
    "documents/.hidden",
    "documents\\..\\secret",
    "documents/a\x00b",
    "documents/file/",
    "x" * 101,
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_keys_that_could_leave_the_storage_are_refused(store: Storage, key: str) -> None:
    for use in (
        lambda: store.put(key, io.BytesIO(b"x")),
        lambda: store.open(key),
        lambda: store.exists(key),
        lambda: store.delete(key),
        lambda: list(store.keys(key)),
    ):
        with pytest.raises(BadKey):
            use()


def test_a_symbolic_link_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"secret")
    store = LocalStorage(tmp_path / "files")
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "documents").symlink_to(outside)
    with pytest.raises(BadKey):
        store.open("documents/secret")
    with pytest.raises(BadKey):
        store.put("documents/new", io.BytesIO(b"x"))
    assert sorted(path.name for path in outside.iterdir()) == ["secret"]


def test_the_local_storage_leaves_no_half_written_file(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    store.put("documents/a/file", io.BytesIO(b"whole"))

    class Broken(io.BytesIO):
        def read(self, *args: Any) -> bytes:
            data = super().read(4)
            if not data:
                raise OSError("the disk is full")
            return data

    with pytest.raises(OSError, match="the disk is full"):
        store.put("documents/a/file", Broken(b"a longer new file"))
    with store.open("documents/a/file") as file:
        assert file.read() == b"whole"
    assert sorted(path.name for path in (tmp_path / "documents" / "a").iterdir()) == ["file"]


def test_the_storage_url_chooses_the_storage(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "STORAGE_URL", None)
    local = make_storage(app)
    assert isinstance(local, LocalStorage)
    assert local.root == (Path(app.instance_path) / "files").resolve()

    monkeypatch.setitem(app.config, "STORAGE_URL", f"file://{tmp_path}/elsewhere")
    elsewhere = make_storage(app)
    assert isinstance(elsewhere, LocalStorage)
    assert elsewhere.root == (tmp_path / "elsewhere").resolve()

    pytest.importorskip("boto3")
    monkeypatch.setitem(app.config, "STORAGE_URL", "s3://bucket-name/some/prefix")
    monkeypatch.setitem(app.config, "S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setitem(app.config, "S3_REGION", "eu-west-3")
    monkeypatch.setitem(app.config, "S3_ACCESS_KEY_ID", "id")
    monkeypatch.setitem(app.config, "S3_SECRET_ACCESS_KEY", "secret")
    s3 = make_storage(app)
    assert isinstance(s3, S3Storage)
    assert (s3.bucket, s3.prefix) == ("bucket-name", "some/prefix/")
    assert s3.client.meta.endpoint_url == "http://127.0.0.1:9000"
    assert s3.client.meta.region_name == "eu-west-3"
    assert s3.name("documents/x/file") == "some/prefix/documents/x/file"

    for wrong in ("ftp://host/x", "s3://", "file://", "/just/a/path"):
        monkeypatch.setitem(app.config, "STORAGE_URL", wrong)
        with pytest.raises(RuntimeError, match="MEETAPP_STORAGE_URL must be"):
            make_storage(app)


def test_documents_are_prepared_into_an_s3_store(
    app: Flask,
    db: Any,
    s3_client: Any,
    make_meeting: Any,
    make_user: Any,
    register_people: Any,
    login_as: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = S3Storage(BUCKET, "prepared", client=s3_client)
    monkeypatch.setitem(app.extensions, "meetapp.storage", store)
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser], capacity=None)
    register_people(meeting, 301)
    client = login_as(organiser)
    assert (
        client.post(f"/meetings/{meeting.slug}/documents/sign-in-sheet/prepare").status_code == 302
    )
    status = client.get(f"/meetings/{meeting.slug}/documents").get_data(as_text=True)
    assert "kept until" in status
    [key] = [item["Key"] for item in s3_client.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert key.startswith("prepared/documents/")
    assert key.endswith("/file")
    document_id = key.split("/")[2]
    pdf = client.get(f"/meetings/{meeting.slug}/documents/{document_id}/download")
    assert pdf.status_code == 200
    assert pdf.data == s3_client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert pdf.data.startswith(b"%PDF")
