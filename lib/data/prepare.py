"""From study parameters to a ready train/validation/test split, with provenance lines."""
from __future__ import annotations

from pathlib import Path

from .fixtures import GENERATED_NOTE, write_fixture
from .loading import Dataset, load_dataset
from .splits import Split, scale_images, stratified_indices, train_val_split

# Generated stand-in data: big enough to learn from in seconds, small enough for CI.
GENERATED_SIZES = {"n_train": 1200, "n_test": 300}


def load_for_study(name: str, params: dict, output_dir: Path) -> tuple[Dataset, bool]:
    """Load ``name`` as the study's ``data_source`` says; returns (dataset, is_generated)."""
    if params["data_source"] == "generated":
        root = Path(output_dir) / "generated-data"
        write_fixture(name, root, n_train=params.get("n_train") or GENERATED_SIZES["n_train"],
                      n_test=params.get("n_test") or GENERATED_SIZES["n_test"], seed=0)
        return load_dataset(name, root, allow_download=False), True
    return load_dataset(name, params.get("data_dir")), False


def classification_split(ds: Dataset, n_train: int | None, n_test: int | None, val_fraction: float,
                         seed: int = 0, scale: bool = True):
    """Stratified subsets (when asked), a held-out validation part, images scaled to [0, 1] (``scale=False``:
    kept uint8, for pipelines that scale them once at the model's input)."""
    tr = stratified_indices(ds.y_train, n_train or len(ds.y_train), seed)
    te = stratified_indices(ds.y_test, n_test or len(ds.y_test), seed)
    x_tr, y_tr, x_val, y_val = train_val_split(_subset(ds.x_train, tr), _subset(ds.y_train, tr), val_fraction, seed)
    as_input = scale_images if scale else (lambda x: x)
    return Split(as_input(x_tr), y_tr, as_input(x_val), y_val, as_input(ds.x_test[te]), ds.y_test[te])


def _subset(x, indices):
    """``x[indices]``, without the copy where the (sorted, distinct) indices are all of ``x``: the split copies
    what it keeps anyway."""
    return x if len(indices) == len(x) else x[indices]


def describe_data(ds: Dataset, split, generated: bool) -> str:
    sizes = split.sizes()
    what = GENERATED_NOTE if generated else ds.provenance.describe()
    return (f"{ds.name}: {what}. Used: {sizes['train']:,} train / {sizes['val']:,} validation / "
            f"{sizes['test']:,} test images (fingerprint {ds.provenance.fingerprint}).")
