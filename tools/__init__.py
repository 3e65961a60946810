"""Developer tools: the benchmark (``python -m tools.bench``) and the golden-metrics recorder
(``python -m tools.goldens``). The report library (``lib``) never imports from here."""
