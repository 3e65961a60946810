"""GAN training as ``keras.Model`` subclasses with their own ``train_step`` (TensorFlow backend).

In the keras-io style: ``compile(d_optimizer=..., g_optimizer=...)``, then
``fit(dataset)``. The dataset yields real images scaled to [-1, 1]
(``ConditionalGAN``: ``(images, int labels)``) in batches of a fixed size
(``drop_remainder=True``), so ``train_step`` is traced once per ``fit``;
``trace_count`` counts the traces, for tests.

Logged per epoch (mean over the epoch's steps): ``d_loss``, ``g_loss``,
``d_acc_real`` (share of real images the discriminator calls real) and
``d_acc_fake`` (share of generated images it calls fake).
"""
from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops


def mean_tracker(name: str) -> keras.metrics.Mean:
    """The running mean a GAN family logs per epoch (losses, accuracies); public: AC-GAN adds its own."""
    return keras.metrics.Mean(name=name)


class GAN(keras.Model):
    """Unconditional GAN with the non-saturating BCE loss and alternating updates.

    Each step: one discriminator update on a real batch and a generated batch
    (separate batches, as in DCGAN), then one generator update on fresh noise.
    Used for the vanilla, seed-003 and DCGAN families.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, noise_dim: int, seed: int = 0,
                 **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.noise_dim = int(noise_dim)
        self.seed_generator = keras.random.SeedGenerator(seed)
        # Training steps taken (checkpointed). Not the optimizers' ``iterations``: a loss-scaling
        # optimizer does not count the steps it skips for non-finite gradients.
        self.step_counter = keras.Variable(0, dtype="int64", trainable=False, name="step_counter")
        self.trace_count = 0
        self.trackers = {n: mean_tracker(n) for n in ("d_loss", "g_loss", "d_acc_real", "d_acc_fake")}

    def compile(self, d_optimizer, g_optimizer, label_smoothing: float = 0.0, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.label_smoothing = float(label_smoothing)
        # Built now, not in the first step: checkpoints restore their state before training, and
        # WGAN-GP applies the generator update inside a conditional, where variables cannot be created.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        return list(self.trackers.values())

    # -- sampling ----------------------------------------------------------------------------------------

    def noise(self, n):
        return keras.random.normal((n, self.noise_dim), seed=self.seed_generator)

    def generate(self, noise, labels=None, training: bool = False):
        return self.generator(noise, training=training)

    def discriminate(self, images, labels=None, training: bool = False):
        return self.discriminator(images, training=training)

    def call(self, noise, training=False):
        return self.generate(noise, training=training)

    def unpack(self, data):
        """Real images (and labels, for the conditional GAN) from one dataset element."""
        if isinstance(data, (tuple, list)):
            return data[0], None
        return data, None

    # -- one step ----------------------------------------------------------------------------------------

    @staticmethod
    def _bce(target: float, logits):
        logits = ops.cast(logits, "float32")
        return ops.mean(ops.binary_crossentropy(ops.full_like(logits, target), logits, from_logits=True))

    @staticmethod
    def _update(optimizer, scaled_loss, tape, variables):
        """Apply the gradients of ``scaled_loss`` (``optimizer.scale_loss(loss)``, taken inside the tape)."""
        grads = tape.gradient(scaled_loss, variables)
        optimizer.apply_gradients(zip(grads, variables))  # a LossScaleOptimizer unscales them here

    def train_step(self, data):
        self.trace_count += 1  # Python side effect: runs once per trace, not per step
        real, labels = self.unpack(data)
        n = ops.shape(real)[0]
        d_vars, g_vars = self.discriminator.trainable_variables, self.generator.trainable_variables
        with tf.GradientTape() as tape:
            fake = self.generate(self.noise(n), labels, training=True)
            real_logits = self.discriminate(real, labels, training=True)
            fake_logits = self.discriminate(fake, labels, training=True)
            d_loss = self._bce(1.0 - self.label_smoothing, real_logits) + self._bce(0.0, fake_logits)
            scaled = self.d_optimizer.scale_loss(d_loss)  # mixed_float16: loss scaling against underflow
        self._update(self.d_optimizer, scaled, tape, d_vars)
        with tf.GradientTape() as tape:
            fake = self.generate(self.noise(n), labels, training=True)
            g_loss = self._bce(1.0, self.discriminate(fake, labels, training=True))
            scaled = self.g_optimizer.scale_loss(g_loss)
        self._update(self.g_optimizer, scaled, tape, g_vars)
        self.step_counter.assign_add(1)
        return self._log(d_loss=d_loss, g_loss=g_loss,
                         d_acc_real=ops.mean(ops.cast(real_logits > 0, "float32")),
                         d_acc_fake=ops.mean(ops.cast(fake_logits < 0, "float32")))

    def _log(self, **values):
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: t.result() for name, t in self.trackers.items()}


class ConditionalGAN(GAN):
    """Class-conditional GAN: the label goes into both networks.

    Generic over image shape and number of classes (Fashion-MNIST 28x28x1 with
    10 classes; CIFAR-100 32x32x3 with 100 classes).

    Public API::

        from lib.gan.models import build_conditional_generator, build_conditional_discriminator
        g = build_conditional_generator(noise_dim, image_shape, num_classes)   # inputs [noise, label]
        d = build_conditional_discriminator(image_shape, num_classes)          # inputs [image, label]
        gan = ConditionalGAN(g, d, noise_dim, num_classes, seed=0)
        gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, 0.5), g_optimizer=keras.optimizers.Adam(2e-4, 0.5))
        gan.fit(tf.data.Dataset of (images in [-1, 1], int labels), batched with drop_remainder=True)
        images = gan.generate(noise, labels)    # float32 in [-1, 1], one image per (noise row, label)

    (``lib.gan.loop.build_gan("cgan", image_shape, num_classes)`` does the
    first four lines.) The discriminator judges real images with their true
    labels and generated images with the labels they were generated for; the
    generator step reuses the batch's labels, so the class mix follows the data.
    """

    def __init__(self, generator, discriminator, noise_dim: int, num_classes: int, seed: int = 0, **kwargs):
        super().__init__(generator, discriminator, noise_dim, seed=seed, **kwargs)
        self.num_classes = int(num_classes)

    def unpack(self, data):
        images, labels = data
        return images, ops.cast(labels, "int32")

    def generate(self, noise, labels=None, training: bool = False):
        return self.generator([noise, labels], training=training)

    def discriminate(self, images, labels=None, training: bool = False):
        return self.discriminator([images, labels], training=training)

    def call(self, inputs, training=False):
        noise, labels = inputs
        return self.generate(noise, labels, training=training)


class WGANGP(GAN):
    """Wasserstein GAN with gradient penalty (Gulrajani et al. 2017, Algorithm 1).

    Every step updates the critic on a fresh real batch; every ``n_critic``-th
    step also updates the generator. Logged: ``d_loss`` (critic loss with the
    penalty), ``g_loss`` (mean over the steps that updated the generator),
    ``w_distance`` (mean critic score on real minus on generated images: the
    critic's estimate of the Wasserstein distance), ``gp``, and accuracies that
    threshold the scores at the midpoint between the real and generated means
    (the critic has no fixed zero).
    """

    def __init__(self, generator, discriminator, noise_dim: int, seed: int = 0, n_critic: int = 5,
                 gp_weight: float = 10.0, **kwargs):
        super().__init__(generator, discriminator, noise_dim, seed=seed, **kwargs)
        self.n_critic, self.gp_weight = int(n_critic), float(gp_weight)
        self.trackers.update({n: mean_tracker(n) for n in ("w_distance", "gp")})

    def _gradient_penalty(self, real, fake):
        real, fake = ops.cast(real, "float32"), ops.cast(fake, "float32")
        eps = keras.random.uniform((ops.shape(real)[0], 1, 1, 1), seed=self.seed_generator)
        mixed = eps * real + (1.0 - eps) * fake
        with tf.GradientTape() as tape:
            tape.watch(mixed)
            score = ops.cast(self.discriminator(mixed, training=True), "float32")
        grads = ops.cast(tape.gradient(score, mixed), "float32")
        norm = ops.sqrt(ops.sum(ops.square(grads), axis=[1, 2, 3]) + 1e-12)
        return ops.mean(ops.square(norm - 1.0))

    def _generator_step(self, n):
        with tf.GradientTape() as tape:
            fake = self.generate(self.noise(n), training=True)
            g_loss = -ops.mean(ops.cast(self.discriminate(fake, training=True), "float32"))
            scaled = self.g_optimizer.scale_loss(g_loss)
        self._update(self.g_optimizer, scaled, tape, self.generator.trainable_variables)
        return g_loss

    def train_step(self, data):
        self.trace_count += 1
        real, _ = self.unpack(data)
        n = ops.shape(real)[0]
        with tf.GradientTape() as tape:
            fake = self.generate(self.noise(n), training=True)
            real_s = ops.cast(self.discriminate(real, training=True), "float32")
            fake_s = ops.cast(self.discriminate(fake, training=True), "float32")
            gp = self._gradient_penalty(real, fake)
            w = ops.mean(real_s) - ops.mean(fake_s)
            d_loss = -w + self.gp_weight * gp
            scaled = self.d_optimizer.scale_loss(d_loss)
        self._update(self.d_optimizer, scaled, tape, self.discriminator.trainable_variables)
        self.step_counter.assign_add(1)  # counts this critic update: 1, 2, ...
        g_turn = ops.equal(ops.mod(self.step_counter.value, self.n_critic), 0)
        g_loss = tf.cond(g_turn, lambda: self._generator_step(n), lambda: ops.zeros((), "float32"))
        self.trackers["g_loss"].update_state(g_loss, sample_weight=ops.cast(g_turn, "float32"))
        mid = (ops.mean(real_s) + ops.mean(fake_s)) / 2.0
        values = dict(d_loss=d_loss, w_distance=w, gp=gp, d_acc_real=ops.mean(ops.cast(real_s > mid, "float32")),
                      d_acc_fake=ops.mean(ops.cast(fake_s < mid, "float32")))
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: t.result() for name, t in self.trackers.items()}
