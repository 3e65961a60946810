"""Past one device: a ``strategy`` parameter and the scaling rules that go with it.

* ``"default"``: one device (the CPU, or the first GPU).
* ``"mirrored"``: every local GPU (or the given devices), synchronous data parallelism.
* ``"multiworker"``: several machines, each described by ``TF_CONFIG``
  (``{"cluster": {"worker": ["host1:port", ...]}, "task": {"type": "worker", "index": i}}``).

With N replicas the global batch is N × the per-replica batch, and the learning
rate is scaled by N as well (the linear scaling rule of Goyal et al., 2017), so
each replica sees the batch size the single-device settings were tuned for.
"""
from __future__ import annotations

import json
import os

from ..errors import ParamError

STRATEGIES = ("default", "mirrored", "multiworker")


def make_strategy(name: str = "default", devices: list[str] | None = None):
    import tensorflow as tf

    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(devices=devices)
    if name == "multiworker":
        config = os.environ.get("TF_CONFIG")
        if not config:
            raise ParamError("strategy 'multiworker' needs TF_CONFIG describing the cluster and this "
                             "worker's task; see README, 'Running on a cluster'")
        try:
            json.loads(config)
        except ValueError:
            raise ParamError("TF_CONFIG is not valid JSON; see README, 'Running on a cluster'") from None
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ParamError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")


def scaled(batch_size: int, learning_rate: float, replicas: int) -> tuple[int, float]:
    """Global batch and learning rate for ``replicas`` replicas of a per-replica setting."""
    return batch_size * replicas, learning_rate * replicas
