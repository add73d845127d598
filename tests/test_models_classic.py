"""Pruebas de coursekit.models.classic: LeNet-5, MLP y la CNN pequeña."""

import keras
import pytest

from coursekit.models import lenet5, mlp, small_cnn

# (nombre de capa, forma de salida sin el lote, parámetros), de LeCun et al. 1998 con C3 completa:
# C1 6·(5·5·1 + 1) = 156; C3 16·(5·5·6 + 1) = 2 416; C5 120·(5·5·16 + 1) = 48 120;
# F6 84·(120 + 1) = 10 164; salida 10·(84 + 1) = 850.
LENET5_TRACE = [
    ("C1", (28, 28, 6), 156),
    ("S2", (14, 14, 6), 0),
    ("C3", (10, 10, 16), 2416),
    ("S4", (5, 5, 16), 0),
    ("C5", (1, 1, 120), 48120),
    ("aplanar", (120,), 0),
    ("F6", (84,), 10164),
    ("salida", (10,), 850),
]


def test_lenet5_parameter_count():
    assert lenet5().count_params() == 61706


def test_lenet5_shape_trace():
    model = lenet5()
    trace = [(layer.name, tuple(layer.output.shape[1:]), layer.count_params()) for layer in model.layers]
    assert trace == LENET5_TRACE


def test_lenet5_layer_types_follow_paper():
    model = lenet5()
    assert isinstance(model.get_layer("S2"), keras.layers.AveragePooling2D)
    assert model.get_layer("C1").get_config()["activation"] == "tanh"
    assert model.get_layer("C1").get_config()["kernel_size"] == (5, 5)
    assert model.get_layer("S2").get_config()["strides"] == (2, 2)
    assert model.get_layer("salida").get_config()["activation"] == "softmax"


def test_lenet5_variants():
    model = lenet5(activation="relu", pooling="max", num_classes=5)
    assert isinstance(model.get_layer("S4"), keras.layers.MaxPooling2D)
    assert model.get_layer("C3").get_config()["activation"] == "relu"
    assert model.output_shape == (None, 5)


def test_lenet5_larger_input_flattens_c5():
    model = lenet5(input_shape=(36, 36, 3))
    assert model.get_layer("C5").output.shape[1:] == (2, 2, 120)
    assert model.output_shape == (None, 10)


@pytest.mark.parametrize("shape", [(28, 28, 1), (31, 32, 1), (16, 16, 3)])
def test_lenet5_rejects_small_input(shape):
    with pytest.raises(ValueError, match="al menos 32×32"):
        lenet5(input_shape=shape)


def test_lenet5_rejects_channels_first():
    with pytest.raises(ValueError, match=r"canales al final.*\(32, 32, 1\)"):
        lenet5(input_shape=(1, 32, 32))


@pytest.mark.parametrize("shape", [(32, 32), (32, 32, 0), "32x32", (32.0, 32, 1)])
def test_lenet5_rejects_malformed_shape(shape):
    with pytest.raises(ValueError, match="alto, ancho, canales"):
        lenet5(input_shape=shape)


def test_lenet5_rejects_single_class():
    with pytest.raises(ValueError, match="num_classes"):
        lenet5(num_classes=1)


def test_lenet5_rejects_unknown_pooling():
    with pytest.raises(ValueError, match="'average', 'max'"):
        lenet5(pooling="median")


def test_mlp_parameter_count():
    # 784·256 + 256 = 200 960; 256·128 + 128 = 32 896; 128·10 + 10 = 1 290.
    model = mlp((28, 28), 10)
    assert model.count_params() == 235146


def test_mlp_without_dropout_has_no_dropout_layers():
    model = mlp((32, 32, 1), 3, hidden=(16,), dropout=0)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in model.layers)
    assert model.count_params() == (1024 * 16 + 16) + (16 * 3 + 3)


@pytest.mark.parametrize("dropout", [1.0, -0.1, "0.2"])
def test_mlp_rejects_bad_dropout(dropout):
    with pytest.raises(ValueError, match="dropout"):
        mlp((28, 28), 10, dropout=dropout)


def test_mlp_rejects_bad_input_shape():
    with pytest.raises(ValueError, match="input_shape"):
        mlp((28, 0), 10)


def test_small_cnn_float32_output_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = small_cnn((32, 32, 3), 4)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert model.layers[-1].dtype_policy.name == "float32"
    assert model.get_layer("conv1_1").dtype_policy.name == "mixed_float16"


def test_small_cnn_structure():
    model = small_cnn((64, 48, 3), 5, filters=(8, 16))
    assert model.output_shape == (None, 5)
    assert model.get_layer("conv2_2").output.shape[1:] == (32, 24, 16)
    assert not model.get_layer("conv1_1").get_config()["use_bias"]


def test_small_cnn_rejects_too_small_input():
    with pytest.raises(ValueError, match="al menos 4×4"):
        small_cnn((2, 2, 1), 3, filters=(8, 16, 32))


def test_small_cnn_rejects_empty_filters():
    with pytest.raises(ValueError, match="filters"):
        small_cnn((32, 32, 3), 3, filters=())


def test_lenet5_trace_text_is_stable_across_builds():
    from coursekit.arithmetic import format_shape_trace

    first = format_shape_trace(lenet5())
    second = format_shape_trace(lenet5())
    assert first == second
    assert first.splitlines()[2].split()[0] == "entrada"
    assert first.splitlines()[-1].split() == ["Total", "61", "706"]


@pytest.mark.parametrize("builder", ["lenet5", "mlp"])
def test_misspelled_activation_rejected(builder):
    from coursekit.models import classic

    with pytest.raises(ValueError, match="`activation` no es válido.*'sigmod'.*ortografía"):
        if builder == "lenet5":
            classic.lenet5(activation="sigmod")
        else:
            classic.mlp((28, 28), 10, activation="sigmod")
