"""VGG-16 for 32x32 images (Study 5): the seed's plain network and the batch-norm variant.

VGG-16 (Simonyan & Zisserman, 2015, configuration D) has thirteen 3x3
convolutions in five blocks (64-64, 128-128, 256-256-256, 512-512-512,
512-512-512), each block ending in 2x2 max pooling, then dense layers. On
32x32 inputs the five pools leave a 1x1x512 map, so the classifier is sized
for that: two hidden dense layers of 512 units (the 4096-unit layers of the
224x224 network would be 90% of the weights and add nothing at this size),
then the softmax.

* ``batch_norm=False`` is the seed's network: Conv-ReLU, no normalisation,
  no dropout, trained from scratch.
* ``batch_norm=True`` puts batch normalisation between every convolution (and
  hidden dense layer) and its ReLU, the "VGG-16-BN" of the CIFAR literature;
  those layers drop their bias, which the normalisation's shift replaces.
* ``width`` scales every layer (0.25: 16-32-64-128-128 filters, 128 units) for
  the CPU profile; ``width=1`` is the real VGG-16.

He-normal initialisation for every ReLU layer (a plain 16-layer network with
Glorot initialisation often does not start learning). The softmax runs in
float32 so mixed precision stays stable.
"""
from __future__ import annotations

import keras
from keras import layers

from ..errors import ParamError
from .batchnorm import FusedBatchNormalization

VGG16_BLOCKS = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))
VGG16_DENSE = (512, 512)
# Moving averages of the batch statistics: 0.9 (PyTorch's default, used by the CIFAR VGG-16-BN references)
# rather than Keras's 0.99, whose averages lag far behind after the few hundred steps of a CPU profile.
BN_MOMENTUM = 0.9


def _scaled(n: int, width: float) -> int:
    return max(1, int(round(n * width)))


def build_vgg16(width: float = 1.0, batch_norm: bool = False, num_classes: int = 100,
                input_shape=(32, 32, 3), dropout: float = 0.0) -> keras.Model:
    """Thirteen Conv(3x3)-[BN]-ReLU layers in five pooled blocks, two Dense-[BN]-ReLU(-Dropout), softmax."""
    if not 0 < width <= 4:
        raise ParamError(f"VGG width multiplier {width} is out of range: need 0 < width <= 4")
    if not 0 <= dropout < 1:
        raise ParamError(f"VGG dropout {dropout} is out of range: need 0 <= dropout < 1")
    if input_shape[0] % 32 or input_shape[1] % 32:
        raise ParamError(f"VGG-16 needs a side divisible by 32 (five 2x2 pools), got {tuple(input_shape)}")
    model = keras.Sequential(name=f"vgg16{'_bn' if batch_norm else ''}_w{width:g}")
    model.add(keras.Input(input_shape))
    for b, block in enumerate(VGG16_BLOCKS, start=1):
        for i, filters in enumerate(block, start=1):
            model.add(layers.Conv2D(_scaled(filters, width), 3, padding="same", use_bias=not batch_norm,
                                    kernel_initializer="he_normal", name=f"block{b}_conv{i}"))
            if batch_norm:
                model.add(FusedBatchNormalization(momentum=BN_MOMENTUM, name=f"block{b}_bn{i}"))
            model.add(layers.ReLU(name=f"block{b}_relu{i}"))
        model.add(layers.MaxPooling2D(2, name=f"block{b}_pool"))
    model.add(layers.Flatten(name="flatten"))
    for i, units in enumerate(VGG16_DENSE, start=1):
        model.add(layers.Dense(_scaled(units, width), use_bias=not batch_norm, kernel_initializer="he_normal",
                               name=f"fc{i}"))
        if batch_norm:
            model.add(FusedBatchNormalization(momentum=BN_MOMENTUM, name=f"fc{i}_bn"))
        model.add(layers.ReLU(name=f"fc{i}_relu"))
        if dropout:
            model.add(layers.Dropout(dropout, name=f"fc{i}_dropout"))
    model.add(layers.Dense(num_classes, activation="softmax", dtype="float32", name="predictions"))
    return model
