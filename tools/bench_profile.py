"""Where a training step's time goes, from a ``tf.profiler`` trace: matrix arithmetic, optimiser, other ops, idle.

``profile_training`` traces a few epochs of ``fit`` with TensorFlow's own profiler and reads the
trace (an XSpace protocol buffer, parsed with TensorFlow's generated module) back in
``op_time_breakdown``: every op kernel event on the executor's threads is summed by kind. The
kinds answer one question, why a lever helps one model and not another:

* ``matrix``: convolutions and matrix products, forward and backward (the work AMX, AVX512-BF16 or a
  GPU speeds up);
* ``optimizer``: the update ops under the optimiser's name scope (Adam's moments and the step);
* ``other``: everything else the graph runs (activations, pooling, casts, the loss, metrics);
* ``idle``: the steps' wall time in which no kernel ran at all (dispatch, Python and callbacks between
  calls, waiting for input).

A model whose time is mostly ``matrix`` is compute-bound: only faster arithmetic or larger matrices
(bfloat16, bigger batches) help it, while fewer calls (``steps_per_execution``) or a faster input
pipeline cannot.
"""
from __future__ import annotations

import glob
import tempfile
from collections import Counter
from pathlib import Path

KINDS = ("matrix", "optimizer", "other", "idle")
_MATRIX_OPS = ("Conv2D", "Conv3D", "MatMul", "Einsum")
_EXECUTOR_LINE = "tf_Compute"          # the threads that run op kernels
_STEP_EVENT = "_on_iterator"           # Keras' traced step function: one event per call into the graph


def op_kind(event_name: str, optimizer: str) -> str | None:
    """'matrix', 'optimizer' or 'other' for an op kernel event ('scope/op_name:OpType'); None for others."""
    if ":" not in event_name or "::" in event_name:
        return None                    # executor bookkeeping (ExecutorState::Process, callbacks)
    path, op_type = event_name.rsplit(":", 1)
    if any(m in op_type for m in _MATRIX_OPS):
        return "matrix"
    if f"/{optimizer}/" in f"/{path}/":
        return "optimizer"
    return "other"


def _leaf_ops(line, names: dict, optimizer: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) in ps of the op events of one thread that enclose no other op event.

    A function-call op (``StatefulPartitionedCall``) encloses the ops it runs; only the innermost
    ops are kernels doing work. Bookkeeping events (thread-pool records) inside a kernel do not count.
    """
    base = line.timestamp_ns * 1000
    ops = sorted(((base + e.offset_ps, base + e.offset_ps + e.duration_ps, kind) for e in line.events
                  if (kind := op_kind(names.get(e.metadata_id, ""), optimizer))),
                 key=lambda o: (o[0], -o[1]))
    has_child = [False] * len(ops)
    stack: list[int] = []                                  # indices of the ops enclosing the current one
    for i, (start, _, _) in enumerate(ops):
        while stack and ops[stack[-1]][1] <= start:
            stack.pop()
        if stack:
            has_child[stack[-1]] = True
        stack.append(i)
    return [op for op, parent in zip(ops, has_child) if not parent]


def _union_length(intervals: list[tuple[int, int]]) -> int:
    total, reach = 0, None
    for a, b in sorted(intervals):
        if reach is None or a > reach:
            total += b - a
            reach = b
        elif b > reach:
            total += b - reach
            reach = b
    return total


def op_time_breakdown(space, optimizer: str = "adam") -> dict:
    """Seconds of the traced steps' wall time per kind: when some kernel ran, and when none did (``idle``).

    ``space``: a parsed ``XSpace``. The wall time runs from the first traced step call's start to
    the last one's end, so the gaps between calls (Python, callbacks) count as idle. While kernels
    ran, their time is split between the kinds in proportion to the kernels' durations (two
    kernels can run at once on different executor threads).
    """
    leaves: list[tuple[int, int, str]] = []
    steps: list[tuple[int, int]] = []
    threads = 0
    for plane in space.planes:
        if not plane.name.startswith("/host:CPU"):
            continue
        names = {k: v.name for k, v in plane.event_metadata.items()}
        for line in plane.lines:
            if line.name.startswith(_EXECUTOR_LINE):
                threads += 1
                leaves += _leaf_ops(line, names, optimizer)
            elif line.name == "python":
                base = line.timestamp_ns * 1000
                steps += [(base + e.offset_ps, base + e.offset_ps + e.duration_ps) for e in line.events
                          if names.get(e.metadata_id, "").endswith(_STEP_EVENT)]
    if not steps:
        return {"seconds": {k: 0.0 for k in KINDS}, "step_wall": 0.0, "threads": threads}
    first, last = min(a for a, _ in steps), max(b for _, b in steps)
    inside = [(max(a, first), min(b, last), k) for a, b, k in leaves if b > first and a < last]
    covered = _union_length([(a, b) for a, b, _ in inside])
    by_kind: Counter = Counter()
    for a, b, kind in inside:
        by_kind[kind] += b - a
    busy = sum(by_kind.values()) or 1
    seconds = {k: covered * by_kind[k] / busy * 1e-12 for k in KINDS[:-1]}
    seconds["idle"] = (last - first - covered) * 1e-12
    return {"seconds": seconds, "step_wall": (last - first) * 1e-12, "threads": threads}


def shares(breakdown: dict) -> dict[str, float]:
    """Each kind's share of the traced steps' wall time (sums to 1)."""
    total = sum(breakdown["seconds"].values()) or 1.0
    return {k: v / total for k, v in breakdown["seconds"].items()}


def profile_training(model, dataset, epochs: int = 1) -> dict:
    """Trace ``epochs`` epochs of ``model.fit(dataset)`` (after one untraced warm-up epoch) and break it down."""
    import tensorflow as tf
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    model.fit(dataset, epochs=1, verbose=0)          # tracing and first-call costs stay out of the profile
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        try:
            model.fit(dataset, epochs=epochs, verbose=0)
        finally:
            tf.profiler.experimental.stop()
        files = sorted(glob.glob(str(Path(logdir) / "**" / "*.xplane.pb"), recursive=True))
        if not files:
            raise RuntimeError("tf.profiler wrote no trace; is another profiling session running?")
        space = xplane_pb2.XSpace()
        space.ParseFromString(Path(files[-1]).read_bytes())
    return op_time_breakdown(space, optimizer=model.optimizer.name)
