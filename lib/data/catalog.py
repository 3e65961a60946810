"""What each dataset looks like on disk, where it downloads from, and its official checksums."""
from __future__ import annotations

from dataclasses import dataclass, field

FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck"]


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    folder: str                      # standard folder name inside a data directory
    files: dict[str, str]            # file name -> official MD5
    image_shape: tuple[int, int, int]
    num_classes: int
    origin: str                      # base URL (Fashion-MNIST) or archive URL (CIFAR)
    archive_md5: str | None = None   # CIFAR tarballs
    coarse_classes: int | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)
    # file name -> official MD5 of its decompressed content, where published: a recompressed
    # copy (Debian's) has other .gz bytes but the same data.
    content_md5: dict[str, str] = field(default_factory=dict)


DATASETS: dict[str, DatasetSpec] = {
    "fashion_mnist": DatasetSpec(
        name="fashion_mnist",
        folder="fashion-mnist",
        # MD5s published by Zalando for the official release (fashion-mnist README).
        files={
            "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
            "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
            "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
        },
        image_shape=(28, 28, 1),
        num_classes=10,
        origin="https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
        aliases=("fashion-mnist", "fmnist"),
        # MD5s of the raw IDX files, published beside the .gz ones.
        content_md5={
            "train-images-idx3-ubyte.gz": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
            "train-labels-idx1-ubyte.gz": "9018921c3c673c538a1fc5bad174d6f9",
            "t10k-images-idx3-ubyte.gz": "8181f5470baa50b63fa0f6fddb340f0a",
            "t10k-labels-idx1-ubyte.gz": "15d484375f8d13e6eb1aabb0c3f46965",
        },
    ),
    "cifar10": DatasetSpec(
        name="cifar10",
        folder="cifar-10-batches-py",
        # MD5s of the files inside the official cifar-10-python.tar.gz.
        files={
            "data_batch_1": "c99cafc152244af753f735de768cd75f",
            "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
            "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
            "data_batch_4": "634d18415352ddfa80567beed471001a",
            "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
            "test_batch": "40351d587109b95175f43aff81a1287e",
            "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
        },
        image_shape=(32, 32, 3),
        num_classes=10,
        origin="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        archive_md5="c58f30108f718f92721af3b95e74349a",
        aliases=("cifar-10", "cifar_10"),
    ),
    "cifar100": DatasetSpec(
        name="cifar100",
        folder="cifar-100-python",
        files={
            "train": "16019d7e3df5f24257cddd939b257f8d",
            "test": "f0ef6b0ae62326f3e7ffdfab6717acfc",
            "meta": "7973b15100ade9c7d40fb424638fde48",
        },
        image_shape=(32, 32, 3),
        num_classes=100,
        coarse_classes=20,
        origin="https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
        archive_md5="eb9058c3a382ffc7106e4002c42a8d85",
        aliases=("cifar-100", "cifar_100"),
    ),
}

# Directories that distributions install datasets into (Debian: dataset-fashion-mnist).
SYSTEM_LOCATIONS: dict[str, list[str]] = {
    "fashion_mnist": ["/usr/share/datasets/fashion-mnist"],
}
SYSTEM_NOTES: dict[str, str] = {
    "/usr/share/datasets/fashion-mnist": "Installed by the Debian package dataset-fashion-mnist.",
}
# What a page calls each source: never the local path, which says nothing to a reader elsewhere.
SOURCE_LABELS: dict[str, str] = {
    "data_dir": "data directory",
    "keras-cache": "Keras download cache",
    "download": "download from the official origin",
    "system": "system copy",
}
SYSTEM_LABELS: dict[str, str] = {
    "/usr/share/datasets/fashion-mnist": "system copy (/usr/share/datasets)",
}

DATA_DIR_ENV = "SMALLIMG_DATA_DIR"


def dataset_spec(name: str) -> DatasetSpec:
    """Look a dataset up by name or alias, with a one-line error listing the valid names."""
    from ..errors import DataError

    key = name.lower().strip()
    for spec in DATASETS.values():
        if key == spec.name or key in spec.aliases:
            return spec
    raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
