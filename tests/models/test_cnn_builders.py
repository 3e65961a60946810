"""Study 1 and 3 model builders: shapes, structure, and the fused batch norm against Keras's."""
import keras
import numpy as np
import pytest

from lib.errors import ParamError
from lib.models import FusedBatchNormalization, build_alexnet, build_cifar_cnn, build_dnn, build_fcn


def _kinds(model):
    return [layer.__class__.__name__ for layer in model.layers]


def _shapes(model):
    return [(layer.__class__.__name__, tuple(layer.output.shape[1:])) for layer in model.layers]


def test_plain_cifar_cnn_has_three_conv_relu_pool_blocks_and_a_softmax():
    blocks = [
        ("Conv2D", (32, 32, 32)), ("ReLU", (32, 32, 32)), ("MaxPooling2D", (16, 16, 32)),
        ("Conv2D", (16, 16, 64)), ("ReLU", (16, 16, 64)), ("MaxPooling2D", (8, 8, 64)),
        ("Conv2D", (8, 8, 128)), ("ReLU", (8, 8, 128)), ("MaxPooling2D", (4, 4, 128)), ("Flatten", (2048,)),
    ]
    assert _shapes(build_cifar_cnn(batch_norm=False)) == blocks + [("Dense", (10,))]
    assert _shapes(build_cifar_cnn(batch_norm=False, dense_units=128)) == blocks + [
        ("Dense", (128,)), ("ReLU", (128,)), ("Dense", (10,))]


def test_batchnorm_cifar_cnn_puts_batch_norm_between_each_layer_and_its_relu():
    bn, plain = build_cifar_cnn(batch_norm=True, dense_units=128), build_cifar_cnn(batch_norm=False, dense_units=128)
    kinds = _kinds(bn)
    assert kinds.count("FusedBatchNormalization") == 4
    assert _kinds(build_cifar_cnn(batch_norm=True)).count("FusedBatchNormalization") == 3
    for i, kind in enumerate(kinds):
        if kind == "FusedBatchNormalization":
            assert kinds[i - 1] in ("Conv2D", "Dense") and kinds[i + 1] == "ReLU"
    # Same layers otherwise; batch norm replaces the biases (4 x 2 trainable values per channel).
    assert [k for k in kinds if k != "FusedBatchNormalization"] == _kinds(plain)
    widths = 32 + 64 + 128 + 128
    assert bn.count_params() == plain.count_params() - widths + 4 * widths
    assert bn.layers[-1].activation.__name__ == "softmax"


def test_cifar_cnn_refuses_anything_but_three_conv_widths():
    with pytest.raises(ParamError) as e:
        build_cifar_cnn(filters=[32, 64])
    assert "three positive widths" in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("builder, kw, hidden", [
    (build_fcn, {}, [256]), (build_fcn, {"hidden": [64, 32]}, [64, 32]), (build_dnn, {}, [512, 256, 128]),
])
def test_fully_connected_networks_have_the_requested_hidden_layers(builder, kw, hidden):
    model = builder(**kw)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [d.units for d in dense] == hidden + [10]
    assert model.output_shape == (None, 10)


def test_fcn_options_change_the_structure_as_named():
    plain = build_fcn([64, 32])
    assert _kinds(plain) == ["Flatten", "Dense", "ReLU", "Dense", "ReLU", "Dense"]
    drop = build_fcn([64, 32], regularization="dropout", dropout_rate=0.3)
    assert [layer.rate for layer in drop.layers if isinstance(layer, keras.layers.Dropout)] == [0.3, 0.3]
    l2 = build_fcn([64], regularization="l2", l2_factor=0.01)
    assert all(float(d.kernel_regularizer.l2) == pytest.approx(0.01)
               for d in l2.layers if isinstance(d, keras.layers.Dense))
    assert all(d.kernel_regularizer is None for d in plain.layers if isinstance(d, keras.layers.Dense))
    bn = build_fcn([64], normalization="batchnorm")
    assert _kinds(bn) == ["Flatten", "Dense", "FusedBatchNormalization", "ReLU", "Dense"]
    he = build_fcn([64], initializer="he_uniform")
    assert he.layers[1].kernel_initializer.__class__.__name__ == "HeUniform"


def test_fcn_refuses_unknown_options_in_one_line():
    with pytest.raises(ParamError) as e:
        build_fcn(regularization="l1")
    assert "regularization 'l1'" in str(e.value)
    with pytest.raises(ParamError):
        build_fcn(normalization="layernorm")


def test_alexnet_style_cnn_has_five_convs_three_dense_layers_and_pools_to_3x3():
    model = build_alexnet(filters=(8, 16, 24, 24, 16), dense_units=32, dropout=0.5)
    kinds = _kinds(model)
    assert kinds.count("Conv2D") == 5 and kinds.count("Dense") == 3 and kinds.count("Dropout") == 2
    pools = [tuple(layer.output.shape[1:]) for layer in model.layers if isinstance(layer, keras.layers.MaxPooling2D)]
    assert pools == [(14, 14, 8), (7, 7, 16), (3, 3, 16)]
    assert model.input_shape == (None, 28, 28, 1) and model.output_shape == (None, 10)
    assert [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)] == [0.5, 0.5]
    with pytest.raises(ParamError):
        build_alexnet(filters=(8, 16, 24))


@pytest.mark.parametrize("shape", [(16, 5, 5, 4), (16, 7)])
def test_fused_batch_norm_matches_keras_batch_norm(shape):
    x = np.random.default_rng(0).normal(2.0, 3.0, shape).astype("float32")
    ours, ref = FusedBatchNormalization(), keras.layers.BatchNormalization()
    for _ in range(3):  # training mode: batch statistics, moving averages updated
        np.testing.assert_allclose(np.asarray(ours(x, training=True)), np.asarray(ref(x, training=True)),
                                   atol=1e-5)
    np.testing.assert_allclose(ours.moving_mean.numpy(), ref.moving_mean.numpy(), atol=1e-6)
    np.testing.assert_allclose(ours.moving_variance.numpy(), ref.moving_variance.numpy(), rtol=1e-6)
    assert not np.allclose(ours.moving_mean.numpy(), 0)  # the statistics did move
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(ref(x)), atol=1e-5)  # inference mode


def test_fused_batch_norm_gradients_match_keras():
    import tensorflow as tf

    x = tf.constant(np.random.default_rng(1).normal(size=(8, 4, 4, 3)).astype("float32"))
    w = tf.constant(np.random.default_rng(2).normal(size=(8, 4, 4, 3)).astype("float32"))
    grads = []
    for layer in (FusedBatchNormalization(), keras.layers.BatchNormalization()):
        layer.build(x.shape)
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(layer(x, training=True) * w)
        grads.append(tape.gradient(loss, [x, layer.gamma, layer.beta]))
    for a, b in zip(*grads):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-4)


def test_fused_batch_norm_keeps_float32_statistics_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = build_cifar_cnn(batch_norm=True, filters=(4, 4, 4), dense_units=8)
        out = model(np.zeros((2, 32, 32, 3), "float32"), training=True)
        bn = next(layer for layer in model.layers if isinstance(layer, FusedBatchNormalization))
        assert bn.compute_dtype == "bfloat16" and bn.moving_mean.dtype == "float32"
        assert out.dtype == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_builders_pass_the_batch_norm_momentum_through():
    for model, expected in ((build_alexnet(), 0.9), (build_fcn(normalization="batchnorm"), 0.9),
                            (build_cifar_cnn(bn_momentum=0.99), 0.99)):
        moms = {layer.momentum for layer in model.layers if isinstance(layer, FusedBatchNormalization)}
        assert moms == {expected}
