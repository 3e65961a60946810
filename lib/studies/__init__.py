"""One place per study, named by the study's key (the key also names its notebook, profiles, goldens and
build folder): its variants and runs, its claim records and the tables and figures only it uses.

``registry`` is plain data (notebook, question, datasets, parameter schema) and loads no TensorFlow.
"""
