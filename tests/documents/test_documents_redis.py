"""A big sign-in sheet prepared on Redis by real `flask --app meetapp worker` processes: its
parts are drawn by two workers side by side, then merged into one PDF with every page, in
order."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from meetapp.reports.documents import sign_in_pages, sign_in_parts, sign_in_rows
from meetapp.storage import LocalStorage, storage
from tests.documents.conftest import person_name
from tests.jobs.test_jobs_redis import (  # noqa: F401
    kill_with_descendants,
    redis_jobs,
    start_worker,
)
from tests.reports.pdftext import pdf_text

pytestmark = pytest.mark.slow

NAMES = 1000


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.2)


def test_a_big_sign_in_sheet_is_drawn_by_two_workers_and_merged(
    app: Flask,
    db: Any,
    make_meeting: Any,
    make_user: Any,
    register_people: Any,
    login_as: Any,
    redis_jobs: Any,  # noqa: F811
    start_worker: Any,  # noqa: F811
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser], capacity=None, title="A thousand people")
    register_people(meeting, NAMES)
    slug = meeting.slug
    parts = sign_in_parts(sign_in_pages(sign_in_rows(meeting), meeting.title))
    page_count = sum(len(part) for part in parts)
    assert len(parts) >= 2
    files = storage()
    assert isinstance(files, LocalStorage)  # the workers share the test's folder

    # The request only queues the job: it waits on Redis until a worker takes it.
    client = login_as(organiser)
    started = time.monotonic()
    response = client.post(f"/meetings/{slug}/documents/sign-in-sheet/prepare")
    assert response.status_code == 302
    assert time.monotonic() - started < 2
    page = client.get(f"/meetings/{slug}/documents").get_data(as_text=True)
    status_url = page.split('data-document-status="', 1)[1].split('"', 1)[0]
    assert client.get(status_url).json["status"] == "queued"
    assert redis_jobs.rq.count == 1

    workers = [start_worker(storage_url=Path(files.root).as_uri()) for _ in range(2)]
    seen: list[tuple[str, int, int]] = [("queued", 0, 0)]

    def ready() -> bool:
        status = client.get(status_url).json
        step = (status["status"], status["done"], status["total"])
        if not seen or seen[-1] != step:
            seen.append(step)
        assert status["status"] in ("queued", "running", "ready"), status
        return bool(status["status"] == "ready")

    wait_for(ready, 180, "the sheet")
    statuses = [status for status, _, _ in seen]
    assert statuses[0] == "queued"
    assert "running" in statuses
    assert statuses[-1] == "ready"
    assert statuses == sorted(statuses, key=["queued", "running", "ready"].index)
    assert {total for status, _, total in seen if status == "running" and total} == {len(parts)}

    download = client.get(status_url).json["download_url"]
    pdf = client.get(download).data
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == page_count
    for number, pdf_page in enumerate(reader.pages, 1):
        assert f"Page {number} of {page_count}" in pdf_page.extract_text()
    text = pdf_text(pdf)
    positions = [text.index(person_name(n)) for n in range(1, NAMES + 1)]
    assert positions == sorted(positions)
    assert f"{NAMES} registered participants" in text

    # Each worker drew a part of it; the parts and their plan are gone from the storage.
    outputs = []
    for worker in workers:
        kill_with_descendants(worker.pid)
        output, _ = worker.communicate(timeout=30)
        outputs.append(output.decode(errors="replace"))
    for output in outputs:
        assert "documents.part" in output, output[-3000:]
    document_id = status_url.split("/")[-2]
    assert sorted(files.keys(f"documents/{document_id}")) == [f"documents/{document_id}/file"]
