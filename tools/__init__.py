"""Developer tools, run from the project root: the benchmark (``python -m tools.bench``), the
golden-metrics recorder (``python -m tools.record_goldens``) and the notebooks' parameter-cell sync
(``python -m tools.notebook_params``). The report library (``lib``) never imports from here."""
