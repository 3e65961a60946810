"""Data layer: ``load_dataset`` plus the pieces the studies and tests share."""
from .catalog import DATA_DIR_ENV, DATASETS, dataset_spec
from .fixtures import GENERATED_NOTE, write_fixture
from .loading import Dataset, Provenance, load_dataset, resolve_source
from .splits import Split, scale_images, stratified_indices, train_val_split

__all__ = ["DATA_DIR_ENV", "DATASETS", "Dataset", "GENERATED_NOTE", "Provenance", "dataset_spec",
           "load_dataset", "resolve_source", "scale_images", "stratified_indices",
           "train_val_split", "write_fixture"]
from .prepare import classification_split, describe_data, load_for_study  # noqa: E402

__all__ += ["classification_split", "describe_data", "load_for_study"]
