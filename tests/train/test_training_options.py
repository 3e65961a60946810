"""train_classifier's optional one-hot loss, optimiser options and per-epoch test curve."""
import dataclasses

import numpy as np
import pytest

from lib.data import classification_split, load_dataset
from lib.models import build_cifar_cnn, build_fcn
from lib.train.classifier import TrainConfig, train_classifier

pytestmark = pytest.mark.slow  # every test here trains a model


def _train(split, **kw):
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    config = TrainConfig(**{"epochs": 2, "batch_size": 32, **{k: v for k, v in kw.items() if k in fields}})
    args = {"label": "t", "seed": 3, "log": False, **{k: v for k, v in kw.items() if k not in fields}}
    return train_classifier(lambda: build_fcn([16]), split, config, **args)


def test_one_hot_categorical_crossentropy_equals_the_sparse_form(split):
    sparse, dense = _train(split), _train(split, one_hot=True)
    # The same loss function written two ways: identical training, identical numbers.
    np.testing.assert_allclose(sparse.history["loss"], dense.history["loss"], rtol=1e-5)
    for key in ("test_loss", "test_accuracy", "val_accuracy"):
        assert sparse.metrics[key] == pytest.approx(dense.metrics[key], rel=1e-5)
    assert sparse.test_predictions == dense.test_predictions


def test_optimizer_options_reach_the_optimizer(split):
    plain = _train(split, optimizer="sgd", learning_rate=0.01)
    momentum = _train(split, optimizer="sgd", learning_rate=0.01, optimizer_options={"momentum": 0.9})
    assert plain.history["loss"][0] != momentum.history["loss"][0] or plain.history["loss"][1] != momentum.history["loss"][1]


def test_test_curve_records_test_metrics_each_epoch_without_changing_training(split):
    a = _train(split, epochs=3)
    b = _train(split, epochs=3, test_curve=True)
    assert "test_loss" not in a.history
    assert len(b.history["test_loss"]) == len(b.history["test_accuracy"]) == 3
    assert a.history["loss"] == b.history["loss"]  # evaluating the test set changes nothing
    # The last epoch's test numbers are those of the final weights.
    assert b.history["test_loss"][-1] == pytest.approx(b.metrics["test_loss"], rel=1e-5)
    assert b.history["test_accuracy"][-1] == pytest.approx(b.metrics["test_accuracy"])


def test_batch_norm_cnn_trains_with_one_hot_labels_deterministically():
    from lib.data import write_fixture as wf
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        wf("cifar10", tmp, n_train=200, n_test=40)
        s = classification_split(load_dataset("cifar10", tmp, allow_download=False), None, None, 0.2)
    build = lambda: build_cifar_cnn(batch_norm=True, filters=(4, 8, 8))  # noqa: E731
    runs = [train_classifier(build, s, TrainConfig(epochs=2, batch_size=32, one_hot=True), label="bn", seed=1,
                             log=False)
            for _ in range(2)]
    assert runs[0].history == runs[1].history and runs[0].status == "ok"
    assert runs[0].history["loss"][-1] < runs[0].history["loss"][0]


def test_cosine_schedule_decays_the_rate_to_zero_over_the_run(split):
    from lib.train.classifier import _schedule

    cos = _schedule("cosine", 0.01, epochs=3, steps_per_epoch=10)
    assert float(cos(0)) == pytest.approx(0.01) and float(cos(15)) == pytest.approx(0.005, rel=1e-3)
    assert float(cos(30)) == pytest.approx(0.0, abs=1e-7)
    assert _schedule("constant", 0.01, epochs=3, steps_per_epoch=10) == 0.01
    # In a run: the first steps match the constant rate's closely, the later ones do not.
    const = _train(split, epochs=3, learning_rate=0.01)
    decayed = _train(split, epochs=3, learning_rate=0.01, lr_schedule="cosine")
    assert decayed.history["loss"] != const.history["loss"]
    assert decayed.history["loss"][0] == pytest.approx(const.history["loss"][0], rel=0.05)


def test_unknown_schedule_is_refused_in_one_line(split):
    from lib.errors import ParamError

    with pytest.raises(ParamError) as e:
        _train(split, lr_schedule="step")
    assert "lr_schedule 'step'" in str(e.value)


def test_improved_vgg_recipe_trains_under_mixed_float16_as_on_a_gpu():
    """`precision: auto` means mixed_float16 on a GPU; the full profile's Study 5 path must train under it."""
    import tempfile

    import keras

    from lib.data import write_fixture as wf
    from lib.models import build_vgg16
    from lib.studies.cifar100_vgg_synthetic.recipe import improved_recipe

    with tempfile.TemporaryDirectory() as tmp:
        wf("cifar100", tmp, n_train=200, n_test=40)
        s = classification_split(load_dataset("cifar100", tmp, allow_download=False), None, None, 0.2)
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        recipe = improved_recipe(epochs=2, batch_size=32, learning_rate=0.1, weight_decay=0.005, warmup_epochs=1)
        run = train_classifier(lambda: build_vgg16(width=0.0625, batch_norm=True, num_classes=100), s,
                               recipe.train_config(0), label="vgg fp16", seed=0, log=False)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert run.status == "ok" and np.isfinite(run.history["loss"]).all()
    assert 0.0 <= run.metrics["test_accuracy"] <= 1.0


def test_a_run_on_a_split_without_test_images_never_measures_the_test_set(split, capsys):
    """A search trains on Split.without_test(): the same run as on the whole split, minus every test number."""
    full, search = _train(split), _train(split.without_test(), log=True)
    assert "test_accuracy" not in search.metrics and "test_loss" not in search.metrics
    assert "test_predictions" not in search.artifacts
    assert search.metrics["val_accuracy"] == pytest.approx(full.metrics["val_accuracy"], abs=0.02)
    assert "val accuracy" in capsys.readouterr().out


AMX = "vendor_id\t: GenuineIntel\nflags\t\t: fpu avx512f avx512_bf16 amx_bf16 amx_tile\n"
XEON_NO_AMX = "vendor_id\t: GenuineIntel\nflags\t\t: fpu avx512f avx512_bf16 avx512_fp16\n"
EPYC = "vendor_id\t: AuthenticAMD\nflags\t\t: fpu avx512f avx512_bf16\n"
OLD = "vendor_id\t: GenuineIntel\nflags\t\t: fpu avx2\n"


@pytest.mark.unit
@pytest.mark.parametrize("cpuinfo, kind, policy", [(AMX, "amx", "mixed_bfloat16"),
                                                    (XEON_NO_AMX, "avx512-bf16", "float32"),
                                                    (EPYC, "amd-bf16", "mixed_bfloat16"), (OLD, "other", "float32")])
def test_auto_precision_follows_what_was_measured_fastest_per_cpu_kind(cpuinfo, kind, policy):
    from lib.train.runtime import AUTO_POLICY, cpu_kind

    assert cpu_kind(cpuinfo) == kind
    assert AUTO_POLICY[kind] == policy
