#!/usr/bin/env python3
"""Throughput and memory of `medreview audit`, end to end, as a user runs it.

    python benchmarks/run_throughput.py [-n 500] [--jobs 1,2] [--repeat 3] [--json FILE]

Generates (or reuses) a synthetic corpus of N articles under benchmarks/out/
with benchmarks/generate_corpus.py, then runs the real CLI as a subprocess

    .venv/bin/medreview audit DIR --offline --format json --out TMPDIR
                        --fail-on never --as-of 2026-11-25 --jobs J

for every J, R times each, and reports the median of: wall time (process
start to exit, so interpreter start-up, imports, spaCy set-up, worker
start-up and report writing are all in it), articles/s and words/s
(words = summary.words of report.json), the peak RSS of the whole process
tree (the CLI and its worker processes, sampled every 50 ms and summed), the
peak PSS of the tree (the same, with shared pages split between processes)
and the largest single process's max RSS (ru_maxrss from the kernel), plus
the CPU seconds of the tree (less sensitive than wall time to other work on
the machine). Also times the same command on a 1-article corpus, which is
the fixed cost every run pays before it audits anything.

On a shared machine: each run first waits for the CPUs to be quiet
(--max-busy, --max-wait) and records how busy they were; --snapshot runs a
frozen copy of pipeline/ and rules/ so concurrent edits do not mix into the
numbers. See benchmarks/README.md for how to read the output.

Uses psutil when this Python has it, else reads /proc directly (Linux only).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
import generate_corpus  # noqa: E402

try:
    import psutil  # type: ignore
except ImportError:  # the fallback reads /proc
    psutil = None

AS_OF = "2026-11-25"


# --- sampling the process tree ----------------------------------------------

def _proc_children(pid: int) -> list[int]:
    """Direct children of pid, from /proc (every thread's children file, else a /proc scan)."""
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                kids += [int(x) for x in fh.read().split()]
        return kids
    except FileNotFoundError:
        pass  # kernel without CONFIG_PROC_CHILDREN: scan every process's parent
    except OSError:
        return kids
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    stat = fh.read()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return kids


def _proc_tree(pid: int) -> list[int]:
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo += _proc_children(p)
    return tree


def _status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class TreeSampler:
    """Peak of the summed RSS (and PSS) over a process and all its descendants.

    Cheap enough to run every 50 ms next to the audit on a 2-core machine:
    RSS of every process in the tree each tick (one small /proc read per
    process); the tree itself is re-listed every `tree_every` ticks (listing
    means walking every process on the machine) and PSS, which makes the
    kernel walk each process's page tables, every `pss_every` ticks.
    """

    def __init__(self, pid: int, use_psutil: bool, tree_every: int = 4, pss_every: int = 10) -> None:
        self.pid = pid
        self.use_psutil = use_psutil and psutil is not None
        self.tree_every, self.pss_every = tree_every, pss_every
        self.tick = 0
        self.procs: list = []  # psutil.Process objects, or pids
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self.peak_procs = 0
        self.peak_root_rss_kb = 0
        self.samples = 0
        self.seconds_spent = 0.0  # the sampler's own CPU cost, to judge its interference
        if self.use_psutil:
            try:
                self.root = psutil.Process(pid)
            except psutil.Error:  # already gone (a run that fails at once)
                self.use_psutil = False

    def _relist(self) -> None:
        if self.use_psutil:
            try:
                self.procs = [self.root] + self.root.children(recursive=True)
            except psutil.Error:
                self.procs = []
        else:
            self.procs = _proc_tree(self.pid)

    def sample(self) -> None:
        t0 = time.process_time()
        try:
            self._sample()
        finally:
            self.seconds_spent += time.process_time() - t0

    def _sample(self) -> None:
        if self.tick % self.tree_every == 0 or not self.procs:
            self._relist()
        self.tick += 1
        pids, sizes = [], []
        for p in self.procs:
            if self.use_psutil:
                try:
                    sizes.append(p.memory_info().rss // 1024)
                    pids.append(p.pid)
                except psutil.Error:
                    continue
            else:
                kb = _status_kb(p, "VmRSS:")
                if kb:
                    sizes.append(kb)
                    pids.append(p)
        rss = sum(sizes)
        if not pids or rss == 0:
            return
        if pids[0] == self.pid:
            self.peak_root_rss_kb = max(self.peak_root_rss_kb, sizes[0])
        self.samples += 1
        self.peak_rss_kb = max(self.peak_rss_kb, rss)
        self.peak_procs = max(self.peak_procs, len(pids))
        if self.tick % self.pss_every == 1:
            self.peak_pss_kb = max(self.peak_pss_kb, sum(_pss_kb(p) for p in pids))


# --- one run -------------------------------------------------------------------

@dataclass
class Run:
    jobs: int
    seconds: float
    audit_seconds: float       # summary.elapsed_seconds: the audit loop only, as the CLI times it
    cpu_seconds: float         # user + system CPU of the CLI and its reaped workers (wait4 rusage)
    articles: int
    unreadable: int
    words: int
    findings: int
    peak_tree_rss_mb: float
    peak_tree_pss_mb: float
    largest_process_rss_mb: float  # ru_maxrss of the CLI and its reaped workers
    cli_process_rss_mb: float      # sampled peak RSS of the CLI process alone (holds every result)
    processes: int
    samples: int
    exit_code: int
    load_before: float             # 1-minute load average when the run started (includes the previous run)
    busy_before: float             # share of all CPUs busy in the 0.5 s before the run (other work)
    waited_s: float                # time spent waiting for the machine to be quiet before the run
    sampler_cpu_s: float           # CPU the memory sampler itself used during the run
    code: str                      # fingerprint of pipeline/ and rules/ when the run started


def cpu_busy(seconds: float = 0.5) -> float:
    """Share of all CPUs busy over the next `seconds` (other work on the machine), from /proc/stat."""
    def read() -> tuple[int, int]:
        try:
            with open("/proc/stat") as fh:
                v = [int(x) for x in fh.readline().split()[1:]]
        except (OSError, ValueError):
            return 0, 0
        return sum(v), v[3] + (v[4] if len(v) > 4 else 0)  # total, idle + iowait
    t0, i0 = read()
    time.sleep(seconds)
    t1, i1 = read()
    return 0.0 if t1 <= t0 else 1.0 - (i1 - i0) / (t1 - t0)


def wait_for_quiet(max_busy: float, max_wait: float) -> tuple[float, float]:
    """Wait (up to max_wait s) until other work leaves the CPUs at most max_busy busy; (busy, waited s)."""
    started = time.monotonic()
    busy = cpu_busy()
    while busy > max_busy and time.monotonic() - started < max_wait:
        time.sleep(2)
        busy = cpu_busy()
    return busy, time.monotonic() - started


def run_once(medreview: str, corpus: Path, jobs: int, interval: float, use_psutil: bool,
             extra: list[str], env: dict[str, str] | None = None, quiet: tuple[float, float] = (1.0, 0.0)) -> Run:
    out = Path(tempfile.mkdtemp(prefix="medreview-bench-"))
    cmd = [medreview, "audit", str(corpus), "--offline", "--format", "json", "--out", str(out),
           "--fail-on", "never", "--as-of", AS_OF, "--jobs", str(jobs), *extra]
    busy_before, waited = wait_for_quiet(*quiet)
    load_before = os.getloadavg()[0]
    code = code_fingerprint(env["PYTHONPATH"].split(os.pathsep)[0] if env and env.get("PYTHONPATH") else None)
    try:
        with tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            # Own session, so an interrupted benchmark can stop the CLI and its workers together.
            proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err, env=env,
                                    start_new_session=True)
            sampler = TreeSampler(proc.pid, use_psutil)
            done = threading.Event()
            reaped: dict = {}

            def reap() -> None:
                # wait4 gives this child's rusage: ru_maxrss is the largest of the CLI
                # process and the workers it reaped (RUSAGE_CHILDREN, for this run only).
                _, status, usage = os.wait4(proc.pid, 0)
                reaped.update(ended=time.perf_counter(), status=status, usage=usage)
                done.set()

            waiter = threading.Thread(target=reap, daemon=True)
            waiter.start()
            try:
                sampler.sample()
                while not done.wait(interval):
                    sampler.sample()
            except BaseException:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                raise
            waiter.join()
            proc.returncode = os.waitstatus_to_exitcode(reaped["status"])
            seconds = reaped["ended"] - started
            err.seek(0)
            stderr = err.read().decode("utf-8", "replace")
        if proc.returncode != 0:
            raise SystemExit(f"run_throughput: {' '.join(cmd)} exited {proc.returncode}:\n{stderr}")
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    s = report["summary"]
    return Run(
        jobs=jobs, seconds=seconds, audit_seconds=float(s.get("elapsed_seconds", 0.0)),
        cpu_seconds=reaped["usage"].ru_utime + reaped["usage"].ru_stime,
        articles=s["articles"], unreadable=s.get("unreadable", 0), words=s["words"], findings=s["findings"],
        peak_tree_rss_mb=sampler.peak_rss_kb / 1024, peak_tree_pss_mb=sampler.peak_pss_kb / 1024,
        largest_process_rss_mb=reaped["usage"].ru_maxrss / 1024, cli_process_rss_mb=sampler.peak_root_rss_kb / 1024,
        processes=sampler.peak_procs, samples=sampler.samples, exit_code=proc.returncode,
        load_before=load_before, busy_before=busy_before, waited_s=waited, sampler_cpu_s=sampler.seconds_spent, code=code,
    )


def code_fingerprint(snapshot: str | None = None) -> str:
    """Short hash of the product code and rule packs, so a run set that straddles an edit shows it."""
    h = hashlib.sha256()
    roots = ((Path(snapshot) / "medreview", "pipeline"),) if snapshot else ((REPO / "pipeline", "pipeline"), (REPO / "rules", "rules"))
    files = []
    for root, label in roots:
        for path in root.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc"):
                rel = path.relative_to(root)
                # In a snapshot, rules/ sits inside the package: name it as in the repo.
                name = f"rules/{rel.relative_to('rules')}" if snapshot and rel.parts[0] == "rules" else f"{label}/{rel}"
                files.append((name, path))
    for name, path in sorted(files):
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def make_snapshot() -> Path:
    """A frozen copy of pipeline/ and rules/ as the `medreview` package, for PYTHONPATH.

    PYTHONPATH comes before the editable install's finder, so the real CLI
    (.venv/bin/medreview, same venv, same dependencies) then runs this copy,
    and edits other people make to the working tree mid-benchmark do not
    leak into the numbers.
    """
    fingerprint = code_fingerprint()
    snap = OUT / f"snapshot-{fingerprint}"
    if not (snap / "medreview" / "__init__.py").is_file():
        tmp = OUT / f".snapshot-{fingerprint}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(REPO / "pipeline", tmp / "medreview", ignore=ignore)
        shutil.copytree(REPO / "rules", tmp / "medreview" / "rules", ignore=ignore, dirs_exist_ok=True)
        if code_fingerprint(str(tmp)) != fingerprint:  # an edit landed while copying
            shutil.rmtree(tmp, ignore_errors=True)
            return make_snapshot()
        shutil.rmtree(snap, ignore_errors=True)
        tmp.rename(snap)
    # Byte-code, as an installed package has it (pip compiles on install): without it, runs
    # under PYTHONDONTWRITEBYTECODE would compile every module each time (~0.2 s a run).
    # code_fingerprint reads only the sources.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(snap)], check=False, stdout=subprocess.DEVNULL)
    for old in OUT.glob("snapshot-*"):  # earlier versions: a snapshot is only needed while it runs
        if old != snap and time.time() - old.stat().st_mtime > 3600:
            shutil.rmtree(old, ignore_errors=True)
    return snap


def git_state() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10).stdout.rstrip("\n")
        except (OSError, subprocess.SubprocessError):
            return ""
    dirty = [line[3:] for line in git("status", "--porcelain", "--", "pipeline", "rules", "pyproject.toml").splitlines()]
    return {"commit": git("rev-parse", "HEAD"), "dirty": dirty}


