"""A killed training run resumes from its last epoch checkpoint; the mirrored strategy runs
on two logical CPU devices. Both run in subprocesses, as a real kill or device set-up needs."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.slow  # every test here trains a model

SCRIPT = textwrap.dedent('''
    import json, sys, time
    from lib.train import runtime
    from lib.data import classification_split, load_dataset, write_fixture
    from lib.models import build_fashion_cnn
    from lib.train import callbacks, classifier
    root, ckpt, slow = sys.argv[1], sys.argv[2], sys.argv[3] == "slow"
    if slow:  # give the test time to kill the run between epochs
        original = callbacks.EpochLogger.on_epoch_end
        def sleepy(self, epoch, logs=None):
            original(self, epoch, logs)
            time.sleep(1.0)
        callbacks.EpochLogger.on_epoch_end = sleepy
    write_fixture("fashion_mnist", root, n_train=200, n_test=40)
    runtime.configure(seed=0, deterministic=True, precision="float32")
    split = classification_split(load_dataset("fashion_mnist", root, allow_download=False), None, None, 0.2)
    r = classifier.train_classifier(build_fashion_cnn, split, classifier.TrainConfig(epochs=6, batch_size=32),
                                    label="resume", seed=0, checkpoint_dir=ckpt)
    print("RESULT " + json.dumps({"epochs_run": r.epochs_run, "loss": r.history["loss"]}), flush=True)
''')


def _env():
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}


def test_killed_run_resumes_from_its_last_epoch(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    from lib.train.checkpoints import CHECKPOINT, read_state

    ckpt = tmp_path / "ckpt"
    state = ckpt / CHECKPOINT
    first = subprocess.Popen([sys.executable, str(script), str(tmp_path / "data"), str(ckpt), "slow"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=_env(), text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if state.is_file() and (read_state(state) or {"epoch": 0})["epoch"] >= 2:
            break
        assert first.poll() is None, first.stdout.read()
        time.sleep(0.1)
    first.send_signal(signal.SIGKILL)
    first.wait()
    done_before = read_state(state)["epoch"]
    assert 2 <= done_before < 6, "the kill must land part-way through the run"

    second = subprocess.run([sys.executable, str(script), str(tmp_path / "data"), str(ckpt), "fast"],
                            capture_output=True, text=True, env=_env(), timeout=300)
    assert second.returncode == 0, second.stdout + second.stderr
    out = second.stdout
    resumed = int(out.split("resumed from the checkpoint after epoch ")[1].split()[0])
    assert resumed >= done_before - 1, "lost more than one epoch"
    assert f"epoch {resumed}/6" not in out and f"epoch {resumed + 1}/6" in out  # no epoch retrained
    result = json.loads(out.split("RESULT ")[1])
    assert result["epochs_run"] == 6 and len(result["loss"]) == 6
    assert (ckpt / "final.weights.h5").is_file() and not state.exists()


MIRRORED = textwrap.dedent('''
    import json, sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from lib.train import runtime
    from lib.data import classification_split, load_dataset, write_fixture
    from lib.train.distribute import make_strategy, scaled
    from lib.models import build_fashion_cnn
    from lib.train.classifier import TrainConfig, train_classifier
    write_fixture("fashion_mnist", sys.argv[1], n_train=200, n_test=40)
    runtime.configure(seed=0, deterministic=False, precision="float32")
    split = classification_split(load_dataset("fashion_mnist", sys.argv[1], allow_download=False), None, None, 0.2)
    strategy = make_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
    batch, lr = scaled(16, 1e-3, strategy.num_replicas_in_sync)
    r = train_classifier(build_fashion_cnn, split, TrainConfig(epochs=3, batch_size=batch, learning_rate=lr),
                         label="mirrored", seed=0, strategy=strategy, log=False)
    print("RESULT " + json.dumps({"replicas": strategy.num_replicas_in_sync, "batch": batch, "lr": lr,
                                  "status": r.status, "loss": r.history["loss"]}))
''')


def test_mirrored_strategy_on_two_logical_cpus(tmp_path):
    script = tmp_path / "mirrored.py"
    script.write_text(MIRRORED)
    run = subprocess.run([sys.executable, str(script), str(tmp_path / "data")], capture_output=True,
                         text=True, env=_env(), timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout.split("RESULT ")[1])
    assert result["replicas"] == 2 and result["batch"] == 32 and result["lr"] == pytest.approx(2e-3)
    assert result["status"] == "ok" and result["loss"][-1] < result["loss"][0]


def test_multiworker_without_tf_config_is_a_clear_error(monkeypatch):
    from lib.train.distribute import make_strategy
    from lib.errors import ParamError

    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ParamError, match="needs TF_CONFIG"):
        make_strategy("multiworker")
