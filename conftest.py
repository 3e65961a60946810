"""Test tiers for the whole suite (tests/ and the nbval notebooks): unit, slow, notebook.

    make test-fast     the unit tier (the edit-test loop)
    make test          everything: unit, slow and the notebooks

A test that trains a model or runs a notebook for more than a few seconds carries
``@pytest.mark.slow``; every other test in tests/ is a unit test; nbval's notebook cells are
the notebook tier.
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if str(item.fspath).endswith(".ipynb"):
            item.add_marker("notebook")
        elif item.get_closest_marker("slow") is None:
            item.add_marker("unit")
