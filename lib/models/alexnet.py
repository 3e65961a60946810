"""An AlexNet-style CNN adapted to 28x28 grayscale images (Study 3).

AlexNet (Krizhevsky et al., 2012) has five convolutional layers (11x11
stride 4, 5x5, then three 3x3), max pooling after the first, second and
fifth, local response normalisation, and three dense layers (4096, 4096,
1000) with dropout 0.5 before the last two. Adapted to 28x28x1 inputs:

* every convolution is 3x3 with stride 1 and "same" padding: an 11x11
  stride-4 first layer would shrink 28 pixels to 5 before anything is learnt;
* the three max pools (2x2) take 28 -> 14 -> 7 -> 3 pixels;
* batch normalisation after each convolution replaces local response
  normalisation (which later work found to add little);
* the widths are parameters, far below AlexNet's (96-384 filters, 4096
  units), because the input is 100x smaller and the quick profile runs on a CPU.
"""
from __future__ import annotations

import keras
from keras import layers

from ..errors import ParamError
from .batchnorm import FusedBatchNormalization


def build_alexnet(filters=(32, 64, 128, 128, 64), dense_units: int = 256, dropout: float = 0.5,
                  batch_norm: bool = True, bn_momentum: float = 0.9, num_classes: int = 10,
                  input_shape=(28, 28, 1)) -> keras.Model:
    """Conv-[BN]-ReLU x5 (pools after 1, 2, 5), Dense-ReLU-Dropout x2, Dense softmax.

    ``bn_momentum`` 0.9 (PyTorch's default; Keras's is 0.99) lets the moving
    averages used at inference follow the weights closely in short runs.
    """
    filters = tuple(int(f) for f in filters)
    if len(filters) != 5 or min(filters) < 1:
        raise ParamError(f"alexnet_filters must list five positive widths (AlexNet's five conv layers), "
                         f"got {list(filters)}")
    model = keras.Sequential(name="alexnet_small")
    model.add(keras.Input(input_shape))
    for i, width in enumerate(filters):
        model.add(layers.Conv2D(width, 3, padding="same", use_bias=not batch_norm))
        if batch_norm:
            model.add(FusedBatchNormalization(momentum=bn_momentum))
        model.add(layers.ReLU())
        if i in (0, 1, 4):
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    for _ in range(2):
        model.add(layers.Dense(dense_units, activation="relu"))
        model.add(layers.Dropout(dropout))
    model.add(layers.Dense(num_classes, activation="softmax", dtype="float32"))
    return model
