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
from ..progress import warn_user

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
    """The arrays of the checkpoint at ``path``; None if absent, and if damaged (truncated, empty, not
    an .npz, no readable ``state``), set aside with a warning so that the run starts afresh."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            stored = {k: npz[k] for k in npz.files}  # reading every member checks every CRC
        state = json.loads(stored["state"].tobytes().decode())
        if not isinstance(state, dict):
            raise ValueError("its state is not a mapping")
    except Exception as exc:  # noqa: BLE001 -- zipfile, numpy and json raise many kinds for a bad file
        _set_aside(path, f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}", "checkpoint")
        return None
    return stored


def read_state(path: str | Path) -> dict | None:
    """The bookkeeping (``state``) of the checkpoint at ``path`` as a dict, without loading a model; None if absent."""
    stored = _read(Path(path))
    return None if stored is None else json.loads(stored["state"].tobytes().decode())


def _check_state(state: RunState) -> None:
    """Raise TypeError unless every field of ``state`` has its default's type (epoch an int,
    history a mapping of lists of numbers, ...): a resumed run must not fail epochs later."""
    from dataclasses import fields

    for f in fields(state):
        default = f.default_factory() if callable(f.default_factory) else f.default
        value = getattr(state, f.name)
        if type(value) is not type(default):
            raise TypeError(f"{f.name} is a {type(value).__name__}, not a {type(default).__name__}")
    if state.epoch < 0 or not all(isinstance(k, str) and isinstance(v, list)
                                  and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
                                  for k, v in state.history.items()):
        raise TypeError("its epoch count or history is malformed")


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
                                              or stored[k].dtype.kind not in "biuf"
                                              for k, v in zip(keys, variables)):
            _set_aside(path, f"it does not fit this model's {group}", "checkpoint")
            return None
    try:
        state = state_type(**json.loads(stored["state"].tobytes().decode()))
        _check_state(state)
    except (TypeError, ValueError) as exc:  # bookkeeping of another kind of run, or of no run at all
        _set_aside(path, f"its state does not fit {state_type.__name__}: {exc}", "checkpoint")
        return None
    for group, variables in groups.items():
        for i, v in enumerate(variables):
            v.assign(stored[f"{group}/{i:04d}"])
    return state


def _set_aside(path, why: str, what: str) -> None:
    """:func:`lib.io.set_aside`, its warning shown to the user."""
    _, warning = io.set_aside(path, why, what)
    if warning:
        warn_user(warning)
