"""Study 4, Fashion-MNIST GANs: one family's run (``runs``), its tables and its figures.

The reusable GAN code (families, networks, training loop, offline metrics) lives in ``lib.gan``.
"""
