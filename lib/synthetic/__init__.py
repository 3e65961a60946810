"""GAN-synthetic training data for the CIFAR studies (Study 5).

Modules (import them directly; this file stays light):

* ``source``    which dataset a study uses: the requested one, or a stated fallback when it is unavailable;
                a subset of classes
* ``artifact``  class-balanced images from a trained conditional GAN, quantised like the real data and saved
                as an ``.npz`` artifact with one sample grid per class
* ``gan_run``   train the conditional GAN of :mod:`lib.gan` on the real training images and write the artifact
                (the unit a notebook caches)
* ``mixing``    add a given fraction of synthetic images to the real training set; the Classification Accuracy
                Score split (train on synthetic only, test on real)
* ``classifier_runs`` the classifier arms (real + synthetic, synthetic only) at an equal number of optimiser
                steps; the CAS gate; the page title
* ``figures``   real-vs-synthetic sample overview and the accuracy-per-fraction plot
"""
