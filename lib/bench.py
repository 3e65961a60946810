"""``make bench``: our training paths against the seeds' way of training, on this machine.

Each study's main model is trained on the same fixed subset for the same
number of epochs, twice in one process:

* **reference**, as the seeds wrote it: numpy arrays straight into ``model.fit``
  with default settings (float32, batch 32, Adam at its default rate, constant);
* **lib**, through ``lib.train.classifier.train_classifier`` with the library's
  defaults for that study (precision ``auto``, the study's batch size, the
  in-memory ``tf.data`` pipeline, cosine learning-rate decay).

The GAN case (Study 4) compares the traced ``train_step`` of
``lib.gan.gans.GAN`` run by ``fit`` with a naive custom loop that calls the same
step eagerly, batch by batch, in float32.

Throughput is training images per second in the fastest epoch after the first
(the first includes tracing); validation and evaluation are not timed. FLOPs
are counted from the layers (multiply-adds of Conv2D, Conv2DTranspose and
Dense, x2 for FLOPs, x3 for forward plus backward), and compared with a
nominal peak for this CPU. A second table measures single levers (precision,
batch size, input pipeline, ``steps_per_execution``) on the Study 2 CNN, for
throughput only. Results go to ``build/bench/``.

    python -m lib.bench [--cases fashion_cnn,dcgan] [--epochs 6] [--n-train 10000] [--no-levers]
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
from .summary import bench_summary


@dataclass(frozen=True)
class BenchCase:
    name: str
    study: str
    dataset: str
    build: Callable
    batch_size: int
    learning_rate: float = 1e-3
    lr_schedule: str = "cosine"
    steps_per_execution: int = 1
    train_fraction: float = 1.0  # of --n-train, for models too slow for the full subset in the time budget


def _cases() -> dict[str, BenchCase]:
    from .models import build_alexnet, build_cifar_cnn, build_fashion_cnn, build_vgg16

    cases = [
        # Batch 128 takes a quarter of batch 32's steps per epoch; a 3x rate (cosine-decayed) gave equal
        # accuracy after 6 epochs on 10k images (2e-3: -1.0 point). AlexNet did better at 2e-3 than at 3e-3.
        BenchCase("fashion_cnn", "Study 2", "fashion_mnist", partial(build_fashion_cnn), 128, 3e-3),
        BenchCase("cifar_bn_cnn", "Study 1", "cifar10", partial(build_cifar_cnn, batch_norm=True), 128, 2e-3),
        BenchCase("alexnet", "Study 3", "fashion_mnist", partial(build_alexnet), 128, 2e-3),
        BenchCase("vgg16_quarter", "Study 5", "cifar10",
                  partial(build_vgg16, width=0.25, batch_norm=False, num_classes=10), 64, 1e-3,
                  train_fraction=0.5),
    ]
    return {c.name: c for c in cases}


GAN_CASES = ("dcgan",)


def training_flops_per_image(model) -> float:
    """Forward multiply-adds of the heavy layers ×2 (FLOPs) ×3 (forward + backward)."""
    from keras import layers

    macs = 0
    for layer in _leaf_layers(model):
        out = layer.output.shape
        if isinstance(layer, (layers.Conv2D, layers.Conv2DTranspose)):
            kh, kw = layer.kernel_size
            cin = layer.input.shape[-1]
            positions = out[1] * out[2] if isinstance(layer, layers.Conv2D) else layer.input.shape[1] * layer.input.shape[2]
            macs += positions * layer.filters * kh * kw * cin
        elif isinstance(layer, layers.Dense):
            macs += int(np.prod(layer.input.shape[1:])) * layer.units
    return 2.0 * 3.0 * macs


def _leaf_layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _leaf_layers(layer)
        else:
            yield layer


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
    """Wall time of each epoch's training steps, up to its last batch (validation stays out)."""

    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t = self._last = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._last = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(self._last - self._t)

    def seconds_per_epoch(self) -> float:
        """The fastest epoch after the first (which includes tracing).

        The minimum, as ``timeit`` recommends: on a shared machine other jobs only ever add time, and
        steal time here varied from 5 to 30 % within minutes, which made means swing by 2x.
        """
        return float(np.min(self.times[1:] if len(self.times) > 1 else self.times))


def _reference_fit(build: Callable, split, epochs: int, batch_size: int = 32, policy: str = "float32"):
    """The seeds' way: numpy arrays into ``fit``, default Adam, constant rate."""
    from .train import runtime

    keras.mixed_precision.set_global_policy(policy)
    runtime.reseed(0)
    model = build()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(split.x_train, split.y_train, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[timer])
    keras.mixed_precision.set_global_policy("float32")
    return model, timer


