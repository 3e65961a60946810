"""A CIFAR-style ResNet for 32x32 images (He et al., 2016, section 4.2), Study 5's ResNet baseline.

A 3x3 convolution with 16 filters, then three stages of ``n`` basic blocks
(two 3x3 convolutions each, with batch norm and ReLU, and an identity
shortcut) at 16, 32 and 64 filters; the first block of stages two and three
halves the resolution with stride 2 and a 1x1 projection shortcut. Global
average pooling and the softmax finish the network. ``depth = 6n + 2``
(20, 32, 44, 56, 110); ``width`` scales the filters (2: 32-64-128).
"""
from __future__ import annotations

import keras
from keras import layers

from ..errors import ParamError
from .batchnorm import FusedBatchNormalization

STAGE_FILTERS = (16, 32, 64)
BN_MOMENTUM = 0.9  # as in lib.models.vgg: PyTorch's default, settles within a short run


def _conv(filters: int, stride: int = 1, kernel: int = 3, name: str = ""):
    return layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False,
                         kernel_initializer="he_normal", name=name)


def _block(x, filters: int, stride: int, name: str):
    shortcut = x
    y = _conv(filters, stride, name=f"{name}_conv1")(x)
    y = FusedBatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn1")(y)
    y = layers.ReLU(name=f"{name}_relu1")(y)
    y = _conv(filters, name=f"{name}_conv2")(y)
    y = FusedBatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn2")(y)
    if stride != 1 or x.shape[-1] != filters:
        shortcut = _conv(filters, stride, kernel=1, name=f"{name}_proj")(x)
        shortcut = FusedBatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_proj_bn")(shortcut)
    y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.ReLU(name=f"{name}_out")(y)


def build_resnet(depth: int = 20, width: float = 1.0, num_classes: int = 100,
                 input_shape=(32, 32, 3), policy: str | None = None) -> keras.Model:
    """ResNet-``depth`` (6n + 2 layers) for 32x32 inputs, filters scaled by ``width``.

    ``policy``: a Keras dtype policy for this network only (None: the global one). On the 2-core AVX512-BF16
    CPU (no AMX) a ResNet-20 trained about 6x slower per image under mixed_bfloat16 than in float32 (93 vs
    558 images/s, measured), while VGG-16-BN gained from bfloat16; Study 5 builds its ResNet in float32 there.
    """
    if policy is not None:
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(policy)
        try:
            return build_resnet(depth, width, num_classes, input_shape)
        finally:
            keras.config.set_dtype_policy(previous)
    if depth < 8 or (depth - 2) % 6:
        raise ParamError(f"ResNet depth {depth} is not 6n + 2 with n >= 1 (e.g. 20, 32, 44, 56)")
    if not 0 < width <= 8:
        raise ParamError(f"ResNet width multiplier {width} is out of range: need 0 < width <= 8")
    n = (depth - 2) // 6
    filters = [max(1, int(round(f * width))) for f in STAGE_FILTERS]
    inputs = keras.Input(input_shape)
    x = _conv(filters[0], name="stem_conv")(inputs)
    x = FusedBatchNormalization(momentum=BN_MOMENTUM, name="stem_bn")(x)
    x = layers.ReLU(name="stem_relu")(x)
    for s, f in enumerate(filters, start=1):
        for b in range(1, n + 1):
            x = _block(x, f, 2 if (s > 1 and b == 1) else 1, name=f"stage{s}_block{b}")
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="predictions")(x)
    return keras.Model(inputs, outputs, name=f"resnet{depth}_w{width:g}")
