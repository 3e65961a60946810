"""The in-memory tf.data pipeline of the classifier runs, and one-hot labels."""
from __future__ import annotations

import numpy as np


def make_dataset(x, y, batch_size: int, shuffle_seed: int | None = None, augment=None, repeat: bool = False):
    """An in-memory tf.data pipeline: shuffle, (repeat,) batch, vectorised augmentation, prefetch.

    ``repeat``: an endless stream (the run then gives ``steps_per_epoch``), reshuffled on every pass.
    """
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle_seed is not None:
        ds = ds.shuffle(len(y), seed=shuffle_seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size)
    if augment is not None:
        ds = ds.map(lambda a, b: (augment(a, training=True), b), num_parallel_calls=tf.data.AUTOTUNE,
                    deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE)


def one_hot_labels(model):
    """Integer labels -> one-hot rows as wide as the model's output."""
    import keras

    num_classes = int(model.output_shape[-1])
    return lambda y: keras.utils.to_categorical(y, num_classes).astype(np.float32)
