"""What the benchmark computes from its timings: the CPU it ran on, FLOPs, peaks, medians, time to accuracy.

Pure functions on numbers (and one Keras model walk), so each is tested on hand-made inputs.
"""
from __future__ import annotations

import os
import statistics
from dataclasses import dataclass

import numpy as np


def _cpuinfo() -> tuple[str, set[str]]:
    name, flags = "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name") and name == "unknown CPU":
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return name, flags


def cpu_features(flags: set[str] | None = None) -> dict[str, bool]:
    """The instruction sets that decide CPU training speed here: AMX, AVX512-BF16, AVX-512, AVX2."""
    flags = _cpuinfo()[1] if flags is None else flags
    return {"AMX": "amx_bf16" in flags, "AVX512-BF16": "avx512_bf16" in flags,
            "AVX-512": "avx512f" in flags, "AVX2": "avx2" in flags}


def cpu_description() -> str:
    """E.g. 'AMD EPYC, 2 logical cores; AMX no, AVX512-BF16 yes, AVX-512 yes, AVX2 yes'."""
    name, flags = _cpuinfo()
    feats = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in cpu_features(flags).items())
    return f"{name}, {os.cpu_count()} logical cores; {feats}"


def nominal_peak_gflops(flags: set[str] | None = None, ghz: float | None = None, cores: int | None = None,
                        vendor: str | None = None) -> dict[str, float]:
    """Nominal peaks from clock and flags, per precision: upper bounds on paper, not targets.

    FP32: 2 FMA units of 16 lanes (64 FLOPs/cycle) on Intel AVX-512; AMD's Zen 4 runs 512-bit FMAs
    as two 256-bit halves (32 FLOPs/cycle). BF16: AMX 1024 FLOPs/cycle; AVX512-BF16's dot products
    do twice the FP32 rate. vCPUs may be hyperthreads sharing one core.
    """
    name, found = _cpuinfo()
    flags = found if flags is None else flags
    vendor = vendor or ("amd" if "AMD" in name else "intel")
    if ghz is None:
        ghz = 0.0
        try:
            with open("/proc/cpuinfo") as fh:
                ghz = next(float(line.split(":")[1]) for line in fh if line.startswith("cpu MHz")) / 1000
        except (OSError, StopIteration, ValueError):
            pass
    cores = cores or os.cpu_count() or 1
    if "avx512f" in flags:
        fp32 = 32 if vendor == "amd" else 64
    else:
        fp32 = 32 if "avx2" in flags else 8
    peaks = {"fp32": ghz * cores * fp32}
    if "amx_bf16" in flags:
        peaks["bf16"] = ghz * cores * 1024
    elif "avx512_bf16" in flags:
        peaks["bf16"] = ghz * cores * fp32 * 2
    return peaks


def training_flops_per_image(model) -> float:
    """Forward multiply-adds of Conv2D, Conv2DTranspose and Dense ×2 (FLOPs) ×3 (forward + backward)."""
    import keras
    from keras import layers

    def leaves(m):
        for layer in m.layers:
            if isinstance(layer, keras.Model):
                yield from leaves(layer)
            else:
                yield layer

    macs = 0
    for layer in leaves(model):
        if isinstance(layer, (layers.Conv2D, layers.Conv2DTranspose)):
            kh, kw = layer.kernel_size
            cin = layer.input.shape[-1]
            grid = layer.output.shape if isinstance(layer, layers.Conv2D) else layer.input.shape
            macs += grid[1] * grid[2] * layer.filters * kh * kw * cin
        elif isinstance(layer, layers.Dense):
            macs += int(np.prod(layer.input.shape[1:])) * layer.units
    return 2.0 * 3.0 * macs


def time_to_target(epoch_seconds: list[float], accuracies: list[float], target: float) -> tuple[float, int] | None:
    """(training seconds, epochs) until the first epoch whose accuracy reaches ``target``; None if none does."""
    total = 0.0
    for epoch, (seconds, acc) in enumerate(zip(epoch_seconds, accuracies), start=1):
        total += seconds
        if acc >= target:
            return total, epoch
    return None


@dataclass(frozen=True)
class Spread:
    """Median of per-round ratios with their range, and whether the range decides against a goal."""
    median: float
    low: float
    high: float
    rounds: int

    def text(self) -> str:
        return f"{self.median:.2f}x (range {self.low:.2f}-{self.high:.2f}, {self.rounds} rounds)"

    def against(self, goal: float) -> str:
        """'met' when every round reaches ``goal``, 'not met' when none does, else 'inconclusive'."""
        if self.rounds < 2:
            return "inconclusive (one round)"
        if self.low >= goal:
            return "met"
        if self.high < goal:
            return "not met"
        return "inconclusive (spread straddles the goal)"


def spread(ratios: list[float | None]) -> Spread | None:
    """Median and range of per-round ratios; a round that never reached its target counts as 0."""
    values = [0.0 if r is None else float(r) for r in ratios]
    if not values:
        return None
    return Spread(statistics.median(values), min(values), max(values), len(values))
