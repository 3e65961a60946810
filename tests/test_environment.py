"""environment.yml and pyproject.toml pin the same versions."""
import re
import tomllib

import yaml

from lib.paths import PROJECT_ROOT


def _pins(reqs):
    out = {}
    for r in reqs:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^;\s]+)", r.strip())
        if m:
            out[m.group(1).lower()] = m.group(3)
    return out


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    expected = _pins(project["dependencies"] + project["optional-dependencies"]["cpu"]
                     + project["optional-dependencies"]["dev"] + project["optional-dependencies"]["ray"])
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(pip) == expected
    assert "python=3.11" in env["dependencies"]
    assert any(p.startswith("-e .") for p in pip)


def test_every_dependency_is_pinned():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    assert all("==" in r for r in reqs), [r for r in reqs if "==" not in r]


def test_gpu_and_cpu_builds_pin_the_same_tensorflow():
    extras = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert _pins(extras["cpu"])["tensorflow-cpu"] == _pins(extras["gpu"])["tensorflow"]
