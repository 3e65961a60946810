"""Study 3's fully connected networks: the base FCN and the deeper DNN, one builder for both."""
from __future__ import annotations

import keras
from keras import layers

from ..errors import ParamError
from .batchnorm import FusedBatchNormalization

REGULARIZATIONS = ("none", "dropout", "l2")
NORMALIZATIONS = ("none", "batchnorm")


def build_fcn(hidden=(256,), initializer: str = "glorot_uniform", regularization: str = "none",
              normalization: str = "none", dropout_rate: float = 0.2, l2_factor: float = 1e-4,
              bn_momentum: float = 0.9, num_classes: int = 10, input_shape=(28, 28, 1),
              name: str = "fcn") -> keras.Model:
    """Flatten, then per hidden width Dense-[BN]-ReLU-[Dropout], then Dense softmax.

    ``initializer`` is any Keras initializer name (glorot_uniform, he_uniform, ...),
    used for every Dense kernel. ``regularization`` is "none", "dropout" (after
    each hidden layer) or "l2" (penalty ``l2_factor`` on every kernel);
    ``normalization`` "batchnorm" puts batch norm before each ReLU, its moving
    averages with momentum ``bn_momentum`` (0.9, PyTorch's default; Keras's is
    0.99, which lags behind the weights in short runs).
    """
    if regularization not in REGULARIZATIONS:
        raise ParamError(f"regularization {regularization!r} is not one of {', '.join(REGULARIZATIONS)}")
    if normalization not in NORMALIZATIONS:
        raise ParamError(f"normalization {normalization!r} is not one of {', '.join(NORMALIZATIONS)}")
    if not hidden:
        raise ParamError("a fully connected network needs at least one hidden layer width")
    l2 = keras.regularizers.L2(l2_factor) if regularization == "l2" else None
    bn = normalization == "batchnorm"
    model = keras.Sequential(name=name)
    model.add(keras.Input(input_shape))
    model.add(layers.Flatten())
    for units in hidden:
        model.add(layers.Dense(int(units), kernel_initializer=initializer, kernel_regularizer=l2,
                               use_bias=not bn))
        if bn:
            model.add(FusedBatchNormalization(momentum=bn_momentum))
        model.add(layers.ReLU())
        if regularization == "dropout":
            model.add(layers.Dropout(dropout_rate))
    model.add(layers.Dense(num_classes, activation="softmax", kernel_initializer=initializer,
                           kernel_regularizer=l2, dtype="float32"))
    return model


def build_dnn(hidden=(512, 256, 128), **kwargs) -> keras.Model:
    """The deeper fully connected network: :func:`build_fcn` with more hidden layers."""
    kwargs.setdefault("name", "dnn")
    return build_fcn(hidden=hidden, **kwargs)
