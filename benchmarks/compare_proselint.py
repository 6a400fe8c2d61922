#!/usr/bin/env python3
"""medreview against proselint, side by side, on the same files (issue 9).

    .venv/bin/python benchmarks/compare_proselint.py [-n 300] [--copies 50] [-r 3] [--json FILE]

Two corpora, each audited by both tools in the same run:

- `seed x50`: the issue's own setup, 50 copies of
  corpus/muscle-spasms-lower-back.txt in one folder
  (benchmarks/out/proselint-seed-x50/);
- `generated N`: the synthetic corpus of benchmarks/generate_corpus.py
  (default 300 txt articles, benchmarks/out/corpus-300-s0-txt/, reused
  while its manifest matches corpus/).

Commands, run as subprocesses exactly as a new user would type them:

    .venv/bin/proselint check DIR                       (its CLI on the folder; stdout to a file)
    .venv/bin/medreview audit DIR --offline --jobs J --no-cache --profile --format json
                        --out TMPDIR --fail-on never --as-of 2026-11-25      (J = 1 and 2)

Both tools see the same files: the folders hold only .txt articles (plus the
generator's manifest.json, which neither tool reads). Words are counted the
same way for both: whitespace-split words of each .txt file as read
(`len(text.split())`), so words/s compares wall times on one fixed amount of
text. medreview's own `summary.words` (the words of the cleaned text, page
furniture removed) is shown too, but no rate is computed from it.

Per run: wall time (process start to exit: interpreter start-up, imports,
set-up and writing output are all in it), CPU seconds of the process and its
reaped workers (wait4), the peak RSS of the process tree (the CLI plus its
workers, sampled every 50 ms and summed; run_throughput.TreeSampler), the
largest single process's ru_maxrss, and most processes seen. Runs are
interleaved (proselint, jobs 1, jobs 2, proselint, ...) and each waits for a
quiet CPU first; the table shows medians of --repeat runs.

Targets (issue 9): medreview words/s at --jobs 1 >= 1x proselint's, at
--jobs 2 >= 2x. The script prints each ratio, PASS/FAIL, and for a miss how
much faster medreview would have to get. It also prints medreview's
`--profile` (time per stage, summed over workers) of the median jobs-1 run
of each corpus.

By default the code measured is a frozen copy of pipeline/ and rules/
(run_throughput.make_snapshot, put first on PYTHONPATH), so edits made to
the working tree meanwhile do not mix into the numbers; --no-snapshot
measures the working tree as it is. pip-installs proselint into this
Python's environment (PyPI) when it is missing.
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
import run_throughput as rt  # noqa: E402  (TreeSampler, make_snapshot, ensure_corpus, wait_for_quiet, ...)

AS_OF = rt.AS_OF
SEED_ARTICLE = REPO / "corpus" / "muscle-spasms-lower-back.txt"
VENV_BIN = Path(sys.executable).parent
MEDREVIEW = str(REPO / ".venv" / "bin" / "medreview")
TARGETS = {1: 1.0, 2: 2.0}  # medreview words/s ÷ proselint words/s, by --jobs


# --- running one command, measured ----------------------------------------------

class Sampler(rt.TreeSampler):
    """run_throughput's tree sampler, plus the largest RSS of any one process other than the root (a worker)."""

    def __init__(self, pid: int, use_psutil: bool, worker_every: int = 10) -> None:
        super().__init__(pid, use_psutil)
        self.worker_every = worker_every
        self.peak_worker_rss_kb = 0

    def sample(self) -> None:
        super().sample()
        if self.tick % self.worker_every == 1 and len(self.procs) > 1:
            t0 = time.process_time()
            for p in self.procs[1:]:
                if self.use_psutil:
                    try:
                        kb = p.memory_info().rss // 1024
                    except rt.psutil.Error:
                        continue
                else:
                    kb = rt._status_kb(p, "VmRSS:")
                self.peak_worker_rss_kb = max(self.peak_worker_rss_kb, kb)
            self.seconds_spent += time.process_time() - t0