def _lib_fit(case: BenchCase, split, epochs: int, policy: str, batch_size: int | None = None,
             steps_per_execution: int | None = None):
    from .train.classifier import train_classifier

    keras.mixed_precision.set_global_policy(policy)
    timer = EpochTimer()
    result = train_classifier(case.build, split, label=f"bench {case.name}", seed=0, epochs=epochs,
                              batch_size=batch_size or case.batch_size, learning_rate=case.learning_rate,
                              lr_schedule=case.lr_schedule, log=False,
                              steps_per_execution=steps_per_execution or case.steps_per_execution,
                              extra_callbacks=[timer])
    keras.mixed_precision.set_global_policy("float32")
    return result, timer


def _row(case_name: str, study: str, n: int, epochs: int, reference: str, lib: str, ref_ips: float,
         lib_ips: float, flops: float, ref_acc: float | None, lib_acc: float | None) -> dict:
    peaks = nominal_peak_gflops()
    delta = None if ref_acc is None else round((lib_acc - ref_acc) * 100, 2)
    return {
        "case": case_name, "study": study, "train_images": n, "epochs": epochs,
        "reference": reference, "lib": lib,
        "reference_img_per_s": round(ref_ips, 1), "lib_img_per_s": round(lib_ips, 1),
        "speedup": round(lib_ips / ref_ips, 2),
        "reference_gflops": round(flops * ref_ips / 1e9, 1), "lib_gflops": round(flops * lib_ips / 1e9, 1),
        "peak_fp32_gflops": round(peaks["fp32"], 0), "peak_bf16_gflops": round(peaks.get("bf16", 0), 0),
        "reference_test_acc": None if ref_acc is None else round(ref_acc * 100, 2),
        "lib_test_acc": None if lib_acc is None else round(lib_acc * 100, 2),
        "acc_delta_points": delta,
        "goal_met": bool(lib_ips / ref_ips >= 2.0 and (delta is None or delta >= -0.3)),
    }


def run_case(case: BenchCase, split, epochs: int, precision: str) -> dict:
    from .train import runtime

    n = len(split.y_train)
    ref, ref_timer = _reference_fit(case.build, split, epochs)
    ref_acc = float(ref.evaluate(split.x_test, split.y_test, verbose=0)[1])
    flops = training_flops_per_image(ref)
    policy = runtime.resolve_precision(precision)
    result, lib_timer = _lib_fit(case, split, epochs, policy)
    return _row(case.name, case.study, n, epochs, "float32, numpy into fit, batch 32, Adam 1e-3 constant",
                f"{policy}, tf.data, batch {case.batch_size}, Adam {case.learning_rate:g} {case.lr_schedule}, "
                f"steps_per_execution {case.steps_per_execution}",
                n / ref_timer.seconds_per_epoch(), n / lib_timer.seconds_per_epoch(), flops, ref_acc,
                result.metrics["test_accuracy"])


def run_gan_case(name: str, x_uint8: np.ndarray, epochs: int, precision: str, batch_size: int = 64) -> dict:
    """Images/s of the traced GAN step under ``fit`` against the same step called eagerly in a loop."""
    import tensorflow as tf

    from .train import runtime
    from .gan.loop import build_gan, gan_dataset, to_gan_range

    x = to_gan_range(x_uint8)
    steps = len(x) // batch_size
    n = steps * batch_size

    keras.mixed_precision.set_global_policy("float32")
    naive = build_gan(name, image_shape=x.shape[1:], seed=0)
    rng = np.random.default_rng(0)
    times = []
    for _ in range(min(epochs, 2)):  # eager steps are slow: two epochs, the second timed
        order = rng.permutation(len(x))
        start = time.perf_counter()
        for i in range(steps):
            naive.train_step(tf.constant(x[order[i * batch_size:(i + 1) * batch_size]]))
        times.append(time.perf_counter() - start)
    naive_ips = n / times[-1]

    policy = runtime.resolve_precision(precision)
    keras.mixed_precision.set_global_policy(policy)
    traced = build_gan(name, image_shape=x.shape[1:], seed=0)
    timer = EpochTimer()
    traced.fit(gan_dataset(x, None, batch_size, seed=0), epochs=epochs, verbose=0, callbacks=[timer], shuffle=False)
    keras.mixed_precision.set_global_policy("float32")
    flops = (training_flops_per_image(traced.generator) * 2  # two generator passes per step
             + training_flops_per_image(traced.discriminator) * 3)  # real, fake, fake again
    row = _row(name, "Study 4", n, epochs, "float32, eager train_step in a Python loop, batch 64",
               f"{policy}, traced train_step under fit, batch 64", naive_ips, n / timer.seconds_per_epoch(),
               flops, None, None)
    row["traces"] = traced.trace_count
    return row


