"""Save and restore a GAN's whole training state in one atomically written file.

The file (``.npz``) holds both networks' weights (batch-norm statistics
included), both optimizers' state, the noise generator's state and, as JSON,
the :class:`RunState`: epochs done, the per-epoch history, the image grids
written and the periodic metrics. A run killed mid-write leaves the previous
checkpoint intact (temporary file, then rename).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from keras import ops

from .. import io


@dataclass
class RunState:
    epoch: int = 0                                   # epochs completed
    history: dict = field(default_factory=dict)      # metric name -> one value per epoch
    grids: list = field(default_factory=list)        # [epoch, file name] of each image grid
    progress: list = field(default_factory=list)     # {"epoch": e, metric: value, ...} every N epochs

    def record_epoch(self, logs: dict) -> None:
        for k, v in logs.items():
            self.history.setdefault(k, []).append(float(v))
        self.epoch += 1


def _groups(gan) -> dict[str, list]:
    return {"generator": gan.generator.weights, "discriminator": gan.discriminator.weights,
            "g_optimizer": gan.g_optimizer.variables, "d_optimizer": gan.d_optimizer.variables,
            "noise": [gan.seed_generator.state], "steps": [gan.step_counter]}


def save_checkpoint(gan, state: RunState, path: str | Path) -> Path:
    arrays = {f"{group}/{i:04d}": ops.convert_to_numpy(v.value)
              for group, variables in _groups(gan).items() for i, v in enumerate(variables)}
    arrays["state"] = np.frombuffer(json.dumps(asdict(state)).encode(), dtype=np.uint8)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:  # a file object: np.savez would append ".npz" to a path
            np.savez(fh, **arrays)

    return io.atomic_write(path, write)


def restore_checkpoint(gan, path: str | Path) -> RunState | None:
    """Load ``path`` into ``gan`` (compiled, so its optimizers exist); None if absent or incompatible."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        with np.load(path) as npz:
            stored = {k: npz[k] for k in npz.files}
    except (OSError, ValueError) as exc:
        print(f"checkpoint {path} is unreadable ({type(exc).__name__}); starting from scratch", flush=True)
        return None
    groups = _groups(gan)
    for group, variables in groups.items():
        keys = sorted(k for k in stored if k.startswith(group + "/"))
        if len(keys) != len(variables) or any(tuple(stored[k].shape) != tuple(v.shape)
                                              for k, v in zip(keys, variables)):
            print(f"checkpoint {path} does not fit this model ({group}); starting from scratch", flush=True)
            return None
    for group, variables in groups.items():
        for i, v in enumerate(variables):
            v.assign(stored[f"{group}/{i:04d}"])
    return RunState(**json.loads(stored["state"].tobytes().decode()))
