"""Process-wide settings for a run: seeds, op determinism, precision, threads."""
from __future__ import annotations

import os
import platform
import random

PRECISIONS = ("auto", "float32", "mixed_bfloat16", "mixed_float16")


def _cpuinfo() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            return fh.read()
    except OSError:
        return ""


def cpu_kind(cpuinfo: str | None = None) -> str:
    """Which of the CPU kinds whose speed was measured this is: "amx" (Intel with AMX tiles), "amd-bf16" (AMD
    with AVX512-BF16), "avx512-bf16" (Intel with AVX512-BF16 but no AMX exposed) or "other"."""
    info = _cpuinfo() if cpuinfo is None else cpuinfo
    flags = set()
    for line in info.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    if "amx_bf16" in flags:
        return "amx"
    if "avx512_bf16" in flags:
        return "amd-bf16" if "AuthenticAMD" in info else "avx512-bf16"
    return "other"


# The dtype policy ``precision: auto`` gives each CPU kind, and the measurement behind it (README, "Speed").
# AMX: bfloat16 trained the quick profile's networks 1.1-2.1x as fast as float32 (medians, one run at a time and
# two; tools.bench_quick, 2026-12-06). AMD EPYC with AVX512-BF16: bfloat16 about 1.25x. Intel with AVX512-BF16
# but no AMX exposed: float32 was 1.1-1.55x faster on Studies 1 and 2's CNNs (issue 36's measurement), so it
# keeps float32.
AUTO_POLICY = {"amx": "mixed_bfloat16", "amd-bf16": "mixed_bfloat16", "avx512-bf16": "float32",
               "other": "float32"}


def cpu_supports_bf16() -> bool:
    """True where ``precision: auto`` trains in bfloat16 on this CPU (see :data:`AUTO_POLICY`)."""
    return AUTO_POLICY[cpu_kind()] == "mixed_bfloat16"


def resolve_precision(precision: str) -> str:
    """Map ``auto`` to the policy measured fastest on this hardware (:data:`AUTO_POLICY` per CPU kind)."""
    import tensorflow as tf

    if precision != "auto":
        return precision
    if tf.config.list_physical_devices("GPU"):
        return "mixed_float16"
    return AUTO_POLICY[cpu_kind()]


def configure(seed: int = 0, deterministic: bool = False, precision: str = "float32",
              threads: int | None = None) -> dict:
    """Seed every generator, set determinism and the Keras dtype policy.

    Returns what was set, for the report header.
    """
    import keras
    import tensorflow as tf

    if threads:
        # Only effective before TensorFlow creates its thread pools.
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(max(1, threads // 2))
        except RuntimeError:
            pass
    keras.utils.set_random_seed(seed)
    random.seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    policy = resolve_precision(precision)
    keras.mixed_precision.set_global_policy(policy)
    return {"seed": seed, "deterministic": deterministic, "precision": policy,
            "threads": threads or os.cpu_count()}


def reseed(seed: int) -> None:
    """Reset all generators before each model so runs do not depend on order."""
    import keras

    keras.utils.set_random_seed(seed)
    random.seed(seed)


def hardware_summary() -> str:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    text = f"{cpu}, {os.cpu_count()} logical cores"
    if gpus:
        names = [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
        text += f"; GPU: {', '.join(names)}"
    else:
        text += "; no GPU"
    return text
