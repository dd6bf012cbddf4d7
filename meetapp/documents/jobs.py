"""The jobs that prepare documents, and the one that removes them after their time.

`documents.prepare` makes a document whole, or, for a `SplitKind`, plans its parts and queues
one `documents.part` job per part and a `documents.merge` job that runs once every part has
finished (`meetapp.jobs.enqueue_parts`): on Redis the parts are rendered by as many workers as
are free. The parts and the plan wait in the storage, which every worker sees.

A failure is shown on the document at once (with "Try again" on the Documents page) and kept
on the Jobs page: these jobs are not retried, as the person waiting for the document would
wait minutes for what is nearly always the same error.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from typing import IO, Any

from flask import current_app

from meetapp.documents import services
from meetapp.documents.kinds import DRAWING_PAGES, MERGING_PAGES, SplitKind, SubjectGone
from meetapp.jobs import enqueue_parts, task
from meetapp.models import PreparedDocument
from meetapp.storage import storage

# Seconds a step may take: a part is a few pages, but a whole document of a big meeting is more.
TIMEOUT = 1800


def _failure(error: Exception) -> str:
    if isinstance(error, SubjectGone):
        return error.message
    return (
        f"The document could not be made ({type(error).__name__}). Administrators find the "
        "details on the Jobs page."
    )


@contextmanager
def _failing_document(document_id: str) -> Iterator[None]:
    """Mark the document failed when the block raises (then the job fails too, and is kept)."""
    try:
        yield
    except Exception as error:
        current_app.logger.exception("document %s failed", document_id)
        services.fail(document_id, _failure(error))
        raise


def _temporary() -> IO[bytes]:
    return tempfile.TemporaryFile(prefix="meetapp-document-")  # noqa: SIM115


@task("documents.prepare", retries=0, timeout=TIMEOUT)
def prepare_document(document_id: str) -> None:
    document = services.start(document_id)
    if document is None:
        return
    with _failing_document(document_id):
        kind = services.kind_of(document)
        meeting, params = services.meeting_of(document), dict(document.params)
        kind.check(meeting, params)
        if isinstance(kind, SplitKind):
            _plan_parts(document, kind)
            return
        with _temporary() as out:
            kind.write(meeting, params, out, partial(services.report_progress, document_id))
            out.seek(0)
            services.store(document_id, out)


def _plan_parts(document: PreparedDocument, kind: SplitKind) -> None:
    document_id = document.id
    plan = kind.plan(services.meeting_of(document), dict(document.params))
    count = len(plan["parts"])
    with _temporary() as out:
        out.write(json.dumps(plan).encode())
        out.seek(0)
        storage().put(services.plan_key(document_id), out)
    services.report_progress(document_id, 0, count, DRAWING_PAGES)
    enqueue_parts(
        [("documents.part", (document_id, index)) for index in range(count)],
        then=("documents.merge", (document_id,)),
    )


def _plan(document_id: str) -> dict[str, Any]:
    with storage().open(services.plan_key(document_id)) as file:
        plan: dict[str, Any] = json.load(file)
    return plan


@task("documents.part", retries=0, timeout=TIMEOUT)
def prepare_part(document_id: str, index: int) -> None:
    document = services.running(document_id)
    if document is None:
        return
    with _failing_document(document_id):
        kind = services.split_kind_of(document)
        plan = _plan(document_id)
        with _temporary() as out:
            kind.write_part(services.meeting_of(document), plan, index, out)
            out.seek(0)
            storage().put(services.part_key(document_id, index), out)
        services.count_part_done(document_id)


@task("documents.merge", retries=0, timeout=TIMEOUT)
def merge_parts(document_id: str) -> None:
    document = services.running(document_id)
    if document is None:  # a part failed, and said so
        return
    with _failing_document(document_id):
        kind = services.split_kind_of(document)
        files = storage()
        count = len(_plan(document_id)["parts"])
        keys = [services.part_key(document_id, index) for index in range(count)]
        missing = [key for key in keys if not files.exists(key)]
        if missing:
            services.fail(
                document_id,
                f"{len(missing)} of the {len(keys)} parts of the document were not made "
                "(a worker stopped?). Try again.",
            )
            return
        services.report_progress(document_id, count, count, MERGING_PAGES)
        with ExitStack() as stack, _temporary() as out:
            parts = [stack.enter_context(files.open(key)) for key in keys]
            kind.merge(parts, out)
            out.seek(0)
            services.store(document_id, out)
        for key in [*keys, services.plan_key(document_id)]:
            files.delete(key)


@task("documents.remove-expired", every=900)
def remove_expired_documents() -> None:
    removed = services.remove_expired()
    current_app.logger.info(
        "documents: %d expired, %d lost, %d files removed",
        removed.expired,
        removed.lost,
        removed.files,
    )


@task("documents.remove-files")
def remove_document_files(document_ids: list[str]) -> None:
    services.remove_files(document_ids)
