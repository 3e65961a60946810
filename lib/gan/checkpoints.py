"""What a GAN's checkpoint holds, in the one checkpoint format of :mod:`lib.train.checkpoints`.

Both networks' weights (batch-norm statistics included), both optimizers'
state, the noise generator's state and the step count; as JSON, the
:class:`GanState`: epochs done, the per-epoch history, the image grids
written and the periodic metrics.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..train import checkpoints
from ..train.checkpoints import RunState


@dataclass
class GanState(RunState):
    grids: list = field(default_factory=list)        # [epoch, file name] of each image grid
    progress: list = field(default_factory=list)     # {"epoch": e, metric: value, ...} every N epochs


def gan_variables(gan) -> dict[str, list]:
    return {"generator": gan.generator.weights, "discriminator": gan.discriminator.weights,
            "g_optimizer": gan.g_optimizer.variables, "d_optimizer": gan.d_optimizer.variables,
            "noise": [gan.seed_generator.state], "steps": [gan.step_counter]}


def restore_checkpoint(gan, path: str | Path) -> GanState | None:
    """Load ``path`` into ``gan`` (compiled, so its optimizers exist); None if absent or incompatible."""
    return checkpoints.restore_checkpoint(gan_variables(gan), path, GanState)
