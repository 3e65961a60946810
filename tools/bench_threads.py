"""Thread settings as a lever: each setting in a fresh process, interleaved over rounds.

TensorFlow sizes its thread pools once, when it first runs an op, so the settings cannot change
inside one process: ``run_thread_levers`` starts ``python -m tools.bench_threads`` once per
setting and round (A B C A B C ...), and each worker sets intra- and inter-op threads before
anything else, warms up one epoch and times the next ones.

    python -m tools.bench_threads --intra 2 --inter 1 --model fashion_cnn --n-train 3000 --data-dir DIR
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

from .bench_measures import spread

# (intra-op, inter-op); 0 lets TensorFlow choose (the number of logical cores for both).
SETTINGS = ((0, 0), (2, 1), (1, 2), (1, 1))


def label(intra: int, inter: int) -> str:
    name = lambda n: "default" if n == 0 else str(n)  # noqa: E731
    return f"intra-op {name(intra)}, inter-op {name(inter)}"


def worker(intra: int, inter: int, model: str, n_train: int, batch_size: int, epochs: int,
           data_dir: str | None, precision: str) -> dict:
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(intra)
    tf.config.threading.set_inter_op_parallelism_threads(inter)
    import keras

    from lib.data import classification_split, load_dataset
    from lib.train.datasets import make_dataset
    from lib.train.runtime import resolve_precision

    from .bench_workloads import EpochTimer, lever_models

    build, dataset = lever_models()[model]
    split = classification_split(load_dataset(dataset, data_dir), n_train + 1, 100, 1 / (n_train + 1))
    keras.mixed_precision.set_global_policy(resolve_precision(precision))
    keras.utils.set_random_seed(0)
    m = build()
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", steps_per_execution=8)
    data = make_dataset(split.x_train, split.y_train, batch_size, shuffle_seed=0)
    timer = EpochTimer()
    m.fit(data, epochs=1 + epochs, verbose=0, callbacks=[timer])
    steady = timer.times[1:]
    return {"img_per_s": len(split.y_train) * len(steady) / sum(steady),
            "threads": [tf.config.threading.get_intra_op_parallelism_threads(),
                        tf.config.threading.get_inter_op_parallelism_threads()]}


def run_thread_levers(model: str, n_train: int, rounds: int, data_dir: str | None, precision: str = "auto",
                      batch_size: int = 128, epochs: int = 2, say=print) -> list[dict]:
    """Images/s per thread setting, each in its own process, rounds interleaved; ratios to the default."""
    seconds = {s: [] for s in SETTINGS}
    for r in range(rounds):
        for intra, inter in SETTINGS:
            cmd = [sys.executable, "-m", "tools.bench_threads", "--intra", str(intra), "--inter", str(inter),
                   "--model", model, "--n-train", str(n_train), "--batch-size", str(batch_size),
                   "--epochs", str(epochs), "--precision", precision]
            if data_dir:
                cmd += ["--data-dir", data_dir]
            env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"thread-lever worker failed ({label(intra, inter)}): "
                                   f"{done.stderr.strip().splitlines()[-1:]}")
            found = json.loads(done.stdout.strip().splitlines()[-1])
            if found["threads"] != [intra, inter]:  # a pool made before the setting would ignore it silently
                raise RuntimeError(f"thread-lever worker ran with {found['threads']}, not {[intra, inter]}")
            seconds[(intra, inter)].append(1.0 / found["img_per_s"])
        say(f"  round {r + 1}/{rounds} done")
    base = seconds[SETTINGS[0]]
    rows = []
    for setting in SETTINGS:
        s = spread([b / t for b, t in zip(base, seconds[setting])])
        rows.append({"setting": label(*setting), "img_per_s": round(1.0 / float(np.median(seconds[setting]))),
                     "vs_default": round(s.median, 3), "range": f"{s.low:.2f}-{s.high:.2f}"})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_threads", description=__doc__.split("\n\n")[0])
    parser.add_argument("--intra", type=int, required=True)
    parser.add_argument("--inter", type=int, required=True)
    parser.add_argument("--model", default="fashion_cnn")
    parser.add_argument("--n-train", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--data-dir", default=os.environ.get("SMALLIMG_DATA_DIR") or None)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = worker(args.intra, args.inter, args.model, args.n_train, args.batch_size, args.epochs,
                    args.data_dir, args.precision)
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
