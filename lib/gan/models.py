"""Generator and discriminator builders, one pair per GAN family.

Every generator ends in ``tanh`` (images in [-1, 1]) computed in float32, and
every discriminator ends in a float32 ``Dense(1)`` that returns a logit (BCE
families; the sigmoid is folded into the loss for numerical stability) or a
critic score (WGAN-GP). Under a mixed-precision policy the hidden layers run
in bfloat16/float16 and the outputs stay float32.
"""
from __future__ import annotations

import math

import keras
from keras import layers

from ..errors import ParamError
from .families import family


def _tanh_output(x):
    return layers.Activation("tanh", dtype="float32", name="image")(x)


def _score(x):
    return layers.Dense(1, dtype="float32", name="score")(x)


def _base_side(image_shape) -> int:
    h, w, _ = image_shape
    if h != w or h % 4:
        raise ParamError(f"GAN image shape {tuple(image_shape)} is not square with a side divisible by 4")
    return h // 4


# --- seed 000: vanilla (fully connected) GAN with batch norm in the generator ---------------------------

def build_vanilla_generator(noise_dim: int = 100, image_shape=(28, 28, 1), batch_norm: bool = True) -> keras.Model:
    z = keras.Input((noise_dim,), name="noise")
    x = z
    for units in (256, 512, 1024):
        x = layers.Dense(units)(x)
        x = layers.LeakyReLU(0.2)(x)
        if batch_norm:  # seed 000's claim is about exactly these layers (the ablation drops them)
            x = layers.BatchNormalization(momentum=0.8)(x)
    x = layers.Dense(math.prod(image_shape))(x)
    x = layers.Reshape(image_shape)(x)
    return keras.Model(z, _tanh_output(x), name="vanilla_generator")


def build_vanilla_discriminator(image_shape=(28, 28, 1)) -> keras.Model:
    img = keras.Input(image_shape, name="image")
    x = layers.Flatten()(img)
    for units in (512, 256):
        x = layers.Dense(units)(x)
        x = layers.LeakyReLU(0.2)(x)
    return keras.Model(img, _score(x), name="vanilla_discriminator")


# --- seed 003 ------------------------------------------------------------------------------------------

