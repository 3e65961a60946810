"""``make bench``: our training path against the seeds' way of training, on this machine.

For each case the same model is trained on the same fixed subset for the same
number of epochs, twice in one process:

* **reference**, as the seeds wrote it: numpy arrays straight into ``model.fit``
  with default settings (float32, batch 32, Adam at its default rate);
* **lib**, through ``lib.training.train_classifier`` with the settings the quick
  profile uses (precision ``auto``, the study's batch size, the in-memory
  ``tf.data`` pipeline, ``steps_per_execution``).

Throughput is images per second over the epochs after the first (which
includes tracing). FLOPs are counted from the layers (multiply-adds of Conv2D,
Conv2DTranspose and Dense, ×2 for FLOPs, ×3 for forward plus backward), and
compared with a nominal peak for this CPU. Results go to ``build/bench/``.

    python -m lib.bench [--cases fashion_cnn] [--epochs 4] [--n-train 15000]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from functools import partial
from typing import Callable

import keras
import numpy as np

from . import io
from .paths import BUILD


@dataclass(frozen=True)
class BenchCase:
    name: str
    study: str
    dataset: str
    build: Callable
    batch_size: int
    learning_rate: float = 1e-3


def _cases() -> dict[str, BenchCase]:
    from .models import build_fashion_cnn

    cases = [BenchCase("fashion_cnn", "Study 2", "fashion_mnist", partial(build_fashion_cnn), 128)]
    return {c.name: c for c in cases}


def training_flops_per_image(model) -> float:
    """Forward multiply-adds of the heavy layers ×2 (FLOPs) ×3 (forward + backward)."""
    from keras import layers

    macs = 0
    for layer in model.layers:
        out = layer.output.shape
        if isinstance(layer, (layers.Conv2D, layers.Conv2DTranspose)):
            kh, kw = layer.kernel_size
            cin = layer.input.shape[-1]
            positions = out[1] * out[2] if isinstance(layer, layers.Conv2D) else layer.input.shape[1] * layer.input.shape[2]
            macs += positions * layer.filters * kh * kw * cin
        elif isinstance(layer, layers.Dense):
            macs += int(np.prod(layer.input.shape[1:])) * layer.units
    return 2.0 * 3.0 * macs


def nominal_peak_gflops() -> dict:
    """Nominal peaks from the clock and flags: AVX-512 FP32 (2 FMA units) and AMX BF16.

    These are upper bounds on paper; vCPUs may be hyperthreads sharing one core.
    """
    mhz, flags = 0.0, ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("cpu MHz") and not mhz:
                    mhz = float(line.split(":")[1])
                elif line.startswith("flags") and not flags:
                    flags = line
    except OSError:
        pass
    ghz, cores = mhz / 1000.0, os.cpu_count() or 1
    fp32_per_cycle = 64 if "avx512f" in flags else (32 if "avx2" in flags else 8)
    peaks = {"fp32": ghz * cores * fp32_per_cycle}
    if "amx_bf16" in flags:
        peaks["bf16"] = ghz * cores * 1024
    return peaks


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch's training steps (evaluation and tracing stay out of the mean)."""

    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self._t)

    def seconds_per_epoch(self) -> float:
        """Mean over the epochs after the first, which includes tracing."""
        return float(np.mean(self.times[1:] if len(self.times) > 1 else self.times))


def run_case(case: BenchCase, split, epochs: int, steps_per_execution: int, precision: str) -> dict:
    from . import runtime
    from .training import train_classifier

    n = len(split.y_train)
    # Reference: the seeds' way.
    keras.mixed_precision.set_global_policy("float32")
    runtime.reseed(0)
    ref = case.build()
    ref.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    ref_timer = EpochTimer()
    ref.fit(split.x_train, split.y_train, epochs=epochs, verbose=0, callbacks=[ref_timer])
    ref_epoch = ref_timer.seconds_per_epoch()
    ref_acc = float(ref.evaluate(split.x_test, split.y_test, verbose=0)[1])
    flops = training_flops_per_image(ref)

    # Ours: the library path with the quick profile's settings.
    policy = runtime.resolve_precision(precision)
    keras.mixed_precision.set_global_policy(policy)
    lib_timer = EpochTimer()
    result = train_classifier(case.build, split, label=f"bench {case.name}", seed=0, epochs=epochs,
                              batch_size=case.batch_size, learning_rate=case.learning_rate, log=False,
                              steps_per_execution=steps_per_execution, extra_callbacks=[lib_timer])
    keras.mixed_precision.set_global_policy("float32")
    lib_epoch = lib_timer.seconds_per_epoch()
    ref_ips, lib_ips = n / ref_epoch, n / lib_epoch
    lib_acc = result.metrics["test_accuracy"]
    peaks = nominal_peak_gflops()
    return {
        "case": case.name, "study": case.study, "train_images": n, "epochs": epochs,
        "reference": "float32, numpy into fit, batch 32, Adam 1e-3",
        "lib": f"{policy}, tf.data, batch {case.batch_size}, steps_per_execution {steps_per_execution}",
        "reference_img_per_s": round(ref_ips, 1), "lib_img_per_s": round(lib_ips, 1),
        "speedup": round(lib_ips / ref_ips, 2),
        "reference_gflops": round(flops * ref_ips / 1e9, 1), "lib_gflops": round(flops * lib_ips / 1e9, 1),
        "peak_fp32_gflops": round(peaks["fp32"], 0), "peak_bf16_gflops": round(peaks.get("bf16", 0), 0),
        "reference_test_acc": round(ref_acc * 100, 2), "lib_test_acc": round(lib_acc * 100, 2),
        "acc_delta_points": round((lib_acc - ref_acc) * 100, 2),
        "goal_met": bool(lib_ips / ref_ips >= 2.0 and (lib_acc - ref_acc) * 100 >= -0.3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="all")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--n-train", type=int, default=15000)
    parser.add_argument("--n-test", type=int, default=5000)
    parser.add_argument("--steps-per-execution", type=int, default=1)
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--data-dir", default=os.environ.get("SMALLIMG_DATA_DIR") or None)
    parser.add_argument("--out", default=str(BUILD / "bench"))
    args = parser.parse_args(argv)

    import pandas as pd

    from .data import classification_split, load_dataset

    cases = _cases()
    chosen = list(cases) if args.cases == "all" else args.cases.split(",")
    rows = []
    for name in chosen:
        case = cases[name]
        ds = load_dataset(case.dataset, args.data_dir)
        split = classification_split(ds, args.n_train + 1, args.n_test, 1 / (args.n_train + 1))
        print(f"bench {name}: {len(split.y_train)} images x {args.epochs} epochs, two ways ...", flush=True)
        rows.append(run_case(case, split, args.epochs, args.steps_per_execution, args.precision))
    table = pd.DataFrame(rows).set_index("case")
    out = io.ensure_writable_dir(args.out, "bench output")
    io.write_text(out / "results.csv", table.to_csv())
    io.write_json(out / "results.json", rows)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.T.to_string())
    print(f"\nwritten: {out / 'results.csv'}, {out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
