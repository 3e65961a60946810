"""The closing summaries of make report and make check, on hand-made inputs."""
import json

from lib.report import index, summary
from lib.studies.registry import STUDIES

NEW = {"status": "ok", "title": "Study 2", "page": "02.html", "compute_seconds": 95.0, "render_seconds": 4.0,
       "cache": {"reused": 6, "trained": 0}, "finding": "Dropout closes most of the overfitting gap.",
       "claims": [{"claim": "dropout CNN test accuracy", "ours": "91.2 %", "seed_value": "91.0 %",
                   "verdict": "reproduced", "scope": "quick profile, 3 seeds"},
                  {"claim": "baseline test accuracy", "ours": "89.9 %", "seed_value": "",
                   "verdict": "n/a", "scope": "quick profile, 3 seeds"}], "commit": "abc123"}
OLD = {"status": "ok", "title": "Study 4", "seconds": 30.0,
       "headline": [{"metric": "best FID", "ours": "48.1", "claim": "60", "verdict": "beaten",
                     "tolerance": "±5", "note": "smoke"},
                    {"metric": "classes covered", "ours": "8", "claim": "", "verdict": "n/a",
                     "tolerance": "", "note": "real images"}]}


def _rows(failed_log="build/smoke/logs/fashion_gans.log"):
    return [{"number": 2, "key": "fashion_regularisation", "title": "Study 2", "status": "ok",
             "summary": NEW, "cache": (1, 5)},
            {"number": 4, "key": "fashion_gans", "title": "Study 4", "status": "ok", "summary": OLD, "cache": (2, 3)},
            {"number": 5, "key": "cifar100_vgg_synthetic", "title": "Study 5", "status": "failed",
             "error": "DataError: no CIFAR-100", "summary": None, "log": failed_log}]


def test_report_summary_reads_new_and_old_keys():
    text = summary.report_summary("quick", _rows(), "reports/quick/index.html", 400)
    lines = text.splitlines()
    assert lines[0] == "Report quick: 2 of 3 studies ok in 7 min"
    # new keys: compute time, the cache counts from the summary (not the printed line), finding, claims
    assert lines[1] == "  2. Study 2: ok, compute 2 min, all 6 runs from the cache"
    assert lines[2] == "       Dropout closes most of the overfitting gap."
    assert lines[3] == "       - dropout CNN test accuracy: ours 91.2 %, seed 91.0 % -> reproduced"
    assert lines[4] == "       - baseline test accuracy: ours 89.9 %, seed — -> n/a"
    assert lines[5] == "         scope: quick profile, 3 seeds"
    # old keys: the notebook's run time and the cache line it printed; per-row scopes when they differ
    assert lines[6] == "  4. Study 4: ok, run time 30 s, 2 runs from the cache, 3 trained"
    assert lines[7] == "       - best FID: ours 48.1, seed 60 -> beaten [smoke]"
    assert lines[9] == "  5. Study 5: failed: DataError: no CIFAR-100"
    assert lines[10] == "       log: build/smoke/logs/fashion_gans.log"
    assert lines[-1] == "Index: reports/quick/index.html"


def test_report_summary_matches_the_index_page(tmp_path):
    """Statuses and verdicts in the terminal are those of the index built from the same files."""
    build, reports = tmp_path / "build", tmp_path / "reports"
    both = {**OLD, "finished": "2026-01-01T00:00", "data": []}
    # The same numbers under the old and the new keys, so this holds before and after the index's rewrite.
    both["claims"] = [{"claim": h["metric"], "ours": h["ours"], "seed_value": h["claim"], "verdict": h["verdict"],
                       "scope": h["note"]} for h in OLD["headline"]]
    (build / "fashion_gans").mkdir(parents=True)
    (build / "fashion_gans" / "summary.json").write_text(json.dumps(both))
    (reports).mkdir()
    (reports / STUDIES["fashion_gans"].page).write_text("<html></html>")
    outcomes = {"fashion_gans": {"status": "ok"}, "cifar100_vgg_synthetic": {"status": "failed", "error": "boom"}}
    page = index.build_index("smoke", build, reports, outcomes).read_text()
    rows = [{"number": 4, "key": "fashion_gans", "title": "Study 4", "status": "ok", "summary": both},
            {"number": 5, "key": "cifar100_vgg_synthetic", "title": "Study 5", "status": "failed", "error": "boom"}]
    text = summary.report_summary("smoke", rows, reports / "index.html", 10)
    for verdict in ("beaten", "n/a"):
        assert verdict in page and f"-> {verdict}" in text
    for value in ("48.1", "60", "8"):
        assert f">{value}<" in page and value in text
    assert 'class="failed">failed<' in page and "Study 5: failed: boom" in text


def test_check_summary_names_each_study_and_its_data():
    studies = [STUDIES["fashion_regularisation"], STUDIES["cifar10_batchnorm"], STUDIES["cifar100_vgg_synthetic"]]
    planned = {"fashion_regularisation": {"data_source": "generated", "seeds": [0, 1], "epochs": 3},
               "cifar10_batchnorm": {"data_source": "auto", "seeds": [0]},
               "cifar100_vgg_synthetic": {"data_source": "auto", "dataset": "cifar100", "fallback_dataset": "cifar10"}}
    text = summary.check_summary("smoke", studies, planned,
                                 datasets={"cifar10_batchnorm": ["cifar10: data_dir /data/cifar-10-batches-py"]})
    lines = text.splitlines()
    assert lines[0] == "Checked profile smoke: 3 studies, parameters valid, data checked"
    assert lines[1] == ("  2. fashion_regularisation: params/smoke/fashion_regularisation.yaml valid "
                        "(3 parameters, 0 changed from the defaults, seeds [0, 1]); data: generated stand-in data")
    assert lines[2].endswith("data: cifar10: data_dir /data/cifar-10-batches-py")
    assert lines[3].endswith("(3 parameters, 2 changed from the defaults); data: cifar100: checked, fallback cifar10")
