"""What an image-epoch of each model costs, read from a report run's study logs: the numbers behind
``lib.studies.work.COST``.

Every epoch line in ``build/<profile>/logs/<study>.log`` ends with that epoch's seconds. Per model, the
median seconds of its epoch lines (first epochs left out: they trace the step) over the images of an
epoch, relative to Study 1's CNNs. Run it on a build made from an empty cache (a cached run prints no
epochs), on the machine and executor whose estimate it should serve:

    python -m tools.work_costs [--build build/quick]
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

from lib.paths import BUILD

EPOCH = re.compile(r"^\[(?P<label>[^\]]+)\] epoch (?P<epoch>\d+)/(?P<epochs>\d+) .*\((?P<seconds>[\d.]+) s\)$")

# (COST key, study log, which epoch lines: (label, epochs of its run) -> bool, images per epoch in quick)
MODELS = (
    ("cifar_cnn", "cifar10_batchnorm", lambda label, n: "CNN" in label, 45_000),
    ("fashion_cnn", "fashion_regularisation", lambda label, n: True, 50_000),
    ("fcn", "fashion_fcn_vs_alexnet", lambda label, n: "FCN" in label, 50_000),
    ("alexnet", "fashion_fcn_vs_alexnet", lambda label, n: "AlexNet" in label, 50_000),
    ("fashion_classifier", "fashion_gans", lambda label, n: n == 8, 54_000),
    ("fashion_gan", "fashion_gans", lambda label, n: n == 2, 10_240),
    ("cifar_acgan", "cifar100_vgg_synthetic", lambda label, n: n == 60, 1_000),
    ("vgg_arm", "cifar100_vgg_synthetic", lambda label, n: n == 20, 1_250),
)


def epoch_lines(log: Path) -> list[re.Match]:
    """Every epoch line of a study's log, in order; none where the log is missing."""
    lines = log.read_text(errors="replace").splitlines() if log.is_file() else []
    return [m for line in lines if (m := EPOCH.match(line.strip()))]


def epoch_seconds(log: Path, keep) -> list[float]:
    """Seconds of every epoch line after a run's first that ``keep(label, epochs)`` selects."""
    return [float(m["seconds"]) for m in epoch_lines(log) if int(m["epoch"]) > 1 and keep(m["label"], int(m["epochs"]))]


def study1_networks(build: Path) -> dict[str, float]:
    """``lib.studies.work.CIFAR_CNN``'s costs, on the same scale as :func:`costs`: each of Study 1's CNNs under the
    reference reading and under the next one. A reading's runs print the same labels as the reference's, and
    the executor hands out a whole reading's runs of a network after the reference's, so a run's reading is
    told by how many times its label's first epoch has been seen."""
    seen: dict[str, int] = {}
    found: dict[str, list[float]] = {}
    every: list[float] = []
    for m in epoch_lines(build / "logs" / "cifar10_batchnorm.log"):
        if "CNN" not in m["label"]:
            continue
        if m["epoch"] == "1":
            seen[m["label"]] = seen.get(m["label"], 0) + 1
        elif seen.get(m["label"]):
            network = m["label"].split(" seed ")[0]
            reading = "reference" if seen[m["label"]] == 1 else "next reading"
            found.setdefault(f"{network}, {reading}", []).append(float(m["seconds"]))
            every.append(float(m["seconds"]))
    base = statistics.median(every) if every else None
    return {k: round(statistics.median(v) / base, 2) for k, v in found.items()} if base else {}


def costs(build: Path) -> dict[str, float | None]:
    per_image = {}
    for key, study, keep, images in MODELS:
        seconds = epoch_seconds(build / "logs" / f"{study}.log", keep)
        per_image[key] = statistics.median(seconds) / images if seconds else None
    base = per_image["cifar_cnn"]
    return {k: (round(v / base, 2) if v is not None and base else None) for k, v in per_image.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.work_costs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=BUILD / "quick")
    args = parser.parse_args(argv)
    for key, value in costs(args.build).items():
        print(f"{key:20s} {'no epochs in the logs' if value is None else value}")
    for key, value in study1_networks(args.build).items():
        print(f"Study 1, {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