@dataclass
class Measured:
    tool: str
    jobs: int | None
    seconds: float
    cpu_seconds: float
    peak_tree_rss_mb: float
    root_rss_mb: float             # sampled peak RSS of the process we started (medreview: the CLI, which keeps every result)
    peak_worker_rss_mb: float      # largest sampled RSS of any other process of the tree (a worker); 0 without workers
    largest_process_rss_mb: float  # ru_maxrss from wait4: the root or any child it reaped
    processes: int
    exit_code: int
    busy_before: float
    waited_s: float
    sampler_cpu_s: float
    stdout_bytes: int = 0
    stderr: str = ""
    extra: dict = field(default_factory=dict)  # medreview: report summary; proselint: findings
    peak_tree_pss_mb: float = 0.0  # shared pages split among the processes sharing them (sampled less often)


def measure(cmd: list[str], *, tool: str, jobs: int | None = None, env: dict[str, str] | None = None,
            interval: float = 0.05, quiet: tuple[float, float] = (1.0, 0.0), ok_codes: tuple[int, ...] = (0,),
            use_psutil: bool = True) -> tuple[Measured, Path]:
    """Run cmd (own session, stdout to a temp file), sampling its process tree; (measurements, stdout file).

    The same wait4/sampler scheme as run_throughput.run_once, for any command (run_once only runs
    medreview and keeps neither stdout nor stderr). The caller deletes the stdout file.
    """
    busy_before, waited = rt.wait_for_quiet(*quiet)
    fd, out_name = tempfile.mkstemp(prefix=f"{tool}-stdout-")
    os.close(fd)
    stdout_path = Path(out_name)
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err, env=env, start_new_session=True)
        sampler = Sampler(proc.pid, use_psutil)
        done = threading.Event()
        reaped: dict = {}

        def reap() -> None:
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
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode not in ok_codes:
        stdout_path.unlink(missing_ok=True)
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{stderr[-4000:]}")
    usage = reaped["usage"]
    return Measured(
        tool=tool, jobs=jobs, seconds=reaped["ended"] - started, cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_tree_rss_mb=sampler.peak_rss_kb / 1024, root_rss_mb=sampler.peak_root_rss_kb / 1024,
        peak_worker_rss_mb=sampler.peak_worker_rss_kb / 1024, largest_process_rss_mb=usage.ru_maxrss / 1024,
        processes=sampler.peak_procs, exit_code=proc.returncode, busy_before=busy_before, waited_s=waited,
        sampler_cpu_s=sampler.seconds_spent, stdout_bytes=stdout_path.stat().st_size, stderr=stderr,
        peak_tree_pss_mb=sampler.peak_pss_kb / 1024,
    ), stdout_path


def report_summary(path: Path) -> dict:
    """report.json's summary, read from the end of the file, where medreview writes it last
    (render.json_report.iter_json): a 100,000-article report is 1.9 GB, and json.load of it
    took ~6.4 GB and most of a minute. Only the last MiB is read here, so this process stays
    small (a child's ru_maxrss starts at its parent's high-water RSS at the fork).

    A report whose end is not in that shape is parsed whole, in a separate process for the
    same reason.
    """
    marker = b'\n  "summary": '
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - (1 << 20)))
        tail = fh.read()
    at = tail.rfind(marker)
    text = tail[at + len(marker):].decode("utf-8", "replace").rstrip() if at >= 0 else ""
    if text.endswith("}"):
        try:
            summary = json.loads(text[:-1])  # the summary, without the report's closing brace
            if isinstance(summary, dict) and "findings" in summary:
                return summary
        except ValueError:
            pass
    code = "import json, sys; print(json.dumps(json.load(open(sys.argv[1], encoding='utf-8'))['summary']))"
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def run_medreview(corpus: Path, jobs: int, *, env: dict[str, str] | None, quiet: tuple[float, float],
                  extra: list[str] = (), medreview: str = MEDREVIEW, keep_report: bool = False) -> Measured:
    """`medreview audit CORPUS --offline --jobs J ...` measured; extra holds --no-cache, --profile, ..."""
    out = Path(tempfile.mkdtemp(prefix="medreview-bench-"))
    cmd = [medreview, "audit", str(corpus), "--offline", "--format", "json", "--out", str(out),
           "--fail-on", "never", "--as-of", AS_OF, "--jobs", str(jobs), *extra]
    try:
        m, stdout = measure(cmd, tool="medreview", jobs=jobs, env=env, quiet=quiet)
        stdout.unlink(missing_ok=True)
        report_path = out / "report.json"
        s = report_summary(report_path)
        m.extra = {"articles": s["articles"], "unreadable": s.get("unreadable", 0), "summary_words": s["words"],
                   "findings": s["findings"], "audit_seconds": float(s.get("elapsed_seconds", 0.0)),
                   "report_bytes": report_path.stat().st_size}
    finally:
        if not keep_report:
            shutil.rmtree(out, ignore_errors=True)
    return m


