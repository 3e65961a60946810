"""Study 5, VGG-16 trained on real plus GAN-synthetic images (CIFAR-100; CIFAR-10 as the stated fallback).

Modules (import them directly; this file stays light):

* ``artifact``  class-balanced images from a trained conditional GAN, quantised like the real data and saved
                as an ``.npz`` artifact with one sample grid per class
* ``gan_run``   train the AC-GAN of :mod:`lib.gan.acgan` (DiffAugment) on the real training images and write the
                artifact, optionally filtered by the GAN's class head (the unit cached, one per seed)
* ``mixing``    the synthetic images an arm adds on top of its real batches; the Classification Accuracy
                Score split (train on synthetic only, test on real)
* ``arms``      the classifier arms (real only, synthetic on top, synthetic only) through the one classifier
                training function, at an equal number of optimiser steps; the page title
* ``study``     scope, one GAN per seed, the arms, tables, the sweeps, the comparisons and their sentences
* ``steps``     the notebook's sections, one call each, laying results out on the page object passed in
* ``claims``    the claim records, declared before the run, and their evidence; the CAS gate, seed by seed
* ``figures``   real-vs-synthetic sample overview and the accuracy-per-fraction plot

The dataset fallback is :mod:`lib.data.fallback`, the ImageNet-pretrained builder :mod:`lib.models.imagenet`.
"""