def run_levers(split, epochs: int = 3) -> list[dict]:
    """Throughput of the Study 2 CNN with one setting changed at a time (no accuracy: too short)."""
    from .train import runtime

    case = _cases()["fashion_cnn"]
    n = len(split.y_train)
    bf16 = runtime.resolve_precision("auto")
    rows = []

    def add(setting: str, timer):
        rows.append({"setting": setting, "img_per_s": round(n / timer.seconds_per_epoch(), 1)})

    add("reference: float32, numpy into fit, batch 32", _reference_fit(case.build, split, epochs)[1])
    add("float32, numpy into fit, batch 128", _reference_fit(case.build, split, epochs, 128)[1])
    add(f"{bf16}, numpy into fit, batch 32", _reference_fit(case.build, split, epochs, 32, bf16)[1])
    add("float32, tf.data, batch 128", _lib_fit(case, split, epochs, "float32")[1])
    add(f"{bf16}, tf.data, batch 128 (lib default)", _lib_fit(case, split, epochs, bf16)[1])
    add(f"{bf16}, tf.data, batch 128, steps_per_execution 8", _lib_fit(case, split, epochs, bf16,
                                                                     steps_per_execution=8)[1])
    add(f"{bf16}, tf.data, batch 256", _lib_fit(case, split, epochs, bf16, batch_size=256)[1])
    base = rows[0]["img_per_s"]
    for r in rows:
        r["vs_reference"] = round(r["img_per_s"] / base, 2)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="all", help="comma-separated: " + ",".join([*_cases(), *GAN_CASES]))
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--n-train", type=int, default=10000)
    parser.add_argument("--n-test", type=int, default=10000)
    parser.add_argument("--gan-epochs", type=int, default=3)
    parser.add_argument("--gan-n-train", type=int, default=3200)
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--no-levers", action="store_true", help="skip the single-lever throughput table")
    parser.add_argument("--data-dir", default=os.environ.get("SMALLIMG_DATA_DIR") or None)
    parser.add_argument("--out", default=str(BUILD / "bench"))
    args = parser.parse_args(argv)

    import pandas as pd

    from .data import classification_split, load_dataset

    cases = _cases()
    known = [*cases, *GAN_CASES]
    chosen = known if args.cases == "all" else args.cases.split(",")
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise SystemExit(f"error: unknown bench case(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    out = io.ensure_writable_dir(args.out, "bench output")
    datasets: dict = {}

    def dataset(name):
        if name not in datasets:
            datasets[name] = load_dataset(name, args.data_dir)
        return datasets[name]

    # Resolve every dataset first, so a missing one fails before any timing starts.
    for name in chosen:
        dataset(cases[name].dataset if name in cases else "fashion_mnist")

    rows, started = [], time.perf_counter()
    for name in chosen:
        if name in cases:
            case = cases[name]
            n_train = int(args.n_train * case.train_fraction)
            split = classification_split(dataset(case.dataset), n_train + 1, args.n_test, 1 / (n_train + 1))
            print(f"bench {name} ({case.study}): {len(split.y_train)} images x {args.epochs} epochs, two ways ...",
                  flush=True)
            rows.append(run_case(case, split, args.epochs, args.precision))
        else:
            x = dataset("fashion_mnist").x_train[: args.gan_n_train]
            print(f"bench {name} (Study 4): {len(x)} images x {args.gan_epochs} epochs, traced vs eager ...",
                  flush=True)
            rows.append(run_gan_case(name, x, args.gan_epochs, args.precision))
        r = rows[-1]
        print(f"  reference {r['reference_img_per_s']:.0f} img/s, lib {r['lib_img_per_s']:.0f} img/s "
              f"({r['speedup']:.2f}x); test accuracy {r['reference_test_acc']} vs {r['lib_test_acc']}", flush=True)
    table = pd.DataFrame(rows).set_index("case")
    io.write_text(out / "results.csv", table.to_csv())
    io.write_json(out / "results.json", rows)
    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.max_colwidth", 70):
        print(table.T.to_string())
    if not args.no_levers:
        split = classification_split(dataset("fashion_mnist"), 3001, 1000, 1 / 3001)
        print(f"\nlevers on the Study 2 CNN: {len(split.y_train)} images x 3 epochs each ...", flush=True)
        levers = pd.DataFrame(run_levers(split))
        io.write_text(out / "levers.csv", levers.to_csv(index=False))
        with pd.option_context("display.width", 200, "display.max_colwidth", 70):
            print(levers.to_string(index=False))
    print(f"\n{bench_summary(rows)}")
    print(f"written: {out}/results.csv, results.json{'' if args.no_levers else ', levers.csv'} "
          f"({(time.perf_counter() - started) / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
