"""A run's whole training state in one atomically written ``.npz`` file: the one checkpoint format.

The file holds, per named group (a model's weights, an optimizer's variables,
a noise generator's state, ...), the values of its variables, and, as JSON
under ``state``, the run's bookkeeping (:class:`RunState`: epochs done, the
per-epoch history, and whatever a subclass adds). Classifier and GAN runs
both write it. A run killed mid-write leaves the previous checkpoint intact
(temporary file, then rename).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .. import io

CHECKPOINT = "checkpoint.npz"  # the file name in a run's directory


@dataclass
class RunState:
    epoch: int = 0                                   # epochs completed
    history: dict = field(default_factory=dict)      # metric name -> one value per epoch

    def record_epoch(self, logs: dict) -> None:
        for k, v in logs.items():
            self.history.setdefault(k, []).append(float(v))
        self.epoch += 1


def save_checkpoint(groups: dict[str, list], state: RunState, path: str | Path) -> Path:
    """Write every variable of ``groups`` (name -> list of Keras variables) and ``state`` to ``path``."""
    from keras import ops

    arrays = {f"{group}/{i:04d}": ops.convert_to_numpy(v.value)
              for group, variables in groups.items() for i, v in enumerate(variables)}
    arrays["state"] = np.frombuffer(json.dumps(asdict(state)).encode(), dtype=np.uint8)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:  # a file object: np.savez would append ".npz" to a path
            np.savez(fh, **arrays)

    return io.atomic_write(path, write)


def _read(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        with np.load(path) as npz:
            return {k: npz[k] for k in npz.files}
    except (OSError, ValueError) as exc:
        print(f"checkpoint {path} is unreadable ({type(exc).__name__}); starting from scratch", flush=True)
        return None


def read_state(path: str | Path) -> dict | None:
    """The bookkeeping (``state``) of the checkpoint at ``path`` as a dict, without loading a model; None if absent."""
    stored = _read(Path(path))
    return None if stored is None else json.loads(stored["state"].tobytes().decode())


def restore_checkpoint(groups: dict[str, list], path: str | Path, state_type: type = RunState):
    """Assign the checkpoint at ``path`` to the variables of ``groups``; its state as ``state_type``.

    None, with every variable untouched, if the file is absent, unreadable or
    does not fit ``groups`` (another model: a different number or shape of variables).
    """
    path = Path(path)
    stored = _read(path)
    if stored is None:
        return None
    for group, variables in groups.items():
        keys = sorted(k for k in stored if k.startswith(group + "/"))
        if len(keys) != len(variables) or any(tuple(stored[k].shape) != tuple(v.shape)
                                              for k, v in zip(keys, variables)):
            print(f"checkpoint {path} does not fit this model ({group}); starting from scratch", flush=True)
            return None
    for group, variables in groups.items():
        for i, v in enumerate(variables):
            v.assign(stored[f"{group}/{i:04d}"])
    return state_type(**json.loads(stored["state"].tobytes().decode()))
