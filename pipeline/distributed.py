"""Auditing past one machine: articles go to the workers of a Dask cluster.

`medreview audit PATH --executor dask --scheduler tcp://scheduler:8786`
sends the files, in batches, to a `dask.distributed` cluster a team already
runs (`dask scheduler` on one machine, `dask worker tcp://scheduler:8786` on
the others). Each worker process builds its reader, spaCy pipeline, lexicon
and rule packs once (the first batch it gets) and keeps them for the run.
Workers read the articles from the paths the client names, so the content
must be visible to them at the same paths (a shared or synced volume).
Everything after the per-article checks stays on the client: link checking
is corpus-wide and deduplicated there, so each URL is fetched once and the
per-host politeness holds across the cluster; reports are written there.

A worker that dies mid-batch loses nothing: the scheduler hands its batch to
another worker (`retries`), as Dask does for any task.

`--scheduler local` starts a LocalCluster on this machine (one worker process
per `--jobs`), which is also how the tests exercise this path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from .config import Config
from .model import ArticleResult

BATCH = 16  # files per task: enough to amortise scheduling, small enough to spread a corpus


class DistributedUnavailable(Exception):
    """dask.distributed is missing or the scheduler cannot be reached: a usage error."""


def audit_batch(config: Config, items: list[tuple[str, str]]) -> list[list[ArticleResult]]:
    """Runs on a worker: every file of the batch, the worker's pipeline built once per process."""
    from . import runner

    if runner._state.get("config") != config:
        runner._init(config)
        runner._state["config"] = config
    return [runner.audit_file((Path(path), fmt)) for path, fmt in items]


def _client(scheduler: str, workers: int) -> tuple[Any, Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise DistributedUnavailable(
            "--executor dask needs dask.distributed: pip install 'medreview[dask]'") from None
    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None)
            return Client(cluster), cluster
        return Client(scheduler, timeout="10s"), None
    except OSError as e:
        if cluster is not None:
            cluster.close()
        raise DistributedUnavailable(f"cannot reach the Dask scheduler at {scheduler}: {e}") from None


def run_distributed(files: list[tuple[Path, str]], config: Config, scheduler: str,
                    workers: int = 2) -> Iterator[list[ArticleResult]]:
    """Results per file, in input order, computed on a Dask cluster."""
    client, cluster = _client(scheduler, workers)
    try:
        shared = client.scatter(config, broadcast=True)
        items = [(str(p), fmt) for p, fmt in files]
        batches = [items[i:i + BATCH] for i in range(0, len(items), BATCH)]
        futures = [client.submit(audit_batch, shared, batch, pure=False, retries=1) for batch in batches]
        for future in futures:
            yield from future.result()
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
