"""The report's own process never starts TensorFlow, also when a dataset has to be looked for in
the Keras download cache (Study 5: CIFAR-100 absent from the data directory)."""
import os
import subprocess
import sys

import pytest

from lib.paths import PROJECT_ROOT

pytestmark = pytest.mark.unit

_CHECK = """
import sys
import lib.data.loading as loading
loading._network_reachable = lambda *a, **k: False  # hermetic: never download in a test
from lib.report.pipeline import main
rc = main(['check', '--profile', 'quick', '--data-dir', sys.argv[1], '--build-dir', sys.argv[2],
           '--reports-dir', sys.argv[3]])
print('LOADED', ','.join(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'absl'})) or '-')
sys.exit(rc)
"""


def test_check_with_real_format_data_but_no_cifar100_loads_no_tensorflow(tmp_path):
    from lib.data.fixtures import write_cifar10, write_fashion_mnist

    data = tmp_path / "data"
    write_fashion_mnist(data)
    write_cifar10(data)
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "HOME": str(home), "KERAS_HOME": str(home / ".keras")}
    env.pop("SMALLIMG_DATA_DIR", None)
    out = subprocess.run([sys.executable, "-c", _CHECK, str(data), str(tmp_path / "build"), str(tmp_path / "reports")],
                         capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=300)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    assert "CIFAR-100 is not available" in text  # the Keras-cache path was taken
    assert "LOADED -" in text, f"the report process imported: {text.splitlines()[-1]}"
    for startup in ("absl", "oneDNN", "tensorflow", "cpu_feature_guard"):
        assert startup not in text, f"TensorFlow start-up line in the report's output: {startup}"


def test_keras_home_is_where_keras_looks(monkeypatch, tmp_path):
    from keras.src.backend import config

    from lib.data.loading import keras_home

    assert str(keras_home()) == config.keras_home()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert keras_home() == tmp_path
