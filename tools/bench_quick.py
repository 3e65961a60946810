"""The quick profile's own networks, each way the pipeline can train them, interleaved: which default is faster here.

Three questions for the machine it runs on (issue 36), each answered on the networks and batch sizes that
``params/quick`` trains (read from there, so the bench follows the profile):

* **one run at a time or two** (``serial`` against ``local:2``): one process with every core against two
  processes at once with one TensorFlow thread each (what ``local:2`` gives each worker), images per second
  of training summed over both;
* **bfloat16 or float32** (what ``precision: auto`` should pick on this CPU);
* **the batch-norm network against the plain one** (Study 1's two arms, same widths and batch).

Each measurement is a fresh process (TensorFlow sizes its thread pools once), which builds the network,
trains one warm-up epoch (tracing) on ``--n-train`` real training images, then times ``--epochs`` more
(evaluation stays out). The settings run in the order A B C D, then D C B A in the next round, so a
swing in this machine's speed lands on all of them. The table gives per network and setting the median
images per second with its range, and the median of the per-round ratios against one run at a time in
the bfloat16 policy with their range, under the CPU named. Results go to ``build/bench/quick.json`` and
``.md``. Run it alone on a quiet machine.

    python -m tools.bench_quick [--nets study1_plain,study1_bn,study2_cnn,study3_alexnet] [--rounds 2]
                                [--n-train 8000] [--epochs 2] [--data-dir DIR]
    python -m tools.bench_quick --trace study1_bn --intra 1 --policy mixed_bfloat16   # where its step goes
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from lib import io
from lib.paths import BUILD, PARAMS

from .bench_measures import cpu_description, spread

# Two ways to fill the cores (threads per process, processes at once) and two dtype policies.
SETTINGS = (("serial", "mixed_bfloat16"), ("local:2", "mixed_bfloat16"), ("serial", "float32"),
            ("local:2", "float32"))
SHAPE = {"serial": (0, 1), "local:2": (1, 2)}   # (intra-op threads, 0: all cores; processes at once)


def quick(study: str) -> dict:
    return yaml.safe_load((PARAMS / "quick" / f"{study}.yaml").read_text())


def network(name: str):
    """(build, dataset, batch size, label) of a quick-profile network, with the profile's own settings."""
    from functools import partial

    from lib.models import build_alexnet, build_cifar_cnn, build_fashion_cnn

    if name.startswith("study1_"):
        P = quick("cifar10_batchnorm")
        bn = name == "study1_bn"
        return (partial(build_cifar_cnn, batch_norm=bn, filters=P["conv_filters"], dense_units=P["dense_units"],
                        bn_momentum=P["bn_momentum"]), "cifar10", P["batch_size"],
                f"Study 1 {'batch-norm' if bn else 'plain'} CNN")
    if name == "study2_cnn":
        P = quick("fashion_regularisation")
        return build_fashion_cnn, "fashion_mnist", P["batch_size"], "Study 2 CNN (baseline)"
    if name == "study3_alexnet":
        P = quick("fashion_fcn_vs_alexnet")
        return (partial(build_alexnet, P["alexnet_filters"], P["alexnet_dense_units"], P["alexnet_dropout"]),
                "fashion_mnist", P["batch_size"], "Study 3 AlexNet-style CNN")
    raise SystemExit(f"unknown network {name!r}: choose from {', '.join(NETS)}")


NETS = ("study1_plain", "study1_bn", "study2_cnn", "study3_alexnet")


