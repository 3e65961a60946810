"""Batch normalisation computed by TensorFlow's fused kernel.

Keras 3's ``BatchNormalization`` computes the batch moments with separate
reductions in float32; on a CPU under mixed bfloat16 that made a small
CIFAR-10 CNN's training step about three times slower than the same CNN
without it. This layer does the same arithmetic (Ioffe & Szegedy, 2015:
normalise by the batch mean and variance while training, by moving
averages at inference; learnt scale ``gamma`` and shift ``beta``) with one
``FusedBatchNormV3`` op, which oneDNN and cuDNN implement directly. Defaults
and moving-average updates match ``keras.layers.BatchNormalization``
(momentum 0.99, epsilon 1e-3, biased batch variance); a test checks that both
give the same outputs and statistics.
"""
from __future__ import annotations

import keras
import tensorflow as tf


class FusedBatchNormalization(keras.layers.Layer):
    """Batch normalisation over the last axis of 2-D (dense) or 4-D NHWC (conv) inputs."""

    def __init__(self, momentum: float = 0.99, epsilon: float = 1e-3, **kwargs):
        super().__init__(**kwargs)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) not in (2, 4):
            raise ValueError(f"FusedBatchNormalization needs 2-D or 4-D inputs, got shape {input_shape}")
        channels = (input_shape[-1],)
        # Statistics and affine parameters stay float32 under mixed precision (autocast off).
        self.gamma = self.add_weight(shape=channels, initializer="ones", name="gamma", autocast=False)
        self.beta = self.add_weight(shape=channels, initializer="zeros", name="beta", autocast=False)
        self.moving_mean = self.add_weight(shape=channels, initializer="zeros", name="moving_mean",
                                           trainable=False, autocast=False)
        self.moving_variance = self.add_weight(shape=channels, initializer="ones", name="moving_variance",
                                               trainable=False, autocast=False)

    def call(self, inputs, training=False):
        x = inputs
        flat = len(x.shape) == 2
        if flat:
            x = tf.reshape(x, [-1, 1, 1, x.shape[-1]])
        empty = tf.constant([], tf.float32)
        if training:
            y, mean, variance, *_ = tf.raw_ops.FusedBatchNormV3(
                x=x, scale=self.gamma.value, offset=self.beta.value, mean=empty, variance=empty,
                epsilon=self.epsilon, exponential_avg_factor=1.0, data_format="NHWC", is_training=True)
            # The op returns the unbiased variance; Keras averages the biased one.
            n = tf.cast(tf.size(x) // tf.shape(x)[-1], tf.float32)
            variance = variance * tf.maximum(n - 1.0, 0.0) / tf.maximum(n, 1.0)
            self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1.0 - self.momentum))
            self.moving_variance.assign(self.moving_variance * self.momentum + variance * (1.0 - self.momentum))
        else:
            y, *_ = tf.raw_ops.FusedBatchNormV3(
                x=x, scale=self.gamma.value, offset=self.beta.value, mean=self.moving_mean.value,
                variance=self.moving_variance.value, epsilon=self.epsilon, data_format="NHWC",
                is_training=False)
        return tf.reshape(y, [-1, inputs.shape[-1]]) if flat else y

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "epsilon": self.epsilon}