def build_seed003_generator(noise_dim: int = 150, image_shape=(28, 28, 1)) -> keras.Model:
    """Dense -> 7x7x128, then three Conv2DTranspose layers: 14x14x64, 28x28x32, 28x28x1 (tanh).

    The seed fixes the layer sequence; the filter counts and kernel sizes are ours.
    """
    s = _base_side(image_shape)
    z = keras.Input((noise_dim,), name="noise")
    x = layers.Dense(s * s * 128)(z)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Reshape((s, s, 128))(x)
    x = layers.Conv2DTranspose(64, 4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2DTranspose(32, 4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2DTranspose(image_shape[-1], 7, padding="same")(x)
    return keras.Model(z, _tanh_output(x), name="seed003_generator")


def build_seed003_discriminator(image_shape=(28, 28, 1), dropout: float = 0.3) -> keras.Model:
    """Conv2D(64, s2) - Conv2D(128, s2) - Flatten - Dense(128) - Dropout - Dense(1) (real/fake logit)."""
    img = keras.Input(image_shape, name="image")
    x = layers.Conv2D(64, 3, strides=2, padding="same")(img)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(128, 3, strides=2, padding="same")(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128)(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Dropout(dropout)(x)
    return keras.Model(img, _score(x), name="seed003_discriminator")


# --- DCGAN and WGAN-GP ---------------------------------------------------------------------------------

def build_dcgan_generator(noise_dim: int = 100, image_shape=(28, 28, 1), filters: int = 64) -> keras.Model:
    """Project to (side/4)^2 x 2f, two stride-2 transposed convolutions, BN + ReLU, tanh output."""
    s = _base_side(image_shape)
    z = keras.Input((noise_dim,), name="noise")
    return keras.Model(z, _upsampling_trunk(z, s, filters, image_shape[-1]), name="dcgan_generator")


def _upsampling_trunk(x, side: int, filters: int, channels: int):
    """Dense projection to side² x 2f, then two stride-2 transposed convolutions to 4·side, tanh output."""
    x = layers.Dense(side * side * filters * 2, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Reshape((side, side, filters * 2))(x)
    x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Conv2DTranspose(channels, 4, strides=2, padding="same")(x)
    return _tanh_output(x)


def _conv_discriminator(image_shape, filters: int, norm: str):
    img = keras.Input(image_shape, name="image")
    x = layers.Conv2D(filters, 4, strides=2, padding="same")(img)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(filters * 2, 4, strides=2, padding="same", use_bias=norm == "none")(x)
    if norm == "batch":
        x = layers.BatchNormalization()(x)
    elif norm == "layer":
        x = layers.LayerNormalization(axis=[1, 2, 3])(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    return img, x


def build_dcgan_discriminator(image_shape=(28, 28, 1), filters: int = 64) -> keras.Model:
    """Two stride-2 convolutions (no BN on the input layer), LeakyReLU 0.2, logit output."""
    img, x = _conv_discriminator(image_shape, filters, "batch")
    return keras.Model(img, _score(x), name="dcgan_discriminator")


def build_wgan_critic(image_shape=(28, 28, 1), filters: int = 64) -> keras.Model:
    """The DCGAN discriminator with layer norm instead of batch norm (the gradient penalty is per sample)."""
    img, x = _conv_discriminator(image_shape, filters, "layer")
    return keras.Model(img, _score(x), name="wgan_critic")


# --- class-conditional GAN (also used by the CIFAR-100 study) -------------------------------------------

def build_conditional_generator(noise_dim: int = 100, image_shape=(28, 28, 1), num_classes: int = 10,
                                filters: int = 64, embed_dim: int = 50) -> keras.Model:
    """Inputs ``[noise (n, noise_dim), label (n,) int]``; the label embedding is concatenated to the noise."""
    s = _base_side(image_shape)
    z = keras.Input((noise_dim,), name="noise")
    label = keras.Input((), dtype="int32", name="label")
    e = layers.Embedding(num_classes, embed_dim)(label)
    x = layers.Concatenate()([z, e])
    return keras.Model([z, label], _upsampling_trunk(x, s, filters, image_shape[-1]), name="conditional_generator")


def build_conditional_discriminator(image_shape=(28, 28, 1), num_classes: int = 10, filters: int = 64,
                                    embed_dim: int = 50) -> keras.Model:
    """Inputs ``[image, label]``; the label embedding becomes an extra image channel."""
    h, w, _ = image_shape
    img = keras.Input(image_shape, name="image")
    label = keras.Input((), dtype="int32", name="label")
    e = layers.Embedding(num_classes, embed_dim)(label)
    e = layers.Dense(h * w)(e)
    e = layers.Reshape((h, w, 1))(e)
    x = layers.Concatenate()([img, e])
    x = layers.Conv2D(filters, 4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(filters * 2, 4, strides=2, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    return keras.Model([img, label], _score(x), name="conditional_discriminator")


def build_networks(name: str, image_shape=(28, 28, 1), num_classes: int = 10) -> tuple[keras.Model, keras.Model]:
    """(generator, discriminator) for the family ``name``."""
    f = family(name)
    image_shape = tuple(image_shape)
    if name in ("vanilla", "vanilla_nobn"):
        return (build_vanilla_generator(f.noise_dim, image_shape, batch_norm=name == "vanilla"),
                build_vanilla_discriminator(image_shape))
    if name in ("seed003", "seed003_lr2e-4"):
        return build_seed003_generator(f.noise_dim, image_shape), build_seed003_discriminator(image_shape)
    if name == "dcgan":
        return build_dcgan_generator(f.noise_dim, image_shape), build_dcgan_discriminator(image_shape)
    if name == "wgan_gp":
        return build_dcgan_generator(f.noise_dim, image_shape), build_wgan_critic(image_shape)
    return (build_conditional_generator(f.noise_dim, image_shape, num_classes),
            build_conditional_discriminator(image_shape, num_classes))