# --- corpus ----------------------------------------------------------------------

def ensure_corpus(n: int, seed: int, formats: tuple[str, ...], regenerate: bool) -> tuple[Path, dict]:
    """benchmarks/out/corpus-N-sS-FORMATS, reused when its manifest matches corpus/ today."""
    folder = OUT / f"corpus-{n}-s{seed}-{'-'.join(formats)}"
    manifest_path = folder / generate_corpus.MANIFEST
    if manifest_path.is_file() and not regenerate:
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        _, hashes = generate_corpus.read_sources(generate_corpus.DEFAULT_SOURCES)
        if (old.get("generator") == generate_corpus.GENERATOR_VERSION and old.get("articles") == n
                and old.get("seed") == seed and old.get("formats") == list(formats)
                and old.get("sources") == hashes):
            return folder, old
        print(f"corpus/ or the generator changed since {folder.name} was made: regenerating", file=sys.stderr)
    manifest = generate_corpus.generate(n, folder, seed=seed, formats=formats, force=True)
    return folder, manifest


# --- reporting -------------------------------------------------------------------

@dataclass
class Summary:
    jobs: int
    articles: int
    words: int
    seconds: float
    audit_seconds: float
    cpu_seconds: float
    articles_per_s: float
    words_per_s: float
    peak_tree_rss_mb: float
    peak_tree_pss_mb: float
    largest_process_rss_mb: float
    cli_process_rss_mb: float
    processes: int
    speedup: float | None = None
    runs: list[dict] = field(default_factory=list)