def run_proselint(corpus: Path, *, quiet: tuple[float, float]) -> Measured:
    """`proselint check CORPUS` measured (exit 1 just means it found something)."""
    exe = VENV_BIN / "proselint"
    m, stdout = measure([str(exe), "check", str(corpus)], tool="proselint", quiet=quiet, ok_codes=(0, 1),
                        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    try:
        lines = stdout.read_text(encoding="utf-8", errors="replace").splitlines()
    finally:
        stdout.unlink(missing_ok=True)
    m.extra = {"findings": sum(1 for line in lines if line.strip()),
               "files": len({line.split(":", 1)[0] for line in lines if ":" in line})}
    return m


def ensure_proselint() -> str:
    """proselint's version, pip-installing it (PyPI, into this Python's environment) when missing."""
    probe = [sys.executable, "-c", "import importlib.metadata as m; print(m.version('proselint'))"]
    found = subprocess.run(probe, capture_output=True, text=True)
    if found.returncode != 0 or not (VENV_BIN / "proselint").exists():
        print("proselint is not installed: pip install proselint", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "proselint"], check=True)
        found = subprocess.run(probe, capture_output=True, text=True, check=True)
    return found.stdout.strip()


# --- corpora ------------------------------------------------------------------------

def ensure_copies(copies: int, source: Path = SEED_ARTICLE) -> Path:
    """benchmarks/out/proselint-seed-xN: N identical copies of one sample article (the issue's setup)."""
    folder = OUT / f"proselint-seed-x{copies}"
    data = source.read_bytes()
    wanted = {f"copy{i:03d}{source.suffix}" for i in range(1, copies + 1)}
    have = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    if have != wanted or any((folder / name).read_bytes() != data for name in wanted):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name in wanted:
            (folder / name).write_bytes(data)
    return folder


def count_words(corpus: Path, suffixes: tuple[str, ...] = (".txt",)) -> tuple[int, int]:
    """(files, whitespace-split words) of the article files under corpus, read as the tools read them."""
    files = words = 0
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and path.suffix in suffixes:
            files += 1
            words += len(path.read_text(encoding="utf-8").split())
    return files, words


# --- reporting -------------------------------------------------------------------------

@dataclass
class Row:
    corpus: str
    tool: str
    jobs: int | None
    files: int
    words: int
    seconds: float
    cpu_seconds: float
    words_per_s: float
    peak_tree_rss_mb: float
    largest_process_rss_mb: float
    processes: int
    findings: int
    summary_words: int | None = None
    audit_seconds: float | None = None
    ratio: float | None = None  # words/s ÷ proselint's words/s on the same corpus
    runs: list[dict] = field(default_factory=list)


