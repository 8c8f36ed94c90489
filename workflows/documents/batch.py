"""Many documents at once, on every core: a campaign's export renders a hundred and more files
(each nominee's report as DOCX and PDF), and WeasyPrint's layout is plain CPU work in one thread.

Workers are spawned, not forked: the caller may be the portal's server, whose threads and database
connections a fork would copy half-way. Spawning costs about a second of imports per worker, so a
small batch is rendered in this process.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, Iterator, Mapping, Sequence

from workflows.documents import renditions

# (kind, format, context, DOCX template bytes or None, XLSX list source or None)
Job = tuple[str, str, Mapping[str, Any], bytes | None, Mapping[str, Any] | None]
PARALLEL_FROM = 12  # below this many files, spawning workers costs more than it saves


def workers_for(jobs: int, workers: int | None = None) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    wanted = workers if workers is not None else cores
    return 1 if jobs < PARALLEL_FROM else max(1, min(wanted, jobs))


def _render(job: Job) -> bytes:
    return renditions.render(*job)


def render_many(jobs: Sequence[Job], workers: int | None = None) -> list[bytes]:
    """The bytes of every job, in order; the first DocumentRenderError (vi / en) raised by any."""
    return list(render_each(jobs, workers))


def render_each(jobs: Sequence[Job], workers: int | None = None) -> Iterator[bytes]:
    """The bytes of every job, in order, each as soon as it and those before it are made, so the
    caller can keep them and tell how far it got."""
    count = workers_for(len(jobs), workers)
    if count == 1:
        yield from (_render(job) for job in jobs)
        return
    with ProcessPoolExecutor(count, mp_context=get_context("spawn")) as pool:
        # Small chunks: results come back steadily instead of in a few large lumps.
        yield from pool.map(_render, jobs, chunksize=max(1, min(4, len(jobs) // (count * 4))))
