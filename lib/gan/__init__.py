"""GANs for the small-image studies: models, training loop, monitoring and offline evaluation.

Modules (import them directly; this package file stays light so that the study
registry can import :mod:`lib.gan.families` without loading TensorFlow):

* ``families``   the GAN families, their fixed hyper-parameters, the ``variants`` parameter type
* ``models``     generator and discriminator builders per family
* ``gans``       ``keras.Model`` subclasses with their own ``train_step``: GAN, WGANGP, ConditionalGAN
* ``callbacks``  fixed-noise image grids, periodic metrics (the epoch logger, stop-on-NaN and epoch
                 checkpoint are the shared ones of ``lib.train.callbacks``)
* ``checkpoints`` what a GAN's checkpoint holds (the format is ``lib.train.checkpoints``'), and its restore
* ``loop``       ``build_gan`` and ``train_gan`` (resumes from the last checkpoint)
* ``metrics``    FID, KID, classifier Inception score, mode coverage, k-NN precision/recall, collapse flag
* ``evaluation`` the classifier feature extractor and ``evaluate_images``
* ``images``     training subset in [-1, 1], reference and real-baseline evaluation sets
* ``acgan``      the auxiliary-classifier GAN for 32×32×3 images (Study 5's generator)
"""
