"""Study 3's data: Fashion-MNIST split into training, validation and test parts, and the search's subset of it."""
from __future__ import annotations

from dataclasses import dataclass

from .search import GridConfig, grid_of


@dataclass
class StudyData:
    """What every run and section reads: the dataset, its split, the search's split and the grid."""
    ds: object
    generated: bool
    split: object
    grid_split: object
    configs: list[GridConfig]
    scope: str
    grid_scope: str

    @property
    def n_val(self) -> int:
        return self.split.sizes()["val"]

    @property
    def dataset(self) -> str:
        """What the runs trained on, as a claim's dataset gate reads it."""
        from ..reporting import trained_on

        return trained_on(self.ds, self.generated)


def search_split(split, n: int | None, seed: int = 0):
    """What the search trains and ranks on: a stratified subset of ``n`` training images (all of them when
    ``n`` is None), the same validation images and no test images, so the search never touches the test set."""
    from ...data.splits import Split, stratified_indices

    if n and n < len(split.y_train):
        idx = stratified_indices(split.y_train, n, seed)
        split = Split(split.x_train[idx], split.y_train[idx], split.x_val, split.y_val, split.x_test, split.y_test)
    return split.without_test()


def scopes(split, grid_split, generated: bool, P: dict) -> tuple[str, str]:
    """What the final models' numbers and the search's numbers were measured on."""
    decay = " (cosine learning-rate decay)" if P["lr_schedule"] == "cosine" else ""
    stand_in = "generated stand-in data, " if generated else ""
    rungs = ", ".join(map(str, P["halving_epochs"]))
    return (f"{stand_in}{split.sizes()['train']:,} train images{decay}, {len(P['seeds'])} seed(s), profile "
            f"{P['profile']}",
            f"{stand_in}{grid_split.sizes()['train']:,} train images, rungs of {rungs} epoch(s){decay}, "
            f"seed {P['seeds'][0]}, profile {P['profile']}")


def load(P: dict, output_dir) -> StudyData:
    """The grid checked first (a bad value fails before any data loads), then the data and its two splits."""
    from ... import data

    configs = grid_of(P)
    ds, generated = data.load_for_study("fashion_mnist", P, output_dir)
    split = data.classification_split(ds, P["n_train"], P["n_test"], P["val_fraction"])
    grid_split = search_split(split, P["grid_n_train"], seed=0)
    return StudyData(ds, generated, split, grid_split, configs, *scopes(split, grid_split, generated, P))