def compiled(name: str, intra: int, policy: str, n_train: int, seed: int, data_dir: str | None):
    """(model, dataset, images) of a quick-profile network, in a fresh process: its threads set before TensorFlow
    makes its pools (inter-op as ``local:N`` gives a worker), the dtype policy, real training images."""
    import tensorflow as tf

    if intra:
        tf.config.threading.set_intra_op_parallelism_threads(intra)
        tf.config.threading.set_inter_op_parallelism_threads(max(1, intra // 2))
    import keras

    from lib.data import classification_split, load_dataset
    from lib.train.datasets import make_dataset

    build, dataset, batch_size, _ = network(name)
    split = classification_split(load_dataset(dataset, data_dir), n_train + 1, 100, 1 / (n_train + 1))
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(seed)
    m = build()
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", steps_per_execution=8)
    return m, make_dataset(split.x_train, split.y_train, batch_size, shuffle_seed=seed), len(split.y_train)


def worker(name: str, intra: int, policy: str, n_train: int, epochs: int, seed: int, data_dir: str | None) -> dict:
    from .bench_workloads import EpochTimer

    m, data, images = compiled(name, intra, policy, n_train, seed, data_dir)
    timer = EpochTimer()
    m.fit(data, epochs=1 + epochs, verbose=0, callbacks=[timer])
    steady = timer.times[1:]
    return {"img_per_s": images * len(steady) / sum(steady)}


def trace_ops(name: str, intra: int, policy: str, n_train: int, data_dir: str | None, top: int = 10) -> list:
    """(op type, seconds, share) of the kernels of two traced epochs (after a warm-up), most time first: where a
    network's step goes on this CPU (the batch-norm network's slow path, issue 36)."""
    import glob
    import tempfile
    from collections import Counter

    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    m, data, _ = compiled(name, intra, policy, n_train, 0, data_dir)
    m.fit(data, epochs=1, verbose=0)
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        try:
            m.fit(data, epochs=2, verbose=0)
        finally:
            tf.profiler.experimental.stop()
        space = xplane_pb2.XSpace()
        space.ParseFromString(Path(sorted(glob.glob(f"{logdir}/**/*.xplane.pb", recursive=True))[-1]).read_bytes())
    seconds: Counter = Counter()
    for plane in space.planes:
        if not plane.name.startswith("/host:CPU"):
            continue
        names = {k: v.name for k, v in plane.event_metadata.items()}
        for line in plane.lines:
            if not line.name.startswith("tf_Compute"):
                continue
            for e in line.events:
                event = names.get(e.metadata_id, "")
                op = event.rsplit(":", 1)[-1]
                if ":" in event and "::" not in event and "PartitionedCall" not in op:  # calls enclose kernels
                    seconds[op] += e.duration_ps * 1e-12
    total = sum(seconds.values()) or 1.0
    return [(op, round(s, 3), round(s / total, 3)) for op, s in seconds.most_common(top)]


def measure(name: str, executor: str, policy: str, n_train: int, epochs: int, data_dir: str | None) -> float:
    """Training images per second of the whole machine for one setting: a single process, or two at once."""
    intra, processes = SHAPE[executor]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    cmds = []
    for seed in range(processes):
        cmd = [sys.executable, "-m", "tools.bench_quick", "--worker", name, "--intra", str(intra), "--policy", policy,
               "--n-train", str(n_train), "--epochs", str(epochs), "--seed", str(seed)]
        cmds.append(cmd + (["--data-dir", data_dir] if data_dir else []))
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for c in cmds]
    total = 0.0
    for p in procs:
        out, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"bench worker {name} {executor} {policy} failed: {err.strip().splitlines()[-1:]}")
        total += json.loads(out.strip().splitlines()[-1])["img_per_s"]
    return total


def summarise(found: dict, nets: list[str]) -> list[dict]:
    rows = []
    for name in nets:
        base = found[(name, *SETTINGS[0])]
        for setting in SETTINGS:
            values = found[(name, *setting)]
            ratio = spread([v / b for v, b in zip(values, base)])
            rate = spread(values)
            rows.append({"network": network(name)[3], "executor": setting[0], "precision": setting[1],
                         "img_per_s": round(rate.median), "img_per_s_range": f"{rate.low:.0f}-{rate.high:.0f}",
                         "vs_serial_bf16": round(ratio.median, 3), "range": f"{ratio.low:.2f}-{ratio.high:.2f}"})
    return rows


def table(rows: list[dict], cpu: str, args) -> str:
    lines = [f"Quick-profile networks on {cpu}, {time.strftime('%Y-%m-%d')}: {args.n_train:,} training images, "
             f"{args.epochs} timed epochs after a warm-up epoch, {args.rounds} interleaved rounds; images/s of the "
             "whole machine (two processes: summed).", "",
             "| network | executor | precision | images/s, median (range) | vs serial bfloat16, median (range) |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['network']} | `{r['executor']}` | {r['precision']} | {r['img_per_s']} "
                     f"({r['img_per_s_range']}) | {r['vs_serial_bf16']:.2f}× ({r['range']}) |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_quick", description=__doc__.split("\n\n")[0])
    parser.add_argument("--nets", default=",".join(NETS))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--n-train", type=int, default=8000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--data-dir", default=os.environ.get("SMALLIMG_DATA_DIR") or None)
    parser.add_argument("--out", default=str(BUILD / "bench"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--intra", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--policy", default="float32", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--trace", metavar="NET", help="instead: the op types taking a network's step time "
                                                         "(with --intra and --policy)")
    args = parser.parse_args(argv)
    if args.trace:
        for op, sec, share in trace_ops(args.trace, args.intra, args.policy, args.n_train, args.data_dir):
            print(f"{op:42s} {sec:7.3f} s {share:6.1%}")
        return 0
    if args.worker:
        print(json.dumps(worker(args.worker, args.intra, args.policy, args.n_train, args.epochs, args.seed,
                                args.data_dir)))
        return 0
    nets = [n.strip() for n in args.nets.split(",") if n.strip()]
    for name in nets:
        network(name)
    found = {(n, *s): [] for n in nets for s in SETTINGS}
    for r in range(args.rounds):
        order = SETTINGS if r % 2 == 0 else SETTINGS[::-1]
        for name in nets:
            for setting in order:
                found[(name, *setting)].append(measure(name, *setting, args.n_train, args.epochs, args.data_dir))
                print(f"round {r + 1} {name} {setting[0]} {setting[1]}: {found[(name, *setting)][-1]:.0f} img/s",
                      flush=True)
    cpu = cpu_description()
    rows = summarise(found, nets)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    io.write_json(out / "quick.json", {"cpu": cpu, "rows": rows, "raw": {" ".join(k): v for k, v in found.items()},
                                       "n_train": args.n_train, "epochs": args.epochs, "rounds": args.rounds})
    text = table(rows, cpu, args)
    (out / "quick.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
