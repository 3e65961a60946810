"""Shared library for the small-image CNN and GAN studies.

Notebooks import from here; they define no functions of their own. Modules:
``data`` (loading, checksums, fixtures), ``models`` (builders), ``train``
(runtime set-up, the classifier loop, the callbacks and checkpoints every run shares),
``experiments`` (cached run results),
``stats``, ``plots``, ``report`` (page header, summaries, index) and
``pipeline`` (the batch runner behind ``make report``).
"""
import os as _os

# TensorFlow's C++ start-up chatter (oneDNN notices, CPU feature lists) is not for readers.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
