"""A class-conditional GAN for 32x32x3 images whose samples carry their class (Study 5).

The concatenated-label GAN of :mod:`lib.gan` (family ``cgan``) learnt to
ignore the label at CPU budgets: a classifier trained on its images scored
below chance on real ones. This one makes the class part of both losses, as
in AC-GAN (Odena et al., 2017), with a projection term (Miyato & Koyama,
2018) in the discriminator's real/fake score:

* generator: noise (128) concatenated with a learnt class embedding, a dense
  layer to 4x4x(4w), three stride-2 transposed convolutions (2w, w, 3) with
  batch norm and ReLU, ``tanh`` output; ``w`` is ``width`` (default 32);
* discriminator: three stride-2 4x4 convolutions (w, 2w, 4w) with LeakyReLU
  0.2 and no normalisation, then two heads on the 4x4 features: a real/fake
  score ``linear(h) + <embed(y), h>`` (the projection) and K class logits;
* losses: hinge for real/fake; the discriminator's class head is trained with
  cross-entropy on *real* images only, so it is a classifier of real data,
  and the generator is trained to make that classifier name the class it was
  asked for (weight ``class_weight``). Training the head on generated images
  too (the original AC-GAN) lets the generator make easily classified
  images that no real-data classifier recognises.

With ``augment`` (a DiffAugment policy, Zhao et al. 2020: ``"color,translation,cutout"``) every image the
discriminator sees, real or generated, in both networks' updates, is first put through the same random,
differentiable transformations (:func:`diff_augment`), so that a discriminator trained on few images cannot
simply memorise them; the generator is still asked for unaugmented images.

Logged per epoch besides ``d_loss``/``g_loss``/``d_acc_*``: ``d_cls_real``
(the head's accuracy on real training images) and ``g_cls`` (its accuracy on
generated images for their requested class): the second is an on-line view
of the class signal the Classification Accuracy Score measures afterwards.
"""
from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

from ..errors import ParamError
from .gans import ConditionalGAN, mean_tracker

NOISE_DIM = 128
EMBED_DIM = 64
# Ours, fixed in advance for every profile: no test-set result chooses them (Study 5's recipe table says so).
WIDTH = 32              # 48 was 2.6x slower per image on 2 CPU cores
CLASS_WEIGHT = 1.0
LEARNING_RATE = 2e-4
DIFF_AUGMENT = "color,translation,cutout"   # the policy Zhao et al. (2020) use for CIFAR-10 at 10-20 % of the data
POLICIES = ("color", "translation", "cutout")


def _uniform(shape, seed, low=0.0, high=1.0):
    return keras.random.uniform(shape, minval=low, maxval=high, seed=seed)


def _color(x, seed):
    """Random brightness (±0.5), saturation (×0-2) and contrast (×0.5-1.5) per image, images in [-1, 1]."""
    n = ops.shape(x)[0]
    x = x + (_uniform((n, 1, 1, 1), seed) - 0.5)
    mean = ops.mean(x, axis=-1, keepdims=True)
    x = (x - mean) * (_uniform((n, 1, 1, 1), seed) * 2.0) + mean
    mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
    return (x - mean) * (_uniform((n, 1, 1, 1), seed) + 0.5) + mean


def _translation(x, seed, ratio: float = 0.125):
    """Each image shifted by up to ``ratio`` of its size in each direction (whole pixels, zero fill)."""
    n, h, w = ops.shape(x)[0], x.shape[1], x.shape[2]
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = ops.cast(ops.floor(_uniform((n, 1), seed, -sh, sh + 1)), "int32")
    dx = ops.cast(ops.floor(_uniform((n, 1), seed, -sw, sw + 1)), "int32")
    rows = ops.clip(ops.arange(h, dtype="int32")[None, :] + dy + 1, 0, h + 1)   # index 0 and h + 1: the zero pad
    cols = ops.clip(ops.arange(w, dtype="int32")[None, :] + dx + 1, 0, w + 1)
    x = tf.gather(tf.pad(x, [[0, 0], [1, 1], [0, 0], [0, 0]]), rows, axis=1, batch_dims=1)
    return tf.gather(tf.pad(x, [[0, 0], [0, 0], [1, 1], [0, 0]]), cols, axis=2, batch_dims=1)


