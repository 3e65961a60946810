"""One run at a time against several at once: whole studies through ``make report``'s pipeline, interleaved.

Each round runs the selected studies once per executor, in the order A B A B ... (a swing in
this machine's speed lands on both), every time in a fresh build directory and an empty run
cache, so every run trains. It times the whole pipeline (the wall time a user waits) and reads
each study's own wall time from its summary. The table gives, per executor, the median wall
time with its range, and the median of the per-round ratios serial / other with their range,
under the CPU it ran on. Results go to ``build/bench/executors.json`` and ``.md``; paste the
table into the README (section "Many runs at once"). Run it on a quiet machine: nothing else
training, no other benchmark beside it.

    python -m tools.bench_executors [--profile quick] [--studies 1,2] [--executors serial,local:2]
                                    [--rounds 3] [--data-dir DIR] [--set epochs=2 ...]

``--set KEY=VALUE`` runs a copy of the profile's parameter files with KEY changed in every selected
study whose file sets it (to shorten the runs, not change what runs); the table states each change.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from lib import io
from lib.experiments import executors
from lib.paths import BUILD, PARAMS, PROJECT_ROOT

from .bench_measures import cpu_description, spread


def shortened_params(profile: str, overrides: dict, scratch: Path) -> Path:
    """A copy of params/ in ``scratch`` with ``overrides`` laid over every file of ``profile`` that sets the key."""
    root = scratch / "params"
    shutil.copytree(PARAMS, root)
    for path in sorted((root / profile).glob("*.yaml")):
        values = yaml.safe_load(path.read_text()) or {}
        values.update({k: v for k, v in overrides.items() if k in values})
        path.write_text(yaml.safe_dump(values, sort_keys=False))
    return root


def parse_overrides(items: list[str]) -> dict:
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SystemExit(f"--set {item!r}: give KEY=VALUE, e.g. --set epochs=2")
        overrides[key.strip()] = yaml.safe_load(value)
    return overrides


def run_once(executor: str, profile: str, studies: str, data_dir: str | None, scratch: Path,
             params_dir: Path | None = None) -> dict:
    """The pipeline for ``studies`` with ``executor``, in a fresh build directory and an empty cache."""
    work = Path(tempfile.mkdtemp(prefix=f"bench-{executor.replace(':', '')}-", dir=scratch))
    env = {**os.environ, executors.ENV: executor, "SMALLIMG_CACHE_DIR": str(work / "cache"),
           **({"SMALLIMG_PARAMS_DIR": str(params_dir)} if params_dir else {}),
           "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p)}
    cmd = [sys.executable, "-m", "lib.report.pipeline", "report", "--profile", profile, "--studies", studies,
           "--build-dir", str(work / "build"), "--reports-dir", str(work / "reports")]
    if data_dir:
        cmd += ["--data-dir", data_dir]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    per_study = {}
    for summary in (work / "build" / profile).glob("*/summary.json"):
        data = io.read_json(summary)
        per_study[summary.parent.name] = {"wall": data.get("render_seconds"), "compute": data.get("compute_seconds")}
    shutil.rmtree(work, ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"{executor}: the pipeline failed (exit {done.returncode}):\n{done.stdout[-2000:]}"
                         f"{done.stderr[-2000:]}")
    return {"executor": executor, "seconds": seconds, "studies": per_study}


def table(results: list[dict], names: list[str], cpu: str, profile: str, studies: str,
          overrides: dict | None = None) -> str:
    base = names[0]
    rounds = sorted({r["round"] for r in results})
    by = {(r["round"], r["executor"]): r["seconds"] for r in results}
    changed = (" with " + ", ".join(f"`{k}: {v}`" for k, v in overrides.items()) + " in every file that sets it"
               if overrides else "")
    lines = [f"CPU: {cpu}. Profile `{profile}`{changed}, studies {studies}; {len(rounds)} interleaved rounds, "
             f"fresh cache each time; {time.strftime('%Y-%m-%d')}.", "",
             f"| executor | wall time, median (range) | {base} / executor, median (range) |", "|---|---|---|"]
    for name in names:
        times = [by[(k, name)] for k in rounds]
        ratios = spread([by[(k, base)] / by[(k, name)] for k in rounds])
        lines.append(f"| `{name}` | {statistics.median(times) / 60:.1f} min ({min(times) / 60:.1f}-"
                     f"{max(times) / 60:.1f}) | {ratios.median:.2f}× ({ratios.low:.2f}-{ratios.high:.2f}) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_executors", description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--studies", default="all", help="comma-separated keys or numbers, or 'all'")
    parser.add_argument("--executors", default="serial,local:2",
                        help="comma-separated; the first is the baseline of the ratios")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data-dir", default=os.environ.get("SMALLIMG_DATA_DIR") or None)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="change KEY in the profile's files that set it (shorter runs), e.g. epochs=2")
    args = parser.parse_args(argv)
    overrides = parse_overrides(args.set)
    names = [n.strip() for n in args.executors.split(",") if n.strip()]
    for name in names:  # a bad name or an unreachable RAY_ADDRESS stops here, before hours of training
        executors.check(executors.parse(name))
    if len(names) < 2 or args.rounds < 1:
        parser.error("give at least two executors and one round")
    cpu = cpu_description()
    print(f"CPU: {cpu}", flush=True)
    out = BUILD / "bench"
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-executors-"))
    params_dir = shortened_params(args.profile, overrides, scratch) if overrides else None
    results = []
    try:
        for k in range(args.rounds):
            for name in names:
                r = run_once(name, args.profile, args.studies, args.data_dir, scratch, params_dir)
                results.append({**r, "round": k + 1})
                print(f"round {k + 1} {name}: {r['seconds'] / 60:.2f} min", flush=True)
                io.write_json(out / "executors.json", {"cpu": cpu, "profile": args.profile, "set": overrides,
                                                       "studies": args.studies, "results": results})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    text = table(results, names, cpu, args.profile, args.studies, overrides)
    (out / "executors.md").write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
