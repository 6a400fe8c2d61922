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

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Iterator

from .config import Config
from .model import ArticleResult

BATCH = 16  # files per task: enough to amortise scheduling, small enough to spread a corpus


class DistributedUnavailable(Exception):
    """dask.distributed is missing or the scheduler cannot be reached: a usage error."""


def audit_batch(config: Config, items: list[tuple[str, str]]) -> list[list[ArticleResult]]:
    """Runs on a worker: every file of the batch, the worker's pipeline built once per process.
    Findings come back packed (model.Packed): the client stores them without unpickling."""
    from . import runner

    if runner._state.get("config") != config:
        runner._init(config)
        runner._state["config"] = config
    return [runner.audit_file_packed((Path(path), fmt)) for path, fmt in items]


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


def run_distributed(files: Sequence[tuple[Path, str]], config: Config, scheduler: str,
                    workers: int = 2) -> Iterator[list[ArticleResult]]:
    """Results per file, in input order, computed on a Dask cluster; findings packed (model.Packed)."""
    client, cluster = _client(scheduler, workers)
    try:
        items = [(str(p), fmt) for p, fmt in files]
        batches = [items[i:i + BATCH] for i in range(0, len(items), BATCH)]
        # The config travels with each task (it is small): data scattered to workers dies with them.
        futures = [client.submit(audit_batch, config, batch, pure=False, retries=1) for batch in batches]
        for future, batch in zip(futures, batches):
            try:
                results = future.result()
            except Exception as e:  # a worker died twice on this batch (KilledWorker), or the cluster went away
                if _lost_cluster(client):
                    raise DistributedUnavailable(f"the Dask cluster at {scheduler} went away: {e}") from None
                results = _one_by_one(client, config, batch)
            yield from results
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _one_by_one(client: Any, config: Config, batch: list[tuple[str, str]]) -> list[list[ArticleResult]]:
    """A batch whose worker keeps dying: each file alone, so only the file that kills it is lost."""
    from .worker_pool import worker_died

    out = []
    for path, fmt in batch:
        try:
            out.append(client.submit(audit_batch, config, [(path, fmt)], pure=False, retries=1).result()[0])
        except Exception:
            out.append([worker_died((Path(path), fmt))])
    return out


def _lost_cluster(client: Any) -> bool:
    """True when no worker comes back within 30 s (nannies restart the ones that died)."""
    try:
        if client.status not in ("running", "connecting"):
            return True
        client.wait_for_workers(n_workers=1, timeout=30)
        return False
    except Exception:
        return True
