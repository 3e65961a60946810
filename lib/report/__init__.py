"""The report machinery: what a study page shows (``page``), ``make report``/``make check`` (``pipeline``),
HTML rendering (``render``), the index (``index`` with ``templates/``), the terminal (``console``,
``eta``, ``summary``), notebook kernels (``kernels``), nbval goldens (``goldens``) and ``make lab`` (``lab``).

Import the modules directly; this file stays empty so that ``python -m lib.report.pipeline`` loads only
what it needs. Nothing in ``lib/studies`` or below imports this package.
"""
