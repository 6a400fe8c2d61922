#!/usr/bin/env python3
"""How medreview's time and memory grow with the corpus, and what the result cache saves (issue 9).

    .venv/bin/python benchmarks/scaling.py                 # N = 1,000 and 10,000, jobs 2, then cold vs warm at 1,000
    .venv/bin/python benchmarks/scaling.py --long          # also N = 100,000 (hours; refuses if memory would not fit)
    .venv/bin/python benchmarks/scaling.py --sizes 200,2000 --no-warm

For every N, the generated txt corpus benchmarks/out/corpus-N-s0-txt
(generate_corpus.py; article i is the same at every N, so the small corpus
is the start of the big one) is audited once, cold, by the real CLI:

    .venv/bin/medreview audit DIR --offline --no-cache --profile --jobs 2 --format json
                        --out TMPDIR --fail-on never --as-of 2026-11-25

and the script reports wall seconds, seconds per 1,000 articles, words/s
(whitespace-split words of the files, as compare_proselint.py counts them),
the peak RSS of the process tree (CLI + workers, summed, sampled every
50 ms), the peak RSS of the CLI process alone (it keeps every article's
result until report.json is written, so it is the part that grows with N),
the largest worker RSS, the largest single process's ru_maxrss, the audit
loop's own seconds (summary.elapsed_seconds) and the size of report.json.

Verdicts printed at the end:

- linear time: seconds per 1,000 articles at the largest N within 15% of
  the smallest N's (the fixed start-up, ~2.5 s, makes small N look a bit
  slower per article, never faster);
- flat memory: peak tree RSS at the largest N within 25% of the smallest
  N's; the CLI and worker figures say which part grew, and the CLI's growth
  per 1,000 articles is extrapolated to 100,000.

Cold vs warm cache: at N = 1,000 (the smallest size), with the result cache
in a fresh temporary folder (MEDREVIEW_CACHE_DIR) and a team rule-pack folder
holding an empty claims.yml, one run that fills it (cold, cache on), one that
reads it (warm), and one after the team's claims.yml changed (only CLAIM is
audited again); compared with the --no-cache run above. --dask adds a run of
the smallest corpus on a LocalCluster of --jobs workers. --long first checks that the CLI's projected memory at 100,000
fits in MemAvailable and refuses otherwise (--force runs it anyway).

Measures a frozen copy of pipeline/ and rules/ by default (see
compare_proselint.py and run_throughput.py --snapshot); --no-snapshot
measures the working tree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
import run_throughput as rt  # noqa: E402
from compare_proselint import MEDREVIEW, Measured, count_words, profile_lines, run_medreview  # noqa: E402

LINEAR_TOLERANCE = 0.15  # s per 1,000 articles at the largest N vs the smallest
FLAT_TOLERANCE = 0.25    # peak tree RSS at the largest N vs the smallest


@dataclass
class Point:
    label: str
    articles: int
    files: int
    words: int
    summary_words: int
    seconds: float
    audit_seconds: float
    cpu_seconds: float
    s_per_1000: float
    words_per_s: float
    peak_tree_rss_mb: float
    cli_rss_mb: float
    worker_rss_mb: float
    largest_process_rss_mb: float
    processes: int
    report_mb: float
    findings: int
    busy_before: float
    waited_s: float
    cache_mb: float | None = None
    profile: list[str] = field(default_factory=list)
    # Shared pages split among the processes that share them (the workers fork from the CLI):
    # what the tree really occupies; the summed RSS above counts a shared page once per process.
    peak_tree_pss_mb: float = 0.0


def point(label: str, m: Measured, files: int, words: int, cache_mb: float | None = None) -> Point:
    n = m.extra["articles"]
    return Point(label=label, articles=n, files=files, words=words, summary_words=m.extra["summary_words"],
                 seconds=m.seconds, audit_seconds=m.extra["audit_seconds"], cpu_seconds=m.cpu_seconds,
                 s_per_1000=1000 * m.seconds / n, words_per_s=words / m.seconds, peak_tree_rss_mb=m.peak_tree_rss_mb,
                 cli_rss_mb=m.root_rss_mb, worker_rss_mb=m.peak_worker_rss_mb,
                 largest_process_rss_mb=m.largest_process_rss_mb, processes=m.processes,
                 report_mb=m.extra["report_bytes"] / 2**20, findings=m.extra["findings"], busy_before=m.busy_before,
                 waited_s=m.waited_s, cache_mb=cache_mb, profile=profile_lines(m.stderr),
                 peak_tree_pss_mb=m.peak_tree_pss_mb)


def table(points: list[Point]) -> str:
    head = ["run", "articles", "words", "seconds", "audit s", "CPU s", "s / 1k articles", "words/s",
            "peak tree RSS MB", "peak tree PSS MB", "CLI proc RSS MB", "largest worker RSS MB", "largest proc RSS MB", "report.json MB"]
    body = [[p.label, f"{p.articles:,}", f"{p.words:,}", f"{p.seconds:.1f}", f"{p.audit_seconds:.1f}", f"{p.cpu_seconds:.1f}",
             f"{p.s_per_1000:.1f}", f"{p.words_per_s:,.0f}", f"{p.peak_tree_rss_mb:.0f}", f"{p.peak_tree_pss_mb:.0f}", f"{p.cli_rss_mb:.0f}",
             f"{p.worker_rss_mb:.0f}" if p.worker_rss_mb else "-", f"{p.largest_process_rss_mb:.0f}", f"{p.report_mb:.0f}"]
            for p in points]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    line = lambda cells: "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, body)])


def mem_available_mb() -> float:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return float("inf")


def cli_slope(points: list[Point]) -> float | None:
    """MB of CLI RSS per 1,000 articles, between the smallest and largest N."""
    if len(points) < 2 or points[-1].articles == points[0].articles:
        return None
    return 1000 * (points[-1].cli_rss_mb - points[0].cli_rss_mb) / (points[-1].articles - points[0].articles)


def du_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def parse_sizes(value: str) -> list[int]:
    try:
        sizes = sorted({int(v.replace("_", "")) for v in value.split(",") if v.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of article counts, e.g. 1000,10000") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be at least 1")
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=parse_sizes, default=[1000, 10000], help="article counts (default 1000,10000)")
    ap.add_argument("--long", action="store_true", help="also N = 100,000 (hours)")
    ap.add_argument("--force", action="store_true", help="with --long: run 100,000 even if memory looks too small")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-warm", action="store_true", help="skip the cold-vs-warm cache runs")
    ap.add_argument("--dask", action="store_true",
                    help="also audit the smallest corpus on a LocalCluster (--executor dask --scheduler local)")
    ap.add_argument("--no-snapshot", action="store_true", help="measure the working tree instead of a frozen copy")
    ap.add_argument("--max-busy", type=float, default=0.25)
    ap.add_argument("--max-wait", type=float, default=120)
    ap.add_argument("--json", type=Path, default=OUT / "scaling.json", metavar="FILE",
                    help="save the results (default benchmarks/out/scaling.json)")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not Path(MEDREVIEW).exists():
        ap.error(f"{MEDREVIEW} not found (run scripts/bootstrap first)")
    sizes = sorted(set(args.sizes) | ({100_000} if args.long else set()))
    quiet = (args.max_busy, args.max_wait)

    env, snap = dict(os.environ), None
    if not args.no_snapshot:
        snap = rt.make_snapshot()
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(snap), os.environ.get("PYTHONPATH")) if p)
    code = rt.code_fingerprint(str(snap) if snap else None)
    git_start = rt.git_state()
    print(f"medreview {'snapshot ' + snap.name if snap else 'working tree'} (code {code}), jobs {args.jobs}, "
          f"sizes {', '.join(f'{n:,}' for n in sizes)}; cpus {os.cpu_count()}", file=sys.stderr)

    points: list[Point] = []
    manifests: dict[int, dict] = {}
    skipped: list[str] = []
    for n in sizes:
        if n == 100_000 and args.long and not args.force:
            slope = cli_slope(points)
            if slope is not None:
                projected = points[-1].cli_rss_mb + slope * (n - points[-1].articles) / 1000 + points[-1].worker_rss_mb * args.jobs
                if projected > 0.9 * mem_available_mb():
                    msg = (f"N = {n:,} skipped: projected tree RSS {projected / 1024:.1f} GB "
                           f"(CLI grows {slope:.0f} MB per 1,000 articles) > 90% of MemAvailable "
                           f"{mem_available_mb() / 1024:.1f} GB; --force runs it anyway")
                    print(msg, file=sys.stderr)
                    skipped.append(msg)
                    continue
        corpus, manifests[n] = rt.ensure_corpus(n, args.seed, ("txt",), False)
        files, words = count_words(corpus)
        print(f"N = {n:,}: {corpus.relative_to(REPO)}, {words:,} words; running ...", file=sys.stderr)
        m = run_medreview(corpus, args.jobs, env=env, quiet=quiet, extra=["--no-cache", "--profile"])
        p = point(f"cold --no-cache, N={n:,}", m, files, words)
        points.append(p)
        print(f"  {p.seconds:.1f} s ({p.s_per_1000:.1f} s per 1,000), {p.words_per_s:,.0f} words/s, tree "
              f"{p.peak_tree_rss_mb:.0f} MB, CLI {p.cli_rss_mb:.0f} MB, worker {p.worker_rss_mb:.0f} MB, "
              f"busy before {p.busy_before:.0%}", file=sys.stderr)

    cache_points: list[Point] = []
    if not args.no_warm:
        n = sizes[0]
        corpus, _ = rt.ensure_corpus(n, args.seed, ("txt",), False)
        files, words = count_words(corpus)
        cache_dir = Path(tempfile.mkdtemp(prefix="medreview-cache-"))
        try:
            cenv = dict(env, MEDREVIEW_CACHE_DIR=str(cache_dir / "cache"))
            # A team pack folder from the start, so that editing its claims.yml later is the only change.
            pack = cache_dir / "pack"
            pack.mkdir()
            (pack / "claims.yml").write_text("pack: claims\n", encoding="utf-8")
            toml = cache_dir / "medreview.toml"
            toml.write_text('[rules]\npacks = ["pack"]\n', encoding="utf-8")
            for label in ("cold, cache filling", "warm, cache read", "warm, claims.yml edited"):
                if label.endswith("edited"):
                    (pack / "claims.yml").write_text("pack: claims\nsettings:\n  support_window: 1\n",
                                                     encoding="utf-8")
                m = run_medreview(corpus, args.jobs, env=cenv, quiet=quiet, extra=["--profile", "--config", str(toml)])
                p = point(f"{label}, N={n:,}", m, files, words, cache_mb=du_mb(cache_dir / "cache"))
                cache_points.append(p)
                print(f"  {p.label}: {p.seconds:.1f} s, tree {p.peak_tree_rss_mb:.0f} MB, cache {p.cache_mb:.0f} MB",
                      file=sys.stderr)
        finally:
            shutil.rmtree(cache_dir, ignore_errors=True)
    dask_points: list[Point] = []
    if args.dask:
        n = sizes[0]
        corpus, _ = rt.ensure_corpus(n, args.seed, ("txt",), False)
        files, words = count_words(corpus)
        m = run_medreview(corpus, args.jobs, env=env, quiet=quiet,
                          extra=["--no-cache", "--profile", "--executor", "dask", "--scheduler", "local"])
        p = point(f"LocalCluster of {args.jobs} workers, --no-cache, N={n:,}", m, files, words)
        dask_points.append(p)
        print(f"  {p.label}: {p.seconds:.1f} s, tree {p.peak_tree_rss_mb:.0f} MB", file=sys.stderr)
    git_end = rt.git_state()

    print()
    print(table(points + cache_points + dask_points))
    print()
    print(f"jobs {args.jobs}; words = whitespace-split words of the files; seconds = wall time of the CLI process "
          "(start-up and report writing included); audit s = summary.elapsed_seconds (the audit loop alone); "
          "RSS sampled every 50 ms (tree = CLI + workers, summed); largest proc RSS = ru_maxrss (wait4) of the "
          "CLI and its reaped workers.")
    verdict: dict = {}
    if len(points) >= 2:
        lo, hi = points[0], points[-1]
        growth = hi.s_per_1000 / lo.s_per_1000
        ok = growth <= 1 + LINEAR_TOLERANCE
        marginal = [f"{1000 * (b.seconds - a.seconds) / (b.articles - a.articles):.1f} s per 1,000 "
                    f"between {a.articles:,} and {b.articles:,}" for a, b in zip(points, points[1:])]
        print(f"\nlinear time: {' → '.join(f'{p.s_per_1000:.1f}' for p in points)} s per 1,000 articles "
              f"({growth:.2f}× from {lo.articles:,} to {hi.articles:,}; target ≤ {1 + LINEAR_TOLERANCE:.2f}×): "
              f"{'PASS' if ok else 'FAIL'}; marginal {'; '.join(marginal)}; "
              f"time outside the audit loop {lo.seconds - lo.audit_seconds:.1f} s → {hi.seconds - hi.audit_seconds:.1f} s")
        cpu_k = [1000 * p.cpu_seconds / p.articles for p in points]
        cpu_growth = cpu_k[-1] / cpu_k[0]
        print(f"  CPU s per 1,000 articles (hardly affected by other work on the machine): "
              f"{' → '.join(f'{c:.1f}' for c in cpu_k)} ({cpu_growth:.2f}×): "
              f"{'PASS' if cpu_growth <= 1 + LINEAR_TOLERANCE else 'FAIL'}")
        mem = hi.peak_tree_rss_mb / lo.peak_tree_rss_mb
        mem_ok = mem <= 1 + FLAT_TOLERANCE
        slope = cli_slope(points)
        print(f"flat memory: peak tree RSS {lo.peak_tree_rss_mb:.0f} MB → {hi.peak_tree_rss_mb:.0f} MB "
              f"({mem:.2f}×; target ≤ {1 + FLAT_TOLERANCE:.2f}×): {'PASS' if mem_ok else 'FAIL'}")
        if lo.peak_tree_pss_mb and hi.peak_tree_pss_mb:
            print(f"  peak tree PSS (shared pages counted once) {lo.peak_tree_pss_mb:.0f} → {hi.peak_tree_pss_mb:.0f} MB "
                  f"({hi.peak_tree_pss_mb / lo.peak_tree_pss_mb:.2f}×)")
        print(f"  CLI process {lo.cli_rss_mb:.0f} → {hi.cli_rss_mb:.0f} MB ({slope:.0f} MB per 1,000 articles; "
              f"≈{(lo.cli_rss_mb + slope * (100_000 - lo.articles) / 1000) / 1024:.1f} GB at 100,000), "
              f"largest worker {lo.worker_rss_mb:.0f} → {hi.worker_rss_mb:.0f} MB, "
              f"report.json {lo.report_mb:.0f} → {hi.report_mb:.0f} MB "
              f"({1024 * hi.report_mb / hi.articles:.0f} KB per article)")
        verdict = {"linear_growth": growth, "linear_pass": ok, "cpu_per_1000_growth": cpu_growth, "memory_growth": mem, "memory_pass": mem_ok,
                   "cli_mb_per_1000": slope}
    if cache_points:
        cold_nc = points[0]
        cold, warm, edited = cache_points
        print(f"\ncache at N = {cold.articles:,}: --no-cache {cold_nc.seconds:.1f} s, cold (filling) {cold.seconds:.1f} s, "
              f"warm {warm.seconds:.1f} s: warm is {cold.seconds / warm.seconds:.1f}× faster than cold, "
              f"{cold_nc.seconds / warm.seconds:.1f}× faster than --no-cache (target ≥ 10×: "
              f"{'PASS' if cold_nc.seconds / warm.seconds >= 10 else 'FAIL'}); cache {warm.cache_mb:.0f} MB on disk "
              f"({1024 * warm.cache_mb / warm.articles:.0f} KB per article); after editing a team claims.yml "
              f"{edited.seconds:.1f} s ({cold_nc.seconds / edited.seconds:.1f}× faster than --no-cache: only CLAIM ran again)")
        verdict["warm_speedup"] = cold.seconds / warm.seconds
        verdict["warm_vs_no_cache"] = cold_nc.seconds / warm.seconds
        verdict["edited_pack_speedup"] = cold_nc.seconds / edited.seconds
    if dask_points:
        local = points[0]
        d = dask_points[0]
        print(f"\nlocal --jobs {args.jobs} vs LocalCluster of {args.jobs} workers at N = {d.articles:,}: "
              f"{local.seconds:.1f} s vs {d.seconds:.1f} s ({local.seconds / d.seconds:.2f}×)")
        verdict["dask_vs_local"] = local.seconds / d.seconds
    for p in points[-1:] + cache_points[-1:]:
        print(f"\n--profile of '{p.label}' (stage seconds summed over both workers):")
        for line in p.profile:
            print("  " + line)
    for msg in skipped:
        print(f"\n{msg}")
    cores = min(args.jobs, os.cpu_count() or 1)
    # From ~500 articles on, start-up is a small part of a cold run and both workers stay busy.
    shared = [p for p in points + cache_points[:1] if p.articles >= 500 and p.cpu_seconds < 0.8 * cores * p.seconds]
    if shared:
        print(f"\nWARNING: {', '.join(p.label for p in shared)}: CPU s below 80% of {cores} cores × wall seconds "
              f"(a cold run keeps both busy): other work shared the machine; compare CPU s, not seconds.")
    noisy = [p for p in points + cache_points if p.busy_before > args.max_busy]
    if noisy:
        print(f"\nWARNING: {len(noisy)} runs started while other work kept the CPUs "
              f"{max(p.busy_before for p in noisy):.0%} busy; their times are inflated.")
    if not snap and git_end != git_start:
        print("WARNING: the working tree changed while the benchmark ran; these numbers may mix code versions.")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"date": dt.date.today().isoformat(), "as_of": rt.AS_OF, "host": platform.node(), "cpus": os.cpu_count(),
                   "python": platform.python_version(), "jobs": args.jobs, "snapshot": str(snap) if snap else None,
                   "code_fingerprint": code, "git_start": git_start, "git_end": git_end,
                   "manifests": {str(k): {kk: vv for kk, vv in v.items() if kk != "sources"} for k, v in manifests.items()},
                   "points": [asdict(p) for p in points], "cache": [asdict(p) for p in cache_points],
                   "verdict": verdict, "skipped": skipped}
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"saved {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
