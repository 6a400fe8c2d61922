"""Files through a pool of worker processes, results in input order, surviving workers that die.

The runner (medreview.runner) decides what to audit; this module only keeps
a few files in flight per worker, streams results back in order, and finds
the file that kills its worker.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Iterator

from .checks import INPUT_BY_ID
from .config import Config
from .model import ArticleResult, Finding, empty_meta, fingerprint

_IN_FLIGHT_PER_WORKER = 8  # files submitted ahead per worker: enough to keep it busy, few results held


def run_in_workers(files: Sequence[tuple[Path, str]], config: Config, workers: int, init: Callable[[Config], None],
                   audit_file: Callable[[tuple[Path, str]], list[ArticleResult]]) -> Iterator[list[ArticleResult]]:
    """Files through a pool of workers, results in input order, surviving workers that die.

    A worker killed mid-batch (out of memory on one huge article, a segfault in
    a C extension, kill -9) breaks the whole pool. The files it left unfinished
    go through a fresh pool once more; if that breaks too, the rest are audited
    one at a time, each in a worker of its own, so the file that kills its worker
    is found and reported (INPUT008) and no other file loses its results.
    """
    done: dict[int, list[ArticleResult]] = {}
    todo = list(range(len(files)))
    rounds = 0
    next_out = 0
    while todo:
        rounds += 1
        isolated = rounds > 2
        unfinished: list[int] = []
        batches = [[i] for i in todo] if isolated else [todo]
        for batch in batches:
            pool_workers = 1 if isolated else workers
            with ProcessPoolExecutor(max_workers=pool_workers, initializer=init, initargs=(config,)) as pool:
                # A window of files in flight, not the whole batch: a finished future keeps its
                # result, so submitting 10,000 files at once kept every result in memory.
                queue = deque(batch)
                pending: deque[tuple[int, Any]] = deque()
                broken = False
                while queue or pending:
                    while queue and not broken and len(pending) < _IN_FLIGHT_PER_WORKER * pool_workers:
                        i = queue.popleft()
                        try:
                            pending.append((i, pool.submit(audit_file, files[i])))
                        except BrokenProcessPool:
                            broken = True
                            queue.appendleft(i)
                    if not pending:  # the pool broke before taking these: they go round again
                        unfinished.extend(queue)
                        queue.clear()
                        break
                    i, future = pending.popleft()
                    try:
                        done[i] = future.result()
                    except BrokenProcessPool:
                        broken = True
                        if isolated:
                            done[i] = [worker_died(files[i])]
                        else:
                            unfinished.append(i)
                    del future
                    while next_out in done:  # stream results in input order as soon as they exist
                        yield done.pop(next_out)
                        next_out += 1
                if broken:
                    pool.shutdown(wait=False, cancel_futures=True)
        todo = unfinished
    while next_out in done:
        yield done.pop(next_out)
        next_out += 1


def worker_died(item: tuple[Path, str]) -> ArticleResult:
    """The result for a file whose worker process died on it, twice."""
    path, fmt = item
    rule = INPUT_BY_ID["INPUT008"]
    reason = ("the process auditing this file stopped (killed, or out of memory) every time it was tried; "
              "the rest of the batch went on")
    finding = Finding(rule=rule.id, category="input", severity=rule.severity,
                      message=f"medreview could not audit this file: {reason}.", line=1, column=1,
                      end_line=1, end_column=1, excerpt="", evidence={"error": "worker process died"})
    finding.fingerprint = fingerprint(str(path), rule.id, "worker process died", 0)
    return ArticleResult(path=str(path), format=fmt, title=None, meta=empty_meta(), findings=[finding],
                         stats={"id": str(path), "line": 1, "failed": True, "error": reason})
