"""The Study 2 CNN: the seed's architecture, with optional dropout."""
from __future__ import annotations

import keras
from keras import layers


def build_fashion_cnn(dropout: float = 0.0, dense_dropout: float | None = None,
                      num_classes: int = 10, input_shape=(28, 28, 1)) -> keras.Model:
    """Seed CNN: Conv(32)-Pool-Conv(64)-Pool-Conv(128)-Flatten-Dense(128)-Dense(10).

    ``dropout`` > 0 gives the regularised variant: Dropout after each conv
    block and after the dense layer (``dense_dropout`` if given, else the same
    rate). The softmax runs in float32 so mixed precision stays stable.
    """
    dense_dropout = dropout if dense_dropout is None else dense_dropout
    name = "fashion_cnn_dropout" if (dropout or dense_dropout) else "fashion_cnn_baseline"
    model = keras.Sequential(name=name)
    model.add(keras.Input(input_shape))
    for filters, pool in ((32, True), (64, True), (128, False)):
        model.add(layers.Conv2D(filters, 3, activation="relu"))
        if pool:
            model.add(layers.MaxPooling2D(2))
        if dropout:
            model.add(layers.Dropout(dropout))
    model.add(layers.Flatten())
    model.add(layers.Dense(128, activation="relu"))
    if dense_dropout:
        model.add(layers.Dropout(dense_dropout))
    model.add(layers.Dense(num_classes, activation="softmax", dtype="float32"))
    return model
