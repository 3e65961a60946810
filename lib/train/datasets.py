"""The in-memory tf.data pipeline of the classifier runs, and one-hot labels."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

# tf.data copies a numpy array into a tensor each time a pipeline is built from it: for CIFAR-10's training part
# (553 MB of float32) about 5 s on a machine with slow fresh memory, paid at a run's start and again for its
# final evaluation, and again by the next run in the same process. So the largest arrays are converted once per
# process and the tensor reused (the same values, so the same batches). The entry holds its array, so that an
# id is never recycled while it is kept; the study code never writes into a split once made.
TENSOR_MIN_BYTES = 32 * 2**20
TENSORS_KEPT = 4
_tensors: OrderedDict = OrderedDict()


def as_tensor(x):
    """``x`` as a tensor: converted once per process where it is a large numpy array, else as it is."""
    if not isinstance(x, np.ndarray) or x.nbytes < TENSOR_MIN_BYTES:
        return x
    key = (id(x), x.shape, x.dtype.str, x.__array_interface__["data"][0])
    if key not in _tensors:
        import tensorflow as tf

        _tensors[key] = (x, tf.convert_to_tensor(x))
        while len(_tensors) > TENSORS_KEPT:
            _tensors.popitem(last=False)
    _tensors.move_to_end(key)
    return _tensors[key][1]


def make_dataset(x, y, batch_size: int, shuffle_seed: int | None = None, augment=None, repeat: bool = False):
    """An in-memory tf.data pipeline: shuffle, (repeat,) batch, vectorised augmentation, prefetch.

    uint8 images (kept so at rest) are scaled to float32 [0, 1] per batch, their one conversion.

    ``repeat``: an endless stream (the run then gives ``steps_per_epoch``), reshuffled on every pass.
    """
    ds = _batches(x, y, batch_size, shuffle_seed, repeat)
    return _finish(ds, augment, np.asarray(x).dtype == np.uint8)


def make_mixed_dataset(x, y, x_extra, y_extra, batch_size: int, extra_per_batch: int, shuffle_seed: int,
                       augment=None):
    """An endless stream of batches of ``batch_size`` images from ``x`` with ``extra_per_batch`` images from
    ``x_extra`` added on top (each from its own shuffled, repeating stream; the first stream is exactly
    :func:`make_dataset`'s with the same seed, so every arm sees the same batches of ``x`` in the same order).
    Both image sets have one dtype; uint8 is scaled once, after batching, as in :func:`make_dataset`.
    """
    import tensorflow as tf

    if np.asarray(x).dtype != np.asarray(x_extra).dtype:
        raise ValueError("the added images must have the dtype of the others, so both are scaled the same way")
    main = _batches(x, y, batch_size, shuffle_seed, True)
    extra = _batches(x_extra, y_extra, extra_per_batch, shuffle_seed + 1, True)
    ds = tf.data.Dataset.zip((main, extra)).map(
        lambda a, b: (tf.concat([a[0], b[0]], 0), tf.concat([a[1], b[1]], 0)))
    return _finish(ds, augment, np.asarray(x).dtype == np.uint8)


def _batches(x, y, batch_size: int, shuffle_seed: int | None, repeat: bool):
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((as_tensor(x), y))
    if shuffle_seed is not None:
        ds = ds.shuffle(len(y), seed=shuffle_seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    return ds.batch(batch_size)


def _finish(ds, augment, uint8: bool):
    """uint8 images scaled to float32 [0, 1] (their one conversion, at the model's input), augmented, prefetched."""
    import tensorflow as tf

    if uint8:
        ds = ds.map(lambda a, b: (tf.cast(a, tf.float32) / 255.0, b))
    if augment is not None:
        ds = ds.map(lambda a, b: (augment(a, training=True), b), num_parallel_calls=tf.data.AUTOTUNE,
                    deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE)


def one_hot_labels(model):
    """Integer labels -> one-hot rows as wide as the model's output."""
    import keras

    num_classes = int(model.output_shape[-1])
    return lambda y: keras.utils.to_categorical(y, num_classes).astype(np.float32)
