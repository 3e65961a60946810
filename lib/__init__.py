"""Shared library for the small-image CNN and GAN studies.

Notebooks import from here; they define no functions of their own. Modules:
``data`` (loading, checksums, fixtures), ``models`` (builders), ``training``
(runtime set-up and the classifier loop), ``runs`` (cached run results),
``stats``, ``plots``, ``report`` (page header, summaries, index) and
``pipeline`` (the batch runner behind ``make report``).
"""
__version__ = "0.1.0"
