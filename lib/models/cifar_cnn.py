"""The Study 1 CNN: the seed's three convolutional layers, with or without batch normalisation."""
from __future__ import annotations

import keras
from keras import layers

from ..errors import ParamError
from .batchnorm import FusedBatchNormalization


def build_cifar_cnn(batch_norm: bool = True, filters=(32, 64, 128), dense_units: int = 0,
                    bn_momentum: float = 0.9, num_classes: int = 10, input_shape=(32, 32, 3)) -> keras.Model:
    """Three Conv(3x3, same)-[BN]-ReLU-MaxPool blocks, optionally Dense-[BN]-ReLU, Dense softmax.

    ``batch_norm=False`` is the seed's plain CNN; ``True`` puts a
    batch-normalisation layer between each convolution (and the hidden dense
    layer, if any) and its ReLU; that layer then has no bias, since the
    normalisation's own shift replaces it. ``dense_units`` > 0 adds a hidden
    dense layer before the softmax (0: the softmax reads the flattened
    features). ``bn_momentum`` is the moving averages' momentum (0.9,
    PyTorch's default; Keras's is 0.99). The softmax runs in float32 so mixed precision stays stable.
    """
    filters = tuple(int(f) for f in filters)
    if len(filters) != 3 or min(filters) < 1:
        raise ParamError(f"conv_filters must list three positive widths (the seed's three conv layers), "
                         f"got {list(filters)}")
    model = keras.Sequential(name="cifar_cnn_bn" if batch_norm else "cifar_cnn_plain")
    model.add(keras.Input(input_shape))
    for width in filters:
        model.add(layers.Conv2D(width, 3, padding="same", use_bias=not batch_norm))
        if batch_norm:
            model.add(FusedBatchNormalization(momentum=bn_momentum))
        model.add(layers.ReLU())
        model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    if dense_units:
        model.add(layers.Dense(dense_units, use_bias=not batch_norm))
        if batch_norm:
            model.add(FusedBatchNormalization(momentum=bn_momentum))
        model.add(layers.ReLU())
    model.add(layers.Dense(num_classes, activation="softmax", dtype="float32"))
    return model