def summarise(corpus: str, runs: list[Measured], files: int, words: int) -> tuple[Row, Measured]:
    """Medians of the runs, and the run whose time is the median (for its --profile)."""
    med = lambda key: statistics.median(getattr(r, key) for r in runs)  # noqa: E731
    seconds = med("seconds")
    typical = sorted(runs, key=lambda r: r.seconds)[(len(runs) - 1) // 2]
    first = runs[0]
    row = Row(corpus=corpus, tool=first.tool, jobs=first.jobs, files=files, words=words, seconds=seconds,
              cpu_seconds=med("cpu_seconds"), words_per_s=words / seconds, peak_tree_rss_mb=med("peak_tree_rss_mb"),
              largest_process_rss_mb=med("largest_process_rss_mb"), processes=max(r.processes for r in runs),
              findings=first.extra.get("findings", 0), summary_words=first.extra.get("summary_words"),
              audit_seconds=(statistics.median(r.extra["audit_seconds"] for r in runs)
                             if "audit_seconds" in first.extra else None),
              runs=[{k: v for k, v in asdict(r).items() if k != "stderr"} for r in runs])
    return row, typical


def table(rows: list[Row]) -> str:
    head = ["corpus", "tool", "jobs", "files", "words (ws-split)", "seconds", "CPU s", "words/s", "peak tree RSS MB",
            "largest proc RSS MB", "procs", "findings", "summary words", "× proselint"]
    body = [[r.corpus, r.tool, "-" if r.jobs is None else str(r.jobs), f"{r.files:,}", f"{r.words:,}", f"{r.seconds:.2f}",
             f"{r.cpu_seconds:.1f}", f"{r.words_per_s:,.0f}", f"{r.peak_tree_rss_mb:.0f}", f"{r.largest_process_rss_mb:.0f}",
             str(r.processes), f"{r.findings:,}", "-" if r.summary_words is None else f"{r.summary_words:,}",
             "1.00×" if r.tool == "proselint" else f"{r.ratio:.2f}×"] for r in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    line = lambda cells: "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, body)])


def verdicts(rows: list[Row]) -> list[str]:
    out = []
    for r in rows:
        if r.tool != "medreview" or r.jobs not in TARGETS:
            continue
        target = TARGETS[r.jobs]
        ok = r.ratio >= target
        how = (f"{r.ratio / target:.2f}× the target" if ok else
               f"needs to be {target / r.ratio:.2f}× faster ({r.seconds * r.ratio / target:.1f} s "
               f"instead of {r.seconds:.1f} s)")
        out.append(f"{r.corpus}: jobs {r.jobs}: {r.words_per_s:,.0f} words/s = {r.ratio:.2f}× proselint "
                   f"(target ≥ {target:.0f}×): {'PASS' if ok else 'FAIL'}, {how}")
    return out


def profile_lines(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("medreview: profile")), None)
    if start is None:
        return ["(no --profile output found)"]
    return [lines[start]] + [line for line in lines[start + 1:] if line.startswith("  ")]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--articles", type=int, default=300, help="generated articles (default 300)")
    ap.add_argument("--copies", type=int, default=50, help="copies of the seed article, the issue's setup (default 50)")
    ap.add_argument("--repeat", "-r", type=int, default=3, help="runs per tool and job count; medians shown (default 3)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=rt.parse_jobs, default=[1, 2], help="medreview worker counts (default 1,2)")
    ap.add_argument("--no-snapshot", action="store_true", help="measure the working tree instead of a frozen copy")
    ap.add_argument("--max-busy", type=float, default=0.25, help="wait before each run until other work keeps "
                    "at most this share of the CPUs busy (default 0.25)")
    ap.add_argument("--max-wait", type=float, default=120, help="longest such wait, seconds (default 120)")
    ap.add_argument("--json", type=Path, default=OUT / "compare-proselint.json", metavar="FILE",
                    help="save every run here (default benchmarks/out/compare-proselint.json)")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not Path(MEDREVIEW).exists():
        ap.error(f"{MEDREVIEW} not found (run scripts/bootstrap first)")
    proselint_version = ensure_proselint()
    use_psutil = rt.psutil is not None

    seed_dir = ensure_copies(args.copies)
    gen_dir, manifest = rt.ensure_corpus(args.articles, args.seed, ("txt",), False)
    corpora = [(f"seed x{args.copies}", seed_dir), (f"generated {args.articles}", gen_dir)]

    env, snap = None, None
    if not args.no_snapshot:
        snap = rt.make_snapshot()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(snap), os.environ.get("PYTHONPATH")) if p))
    code = rt.code_fingerprint(str(snap) if snap else None)
    git_start = rt.git_state()
    quiet = (args.max_busy, args.max_wait)
    print(f"proselint {proselint_version} (its CLI: proselint check DIR); medreview "
          f"{'snapshot ' + snap.name if snap else 'working tree'} (code {code}); cpus {os.cpu_count()}; "
          f"{args.repeat} runs each, interleaved", file=sys.stderr)

    rows: list[Row] = []
    profiles: dict[str, list[str]] = {}
    for label, folder in corpora:
        files, words = count_words(folder)
        print(f"{label}: {folder.relative_to(REPO)}: {files} files, {words:,} words (whitespace-split)", file=sys.stderr)
        runs: dict[str, list[Measured]] = {"proselint": [], **{f"jobs {j}": [] for j in args.jobs}}
        for i in range(args.repeat):
            m = run_proselint(folder, quiet=quiet)
            runs["proselint"].append(m)
            print(f"  run {i + 1} proselint: {m.seconds:.2f} s, {words / m.seconds:,.0f} words/s, "
                  f"{m.peak_tree_rss_mb:.0f} MB, {m.extra['findings']} findings, busy before {m.busy_before:.0%}",
                  file=sys.stderr)
            for j in args.jobs:
                m = run_medreview(folder, j, env=env, quiet=quiet, extra=["--no-cache", "--profile"])
                runs[f"jobs {j}"].append(m)
                if m.extra["articles"] != files:
                    print(f"  note: medreview audited {m.extra['articles']} articles in {files} files", file=sys.stderr)
                print(f"  run {i + 1} medreview jobs {j}: {m.seconds:.2f} s ({m.cpu_seconds:.1f} CPU s), "
                      f"{words / m.seconds:,.0f} words/s, tree {m.peak_tree_rss_mb:.0f} MB, busy before {m.busy_before:.0%}",
                      file=sys.stderr)
        base, _ = summarise(label, runs["proselint"], files, words)
        rows.append(base)
        for j in args.jobs:
            row, typical = summarise(label, runs[f"jobs {j}"], files, words)
            row.ratio = row.words_per_s / base.words_per_s
            rows.append(row)
            if j == 1:
                profiles[label] = profile_lines(typical.stderr)
    git_end = rt.git_state()

    print()
    print(table(rows))
    print()
    print("words = whitespace-split words of the .txt files as read, the same count for both tools; "
          "summary words = medreview's report summary (cleaned text, page furniture removed), not used in any rate.")
    print("proselint: its CLI, `proselint check DIR` (stdout to a file); medreview: `medreview audit DIR --offline "
          "--no-cache --profile --jobs J --format json`; medians of "
          f"{args.repeat} runs; RSS = peak of the process tree, sampled every 50 ms.")
    print(f"largest proc RSS = ru_maxrss (wait4), which Linux starts at the parent's RSS at fork: never below this "
          f"script's own {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, so for proselint "
          "read the tree column.")
    print()
    for line in verdicts(rows):
        print(line)
    for label, lines in profiles.items():
        print(f"\nmedreview --profile, jobs 1, {label} (median run; stage seconds summed over the audit, "
              "start-up not included):")
        for line in lines:
            print("  " + line)
    all_runs = [run for r in rows for run in r.runs]
    noisy = [r for r in all_runs if r["busy_before"] > args.max_busy]
    if noisy:
        print(f"\nWARNING: {len(noisy)} of {len(all_runs)} runs started while other work kept the CPUs "
              f"{max(r['busy_before'] for r in noisy):.0%} busy; their times are inflated.")
    if not snap and git_end != git_start:
        print("WARNING: the working tree changed while the benchmark ran; these numbers may mix code versions.")
    if snap and rt.code_fingerprint(str(snap)) != code:
        print("WARNING: the snapshot changed during the run.")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "date": dt.date.today().isoformat(), "as_of": AS_OF, "host": platform.node(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "proselint": proselint_version, "repeat": args.repeat,
            "snapshot": str(snap) if snap else None, "code_fingerprint": code, "git_start": git_start, "git_end": git_end,
            "corpora": {label: str(folder) for label, folder in corpora}, "manifest": manifest,
            "seed_sha256": hashlib.sha256(SEED_ARTICLE.read_bytes()).hexdigest(),
            "targets": {str(k): v for k, v in TARGETS.items()}, "results": [asdict(r) for r in rows],
            "profiles": profiles, "verdicts": verdicts(rows),
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"saved {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
