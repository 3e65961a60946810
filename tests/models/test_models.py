from lib.models import build_fashion_cnn


def _shapes(model):
    return [(layer.__class__.__name__, tuple(layer.output.shape[1:])) for layer in model.layers]


def test_baseline_cnn_has_the_seed_architecture():
    assert _shapes(build_fashion_cnn()) == [
        ("Conv2D", (26, 26, 32)), ("MaxPooling2D", (13, 13, 32)),
        ("Conv2D", (11, 11, 64)), ("MaxPooling2D", (5, 5, 64)),
        ("Conv2D", (3, 3, 128)), ("Flatten", (1152,)),
        ("Dense", (128,)), ("Dense", (10,)),
    ]


def test_regularised_cnn_adds_dropout_after_each_block_and_the_dense_layer():
    model = build_fashion_cnn(dropout=0.25, dense_dropout=0.5)
    kinds = [layer.__class__.__name__ for layer in model.layers]
    assert kinds.count("Dropout") == 4
    rates = [layer.rate for layer in model.layers if layer.__class__.__name__ == "Dropout"]
    assert rates == [0.25, 0.25, 0.25, 0.5]
    # Dropout changes no shapes: the same weights as the baseline.
    assert model.count_params() == build_fashion_cnn().count_params()


def test_softmax_stays_float32_under_mixed_precision():
    import keras

    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = build_fashion_cnn()
        assert model.layers[0].compute_dtype == "bfloat16"
        assert model.layers[-1].compute_dtype == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")