def summarise(runs: list[Run]) -> Summary:
    med = lambda key: statistics.median(getattr(r, key) for r in runs)  # noqa: E731
    seconds = med("seconds")
    first = runs[0]
    return Summary(
        jobs=first.jobs, articles=first.articles, words=first.words, seconds=seconds,
        audit_seconds=med("audit_seconds"), cpu_seconds=med("cpu_seconds"), articles_per_s=first.articles / seconds,
        words_per_s=first.words / seconds, peak_tree_rss_mb=med("peak_tree_rss_mb"),
        peak_tree_pss_mb=med("peak_tree_pss_mb"), largest_process_rss_mb=med("largest_process_rss_mb"),
        cli_process_rss_mb=med("cli_process_rss_mb"),
        processes=max(r.processes for r in runs), runs=[asdict(r) for r in runs],
    )


def table(rows: list[Summary]) -> str:
    head = ["jobs", "articles", "words", "seconds", "audit s", "CPU s", "articles/s", "words/s",
            "peak tree RSS MB", "peak tree PSS MB", "largest proc RSS MB", "CLI proc RSS MB", "procs", "speed-up"]
    body = [[str(r.jobs), f"{r.articles:,}", f"{r.words:,}", f"{r.seconds:.2f}", f"{r.audit_seconds:.2f}", f"{r.cpu_seconds:.1f}",
             f"{r.articles_per_s:.1f}", f"{r.words_per_s:,.0f}", f"{r.peak_tree_rss_mb:.0f}",
             f"{r.peak_tree_pss_mb:.0f}", f"{r.largest_process_rss_mb:.0f}", f"{r.cli_process_rss_mb:.0f}", str(r.processes),
             "-" if r.speedup is None else f"{r.speedup:.2f}x"] for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    line = lambda cells: "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, body)])


def parse_jobs(value: str) -> list[int]:
    try:
        jobs = [int(j) for j in value.split(",") if j.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of worker counts, e.g. 1,2") from None
    if not jobs or min(jobs) < 1:
        raise argparse.ArgumentTypeError("worker counts must be at least 1")
    return jobs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--articles", type=int, default=500, help="articles in the corpus (default 500)")
    ap.add_argument("--jobs", type=parse_jobs, default=[1, 2], help="worker counts to compare (default 1,2)")
    ap.add_argument("--repeat", "-r", type=int, default=3, help="runs per worker count; the median is reported (default 3)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--formats", type=generate_corpus.parse_formats, default=("txt",),
                    help="corpus formats, as for generate_corpus.py (default txt)")
    ap.add_argument("--corpus", type=Path, help="audit this folder instead of a generated corpus")
    ap.add_argument("--regenerate", action="store_true", help="rebuild the generated corpus even if it looks current")
    ap.add_argument("--medreview", default=str(REPO / ".venv" / "bin" / "medreview"), help="the CLI to run")
    ap.add_argument("--interval", type=float, default=0.05, help="memory sampling interval in seconds (default 0.05)")
    ap.add_argument("--sampler", choices=("auto", "psutil", "proc"), default="auto",
                    help="how to read the process tree's memory (default: psutil if importable, else /proc)")
    ap.add_argument("--snapshot", action="store_true",
                    help="run a frozen copy of pipeline/ and rules/ (via PYTHONPATH), so edits made to the "
                         "working tree while the benchmark runs do not mix into the numbers")
    ap.add_argument("--max-busy", type=float, default=0.25,
                    help="before each run, wait until other work keeps at most this share of the CPUs busy (default 0.25)")
    ap.add_argument("--max-wait", type=float, default=120,
                    help="longest wait for a quiet machine before a run, in seconds (default 120; 0 = never wait)")
    ap.add_argument("--no-baseline", action="store_true", help="skip timing the 1-article corpus (fixed cost)")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also save every run and the summary as JSON")
    ap.add_argument("extra", nargs="*", help="after --: more arguments for `medreview audit`")
    args = ap.parse_args(argv)
    # A plain `kill` of the benchmark becomes an exception, so the running CLI and its workers are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.sampler == "psutil" and psutil is None:
        ap.error("--sampler psutil: psutil is not importable by this Python")
    use_psutil = args.sampler != "proc" and psutil is not None
    if not Path(args.medreview).exists() and not shutil.which(args.medreview):
        ap.error(f"{args.medreview} not found (run scripts/bootstrap first)")

    if args.corpus:
        corpus, manifest = args.corpus, {"articles": None, "note": "user-supplied corpus"}
    else:
        corpus, manifest = ensure_corpus(args.articles, args.seed, args.formats, args.regenerate)
    sampler_name = "psutil" if use_psutil else "/proc"
    print(f"corpus {corpus.relative_to(REPO) if corpus.is_relative_to(REPO) else corpus}: "
          f"{manifest.get('articles')} articles in {manifest.get('files', '?')} files; "
          f"jobs {','.join(map(str, args.jobs))} x {args.repeat} runs; cpus {os.cpu_count()}; sampler {sampler_name}",
          file=sys.stderr)

    git_start = git_state()
    quiet = (args.max_busy, args.max_wait)
    env = None
    if args.snapshot:
        snap = make_snapshot()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(snap), os.environ.get("PYTHONPATH")) if p))
        print(f"measuring a snapshot of pipeline/ and rules/: {snap.relative_to(REPO)}", file=sys.stderr)
    if git_start["dirty"]:
        print(f"note: uncommitted changes in {', '.join(git_start['dirty'])} are part of what is measured", file=sys.stderr)
    baseline = None
    if not args.no_baseline:
        one, _ = (ensure_corpus(1, args.seed, args.formats, args.regenerate) if not args.corpus else (None, None))
        if one is not None:
            baseline_runs = [run_once(args.medreview, one, 1, args.interval, use_psutil, args.extra, env, quiet)
                             for _ in range(args.repeat)]
            baseline = summarise(baseline_runs)
            print(f"  fixed cost (1 article, jobs 1): {baseline.seconds:.2f} s wall, "
                  f"{baseline.peak_tree_rss_mb:.0f} MB RSS", file=sys.stderr)

    # Interleaved (1, 2, 1, 2, ...) so that a change in machine load hits every worker count alike.
    by_jobs: dict[int, list[Run]] = {j: [] for j in args.jobs}
    for i in range(args.repeat):
        for jobs in args.jobs:
            r = run_once(args.medreview, corpus, jobs, args.interval, use_psutil, args.extra, env, quiet)
            print(f"  jobs {jobs} run {i + 1}: {r.seconds:.2f} s ({r.cpu_seconds:.1f} CPU s), {r.articles} articles, "
                  f"tree RSS {r.peak_tree_rss_mb:.0f} MB, largest {r.largest_process_rss_mb:.0f} MB, "
                  f"CPU busy before {r.busy_before:.0%}"
                  f"{f' (after waiting {r.waited_s:.0f} s)' if r.waited_s >= 1 else ''}, sampler CPU {r.sampler_cpu_s:.2f} s",
                  file=sys.stderr)
            if r.unreadable:
                print(f"  note: {r.unreadable} files or records could not be read (see report)", file=sys.stderr)
            by_jobs[jobs].append(r)
    rows = [summarise(runs) for runs in by_jobs.values()]
    codes = {r.code for runs in by_jobs.values() for r in runs} | ({r.code for r in baseline_runs} if baseline else set())
    git_end = git_state()
    base = next((r for r in rows if r.jobs == 1), rows[0])
    for r in rows:
        r.speedup = base.seconds / r.seconds

    print(table(rows))
    for r in rows:
        if r is not base:
            print(f"speed-up of jobs {r.jobs} over jobs {base.jobs}: {r.speedup:.2f}x wall")
    if baseline:
        print(f"fixed cost per run (1 article, jobs 1): {baseline.seconds:.2f} s, {baseline.peak_tree_rss_mb:.0f} MB")
    maxrss_all = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"getrusage(RUSAGE_CHILDREN).ru_maxrss over all runs: {maxrss_all:.0f} MB")
    print(f"code {git_end['commit'][:10]}{' + uncommitted changes' if git_end['dirty'] else ''}, fingerprint {', '.join(sorted(codes))}")
    all_runs = [r for runs in by_jobs.values() for r in runs] + (baseline_runs if baseline else [])
    noisy = [r for r in all_runs if r.busy_before > args.max_busy]
    if noisy:
        print(f"WARNING: {len(noisy)} of {len(all_runs)} runs started while other work kept the CPUs "
              f"{max(r.busy_before for r in noisy):.0%} busy; their times are inflated.")
    if len(codes) > 1 or (git_end != git_start and not args.snapshot):
        print("WARNING: pipeline/ or rules/ changed while the benchmark ran; these numbers mix code versions. Run again.")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "date": dt.date.today().isoformat(), "as_of": AS_OF, "host": platform.node(),
            "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "sampler": sampler_name, "interval": args.interval, "repeat": args.repeat,
            "corpus": str(corpus), "manifest": manifest, "command_extra": args.extra,
            "baseline": asdict(baseline) if baseline else None,
            "results": [asdict(r) for r in rows],
            "ru_maxrss_children_mb": maxrss_all,
            "snapshot": bool(args.snapshot), "git_start": git_start, "git_end": git_end, "code_fingerprints": sorted(codes),
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"saved {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
