"""The one training stack of the classifier and GAN runs.

Modules (import them directly; this package file stays light, importing no Keras):

* ``classifier``  ``train_classifier``: the classifier loop of the classification studies
* ``callbacks``   the stop-on-NaN/inf callback, the epoch logger, the epoch checkpoint, the test-set monitor
* ``checkpoints`` a run's variables and state in one atomically written ``.npz`` file, and its restore
* ``datasets``    the in-memory ``tf.data`` pipeline and one-hot labels
* ``augment``     label-preserving augmentation of the Fashion-MNIST images
* ``runtime``     process-wide settings of a run: seeds, op determinism, precision, threads
* ``distribute``  the ``strategy`` parameter and its scaling rules
* ``recipes``     the warm-up + cosine schedule and the CIFAR augmentation (Study 5's recipes use them)
"""
