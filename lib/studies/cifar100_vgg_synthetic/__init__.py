"""Study 5, VGG-16 trained on real plus GAN-synthetic images (CIFAR-100; CIFAR-10 as the stated fallback).

Modules (import them directly; this file stays light):

* ``artifact``  class-balanced images from a trained conditional GAN, quantised like the real data and saved
                as an ``.npz`` artifact with one sample grid per class
* ``gan_run``   train the AC-GAN of :mod:`lib.gan.acgan` on the real training images and write the artifact
                (the unit a notebook caches)
* ``mixing``    add a given fraction of synthetic images to the real training set; the Classification Accuracy
                Score split (train on synthetic only, test on real)
* ``arms``      the classifier arms (real + synthetic, synthetic only) at an equal number of optimiser
                steps; the CAS gate; the page title
* ``figures``   real-vs-synthetic sample overview and the accuracy-per-fraction plot

The dataset fallback is :mod:`lib.data.fallback`, the ImageNet-pretrained builder :mod:`lib.models.imagenet`.
"""
