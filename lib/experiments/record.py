"""The one result record of a training run, classifier or GAN."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields


@dataclass
class RunResult:
    """What a finished (or failed) run leaves behind; JSON-serialisable.

    ``seconds`` is the training wall time of the run itself, so a page rendered
    from the cache still reports what its runs cost. ``artifacts`` holds what a
    particular kind of run adds (GAN grids and untrained-generator metrics,
    parameter counts, test predictions); ``cached`` is set when the result was
    read back from the run cache instead of trained now.
    """
    label: str
    seed: int
    status: str = "ok"                       # "ok", "diverged" or "failed"
    message: str = ""
    history: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    epochs_run: int = 0
    best_epoch: int = 0
    seconds: float = 0.0
    variant: str = ""
    artifacts: dict = field(default_factory=dict)
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def test_predictions(self) -> list:
        """Predicted test labels of a classifier run (empty for other runs)."""
        return self.artifacts.get("test_predictions", [])

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "RunResult":
        known = {f.name for f in fields(cls)}
        extra = {k: v for k, v in d.items() if k not in known}
        record = cls(**{k: v for k, v in d.items() if k in known})
        if extra:  # older records kept some fields at the top level (test_predictions)
            record.artifacts = {**extra, **record.artifacts}
        return record
