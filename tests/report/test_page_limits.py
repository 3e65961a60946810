"""The header and the "Limitations" section are built from what the notebook handed the page."""
from types import SimpleNamespace

from lib.report import header
import pytest

from lib.report import page as report
from lib.report import pipeline

JPEG = ("cifar10: cifar10 from the data directory: NON-CANONICAL copy: MD5 differs from the official release for "
        "test_batch. cifar-10-batches-py/: CIFAR-10 rebuilt from a public JPEG (quality 75) mirror of all 60,000 "
        "images; not byte-identical to the official archive. Used: 10,000 train / 2,500 validation / 10,000 test "
        "images (fingerprint 2e33aab8b027d27c).")


@pytest.fixture
def page(monkeypatch, tmp_path):
    monkeypatch.setattr(report, "_display", lambda obj, **kw: None)
    study = pipeline.get_study("cifar100_vgg_synthetic")
    params = {**pipeline.load_params("quick", study), "profile": "quick", "golden": "off",
              "output_dir": str(tmp_path)}
    return report.StudyReport(study.key, params, runtime={"seed": 0, "deterministic": False,
                                                          "precision": "mixed_bfloat16", "threads": 2})


def test_limitations_come_from_the_run(page):
    page.add_data(JPEG)
    page.warnings.append("ImageNet-pretrained VGG-16 baseline skipped: weights not available; put x into y")
    page.claim_rows = [{"verdict": "not tested at the seed's budget (40%)"}, {"verdict": "not tested at the seed's "
                   "budget (0%)"}, {"verdict": "n/a"}, {"verdict": "reproduced"}]
    page.record([SimpleNamespace(seconds=1.0, cached=False, seed=s, ok=True) for s in (0, 1, 2)])
    page.limitation("The GAN is trained once.")
    lines = page.limitations(finished=True)
    text = "\n".join(lines)
    assert "rebuilt from a public JPEG (quality 75)" in lines[0]
    assert "baseline skipped: weights not available (the warning" in text and "put x" not in text
    assert "2 of 4 claims were tested with less training" in text and "under 1 %, 40%" in text
    assert "1 of 4 claims could not be tested" in text
    assert "At most 3 seeds" in text and "not bit-deterministic" in text
    assert "10,000 test images" in text and "±0.5 points" in text and "±1.0 for 95 %" in text
    assert lines[-1] == "The GAN is trained once."
    assert page._limitations_text().startswith("## Limitations\n") and "incomplete" in page._limitations_text()


def test_few_seeds_generated_data_and_determinism_are_said(page):
    page.params.update(data_source="generated", deterministic=True, seeds=[0])
    page.runtime = {"deterministic": True}
    text = "\n".join(page.limitations())
    assert "generated stand-ins" in text and "1 seed: too few" in text and "ran bit-deterministic" in text
    assert "test images" not in text  # no test-set size was handed over, so no sampling claim


def test_header_reproduces_links_and_states_the_seeds_the_runs_used(page):
    page.params["seeds"] = [0]
    page.record([SimpleNamespace(seconds=1.0, cached=True, seed=s, ok=True) for s in (0, 1, 2)])
    page.add_data(JPEG)
    text = header.header_text(page)
    assert "make report PROFILE=quick STUDIES=5 DATA_DIR=/path/to/data" in text
    assert "](index.html)" in text and "| Seeds | 0, 1, 2 (3 seeds" in text
    assert "seed 0" not in text and "bfloat16 mixed precision" in text and "mixed_bfloat16" not in text
    assert "*fingerprint* is a hash" in text and "`quick`: a laptop-CPU run" in text
    page.params["data_source"] = "generated"
    assert header.reproduce_command(page) == "make report PROFILE=quick STUDIES=5"
