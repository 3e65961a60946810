"""Label-preserving augmentation of the Fashion-MNIST images (CIFAR's is in :mod:`lib.train.recipes`)."""
from __future__ import annotations


def fashion_augmentation(seed: int):
    """Small shifts and horizontal flips: label-preserving for clothing images."""
    import keras
    from keras import layers

    return keras.Sequential([layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=seed),
                             layers.RandomFlip("horizontal", seed=seed)], name="augmentation")
