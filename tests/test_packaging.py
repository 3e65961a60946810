"""pyproject.toml builds without setuptools' deprecation warnings (they were two screens of `make setup`)."""
import re
import tomllib

from lib.paths import PROJECT_ROOT


def test_license_is_an_spdx_string_and_setuptools_is_new_enough_for_it():
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    assert config["project"]["license"] == "MIT"  # a TOML table is deprecated since setuptools 77
    [req] = [r for r in config["build-system"]["requires"] if r.startswith("setuptools")]
    assert tuple(int(x) for x in re.search(r">=\s*([\d.]+)", req)[1].split(".")) >= (77,)
