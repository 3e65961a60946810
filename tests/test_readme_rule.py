"""The README states the verdict rule generated from the definitions the code uses (tools/readme_rule.py)."""
import pytest

from lib.experiments.claims import SESOI, VERDICTS
from lib.paths import PROJECT_ROOT
from tools import readme_rule

pytestmark = pytest.mark.unit


def test_the_readmes_rule_section_is_the_generated_one():
    assert readme_rule.main(["--check"]) == 0, "run python -m tools.readme_rule"


def test_the_generated_section_carries_every_verdict_and_smallest_effect():
    text = readme_rule.section()
    for word, meaning in VERDICTS.items():
        assert f"| {word} | {meaning} |" in text
    for kind, s in SESOI.items():
        assert f"| {kind} | {s.text} | {s.why} |" in text
    assert text in (PROJECT_ROOT / "README.md").read_text()