def _cutout(x, seed, ratio: float = 0.5):
    """A square of ``ratio`` of the image size, at a random place per image, set to zero."""
    n, h, w = ops.shape(x)[0], x.shape[1], x.shape[2]
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = ops.floor(_uniform((n, 1, 1), seed, 0, h + (1 - ch % 2)))
    cx = ops.floor(_uniform((n, 1, 1), seed, 0, w + (1 - cw % 2)))
    ys = ops.cast(ops.arange(h), "float32")[None, :, None]
    xs = ops.cast(ops.arange(w), "float32")[None, None, :]
    inside = ops.logical_and(ops.logical_and(ys >= cy - ch // 2, ys < cy - ch // 2 + ch),
                             ops.logical_and(xs >= cx - cw // 2, xs < cx - cw // 2 + cw))
    return x * ops.cast(ops.logical_not(inside), x.dtype)[..., None]


def diff_augment(x, policy: str, seed):
    """DiffAugment (Zhao et al., 2020): the policy's transformations, in the order named, differentiable in ``x``.

    ``policy``: comma-separated names from :data:`POLICIES` ("" leaves ``x`` as it is); ``seed``: a
    ``keras.random.SeedGenerator``.
    """
    for name in [p for p in policy.split(",") if p]:
        x = {"color": _color, "translation": _translation, "cutout": _cutout}[name](x, seed)
    return x


def check_policy(policy: str) -> str:
    unknown = [p for p in policy.split(",") if p and p not in POLICIES]
    if unknown:
        raise ParamError(f"DiffAugment policy {policy!r}: unknown {', '.join(unknown)}; use {', '.join(POLICIES)}")
    return policy


def build_generator(num_classes: int, width: int = WIDTH, noise_dim: int = NOISE_DIM, image_shape=(32, 32, 3)):
    if tuple(image_shape[:2]) != (32, 32):
        raise ParamError(f"the AC-GAN generator makes 32x32 images, not {tuple(image_shape)}")
    z = keras.Input((noise_dim,), name="noise")
    y = keras.Input((), dtype="int32", name="label")
    e = layers.Embedding(num_classes, EMBED_DIM, name="label_embedding")(y)
    x = layers.Concatenate()([z, e])
    x = layers.Dense(4 * 4 * 4 * width, use_bias=False)(x)
    x = layers.Reshape((4, 4, 4 * width))(x)
    x = layers.ReLU()(layers.BatchNormalization()(x))
    for filters in (2 * width, width):
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False)(x)
        x = layers.ReLU()(layers.BatchNormalization()(x))
    x = layers.Conv2DTranspose(image_shape[-1], 4, strides=2, padding="same")(x)
    return keras.Model([z, y], layers.Activation("tanh", dtype="float32", name="image")(x), name="acgan_generator")


def build_discriminator(num_classes: int, width: int = WIDTH, image_shape=(32, 32, 3)):
    """Outputs ``(score, class logits)``, both float32."""
    img = keras.Input(image_shape, name="image")
    y = keras.Input((), dtype="int32", name="label")
    x = img
    for filters in (width, 2 * width, 4 * width):
        x = layers.LeakyReLU(0.2)(layers.Conv2D(filters, 4, strides=2, padding="same")(x))
    h = layers.Flatten()(x)
    h = layers.Activation("linear", dtype="float32")(h)   # heads in float32 under mixed precision
    score = layers.Dense(1, dtype="float32", name="score")(h)
    proj = layers.Embedding(num_classes, h.shape[-1], dtype="float32", name="projection")(y)
    score = layers.Add(dtype="float32")([score, ops.sum(proj * h, axis=-1, keepdims=True)])
    logits = layers.Dense(num_classes, dtype="float32", name="class_logits")(h)
    return keras.Model([img, y], [score, logits], name="acgan_discriminator")


class ACGAN(ConditionalGAN):
    """Hinge loss with a projection score plus an auxiliary classifier; see the module docstring."""

    def __init__(self, generator, discriminator, noise_dim: int, num_classes: int, seed: int = 0,
                 class_weight: float = 1.0, augment: str = "", **kwargs):
        super().__init__(generator, discriminator, noise_dim, num_classes, seed=seed, **kwargs)
        self.class_weight = float(class_weight)
        self.augment = check_policy(augment)
        self.trackers.update({n: mean_tracker(n) for n in ("d_cls_real", "g_cls")})

    def discriminate(self, images, labels=None, training: bool = False):
        return self.discriminator([images, labels], training=training)[0]

    def _d(self, images, labels):
        """The discriminator (training mode) on the images after DiffAugment, when a policy is set."""
        if self.augment:
            images = diff_augment(images, self.augment, self.seed_generator)
        return self.discriminator([images, labels], training=True)

    def train_step(self, data):
        self.trace_count += 1
        real, labels = self.unpack(data)
        n = ops.shape(real)[0]
        with tf.GradientTape() as tape:
            fake = self.generate(self.noise(n), labels, training=True)
            real_s, real_c = self._d(real, labels)
            fake_s, _ = self._d(fake, labels)
            cls = ops.mean(keras.losses.sparse_categorical_crossentropy(labels, real_c, from_logits=True))
            d_loss = ops.mean(ops.relu(1.0 - real_s)) + ops.mean(ops.relu(1.0 + fake_s)) + cls
            scaled = self.d_optimizer.scale_loss(d_loss)
        self._update(self.d_optimizer, scaled, tape, self.discriminator.trainable_variables)
        with tf.GradientTape() as tape:
            fake = self.generate(self.noise(n), labels, training=True)
            fake_s, fake_c = self._d(fake, labels)
            g_cls = ops.mean(keras.losses.sparse_categorical_crossentropy(labels, fake_c, from_logits=True))
            g_loss = -ops.mean(fake_s) + self.class_weight * g_cls
            scaled = self.g_optimizer.scale_loss(g_loss)
        self._update(self.g_optimizer, scaled, tape, self.generator.trainable_variables)
        self.step_counter.assign_add(1)
        hit = lambda logits: ops.mean(ops.cast(ops.equal(ops.argmax(logits, axis=-1), labels), "float32"))
        return self._log(d_loss=d_loss, g_loss=g_loss, d_acc_real=ops.mean(ops.cast(real_s > 0, "float32")),
                         d_acc_fake=ops.mean(ops.cast(fake_s < 0, "float32")), d_cls_real=hit(real_c),
                         g_cls=hit(fake_c))


def _adam(lr: float):
    opt = keras.optimizers.Adam(learning_rate=lr, beta_1=0.5, beta_2=0.999)
    if keras.mixed_precision.global_policy().name == "mixed_float16":
        opt = keras.optimizers.LossScaleOptimizer(opt)  # float16 gradients underflow without loss scaling
    return opt


def build_acgan(num_classes: int, width: int = WIDTH, seed: int = 0, lr: float = LEARNING_RATE,
                class_weight: float = CLASS_WEIGHT, image_shape=(32, 32, 3), precision: str = "float32",
                augment: str = "") -> ACGAN:
    """A compiled :class:`ACGAN` (Adam ``lr``, betas 0.5 / 0.999 for both networks), initialised from ``seed``;
    ``augment``: a DiffAugment policy for the discriminator's inputs ("": none).

    Built under its own dtype policy ``precision`` (float32 by default, whatever the study's policy):
    mixed bfloat16 made these small layers about 30 % slower per image on the 2-core CPU (measured).
    """
    from ..train.runtime import reseed

    reseed(seed)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        gan = ACGAN(build_generator(num_classes, width, image_shape=image_shape),
                    build_discriminator(num_classes, width, image_shape), NOISE_DIM, num_classes, seed=seed,
                    class_weight=class_weight, augment=augment, name="acgan")
        gan.compile(d_optimizer=_adam(lr), g_optimizer=_adam(lr), jit_compile=False)  # XLA was slower on CPU
    finally:
        keras.config.set_dtype_policy(previous)
    return gan
