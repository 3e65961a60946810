"""Process-wide settings for a run: seeds, op determinism, precision, threads."""
from __future__ import annotations

import os
import platform
import random

PRECISIONS = ("auto", "float32", "mixed_bfloat16", "mixed_float16")


def cpu_supports_bf16() -> bool:
    """True on CPUs with native bfloat16 matrix units (AMX or AVX512-BF16)."""
    try:
        with open("/proc/cpuinfo") as fh:
            flags = fh.read()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def resolve_precision(precision: str) -> str:
    """Map ``auto`` to the fastest policy that keeps accuracy on this hardware."""
    import tensorflow as tf

    if precision != "auto":
        return precision
    if tf.config.list_physical_devices("GPU"):
        return "mixed_float16"
    return "mixed_bfloat16" if cpu_supports_bf16() else "float32"


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
