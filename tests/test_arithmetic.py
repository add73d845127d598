"""Pruebas de coursekit.arithmetic: tabla de tamaños, relleno 'same', errores y traza de formas."""

import numpy as np
import pytest

from coursekit.arithmetic import (
    LayerShape,
    explain_output_size,
    format_shape_trace,
    output_size,
    same_padding,
    shape_trace,
)

# (I, K, S, padding, salida esperada). Cuentas a mano en el comentario de cada fila.
TABLE = [
    (224, 7, 2, "same", 112),    # ceil(224 / 2)
    (5, 3, 2, "same", 3),        # ceil(5 / 2)
    (5, 2, 2, "valid", 2),       # floor((5 − 2) / 2) + 1 = floor(1,5) + 1
    (5, 2, 2, "same", 3),        # ceil(5 / 2)
    (112, 3, 2, "valid", 55),    # floor(109 / 2) + 1 = 54 + 1
    (112, 3, 2, "same", 56),     # ceil(112 / 2)
    (227, 11, 4, "valid", 55),   # 216 / 4 + 1, exacto
    (224, 11, 4, "valid", 54),   # 213 / 4 + 1 = 54,25 → 54
    (32, 5, 1, "valid", 28),     # LeNet C1
    (28, 2, 2, "valid", 14),     # LeNet S2
    (32, 5, 1, 2, 32),           # (32 − 5 + 4) / 1 + 1
    (224, 11, 4, 2, 55),         # (224 − 11 + 4) / 4 + 1 = 55,25 → 55
]


@pytest.mark.parametrize("input_size, kernel, stride, padding, expected", TABLE)
def test_output_size_table(input_size, kernel, stride, padding, expected):
    assert output_size(input_size, kernel, stride, padding) == expected


@pytest.mark.parametrize("input_size, kernel, stride, expected", [
    (224, 7, 2, (2, 3)),   # total = 111·2 + 7 − 224 = 5
    (5, 3, 2, (1, 1)),     # total = 2·2 + 3 − 5 = 2
    (5, 2, 2, (0, 1)),     # total = 2·2 + 2 − 5 = 1: el píxel impar va después
    (112, 3, 2, (0, 1)),   # total = 55·2 + 3 − 112 = 1
    (32, 5, 1, (2, 2)),    # total = 31 + 5 − 32 = 4
    (6, 1, 2, (0, 0)),     # total = 2·2 + 1 − 6 = −1 → 0
])
def test_same_padding_split(input_size, kernel, stride, expected):
    assert same_padding(input_size, kernel, stride) == expected


def test_alexnet_224_drops_last_window():
    result = explain_output_size(224, 11, 4)
    assert result.size == 54
    assert result.exact is False
    assert result.dropped == 1
    text = str(result)
    assert "(224 − 11 + 0) / 4 + 1 = 54,25 → 54" in text
    assert "última ventana descartada" in text
    assert "queda 1 píxel sin cubrir" in text


def test_alexnet_227_is_exact():
    result = explain_output_size(227, 11, 4)
    assert result.exact is True
    assert result.dropped == 0
    assert "(227 − 11 + 0) / 4 + 1 = 55" in str(result)
    assert "descartada" not in str(result)


def test_same_explanation_states_split():
    text = str(explain_output_size(224, 7, 2, "same"))
    assert "ceil(224 / 2) = 112" in text
    assert "2 antes y 3 después" in text


def test_explicit_padding_explanation():
    result = explain_output_size(32, 5, 1, 2)
    assert (result.pad_before, result.pad_after) == (2, 2)
    assert "(32 − 5 + 2·2) / 1 + 1 = 32" in str(result)


def test_repeating_quotient_marked_approximate():
    # (13 − 5) / 3 + 1 = 3,666…: se escribe con ≈ y se descartan 2 píxeles.
    result = explain_output_size(13, 3, 3, "valid", dilation=2)
    assert result.size == 3
    assert result.dropped == 2
    assert "≈ 3,67 → 3" in str(result)
    assert "quedan 2 píxeles" in str(result)


def test_same_with_uncovered_pixel():
    # S > K: 'same' no rellena, salen ceil(6 / 2) = 3 ventanas y el último píxel queda fuera.
    result = explain_output_size(6, 1, 2, "same")
    assert result.size == 3
    assert result.dropped == 1


def test_uppercase_padding_accepted():
    assert output_size(224, 7, 2, "SAME") == 112


def test_numpy_integers_accepted():
    assert output_size(np.int64(32), np.int32(5)) == 28


# Una prueba por entrada no válida.

def test_kernel_larger_than_input_rejected():
    with pytest.raises(ValueError, match=r"`kernel_size` no es válido.*se recibió 7.*padding='same'"):
        output_size(5, 7)


def test_kernel_error_names_minimum_input():
    with pytest.raises(ValueError, match=r"una entrada de al menos 7 píxeles"):
        output_size(5, 7)


def test_kernel_larger_than_padded_input_rejected():
    # 3 + 2·1 = 5 < 7: con P = 2 ya cabría.
    with pytest.raises(ValueError, match=r"entrada rellenada de 5.*relleno de al menos 2 por lado"):
        output_size(3, 7, 1, 1)


def test_dilated_kernel_too_large_rejected():
    with pytest.raises(ValueError, match=r"dilatado: 5"):
        output_size(4, 3, dilation=2)


def test_zero_stride_rejected():
    with pytest.raises(ValueError, match=r"`stride` no es válido.*se recibió 0"):
        output_size(32, 5, 0)


def test_negative_stride_rejected():
    with pytest.raises(ValueError, match=r"`stride` no es válido.*se recibió -2"):
        output_size(32, 5, -2)


def test_negative_padding_rejected():
    with pytest.raises(ValueError, match=r"`padding` no es válido.*se recibió -1"):
        output_size(32, 5, 1, -1)


def test_zero_input_rejected():
    with pytest.raises(ValueError, match=r"`input_size` no es válido.*se recibió 0"):
        output_size(0, 1)


def test_zero_kernel_rejected():
    with pytest.raises(ValueError, match=r"`kernel_size` no es válido.*se recibió 0"):
        output_size(32, 0)


def test_zero_dilation_rejected():
    with pytest.raises(ValueError, match=r"`dilation` no es válido.*se recibió 0"):
        output_size(32, 3, dilation=0)


def test_fractional_input_rejected():
    with pytest.raises(ValueError, match=r"`input_size` no es válido.*se recibió 32.5.*`//`"):
        output_size(32.5, 5)


def test_integral_float_rejected():
    with pytest.raises(ValueError, match=r"`kernel_size` no es válido.*se recibió 5.0"):
        output_size(32, 5.0)


def test_float_padding_rejected():
    with pytest.raises(ValueError, match=r"`padding` no es válido.*se recibió 1.5"):
        output_size(32, 5, 1, 1.5)


def test_string_size_rejected():
    with pytest.raises(TypeError, match=r"`input_size` no es válido.*se recibió '32'.*tipo str"):
        output_size("32", 5)


def test_none_size_rejected():
    with pytest.raises(TypeError, match=r"`stride` no es válido.*se recibió None"):
        output_size(32, 5, None)


def test_bool_kernel_rejected():
    with pytest.raises(TypeError, match=r"`kernel_size` no es válido.*se recibió True"):
        output_size(32, True)


def test_bool_padding_rejected():
    with pytest.raises(TypeError, match=r"`padding` no es válido.*se recibió False"):
        output_size(32, 5, 1, False)


def test_padding_with_spaces_rejected():
    with pytest.raises(ValueError, match=r"se recibió 'SAME '. Quita los espacios: padding='same'"):
        output_size(32, 5, 1, "SAME ")


def test_full_padding_rejected():
    with pytest.raises(ValueError, match=r"se recibió 'full'.*padding=K-1"):
        output_size(32, 5, 1, "full")


def test_unknown_padding_name_rejected():
    with pytest.raises(ValueError, match=r"se esperaba 'valid', 'same' o un entero ≥ 0; se recibió 'reflect'"):
        output_size(32, 5, 1, "reflect")


def test_tuple_padding_rejected():
    with pytest.raises(TypeError, match=r"`padding` no es válido.*tipo tuple"):
        output_size(32, 5, 1, (1, 1))


def test_same_padding_rejects_bad_stride():
    with pytest.raises(ValueError, match=r"`stride` no es válido"):
        same_padding(32, 5, 0)


# Oráculo: las mismas filas con capas Keras reales sobre una imagen de ceros.

def _keras_side(input_size, kernel, stride, padding, layer_cls):
    import keras

    images = np.zeros((1, input_size, input_size, 1), dtype="float32")
    if isinstance(padding, int):
        images = keras.layers.ZeroPadding2D(padding)(images)
        padding = "valid"
    if layer_cls == "conv":
        layer = keras.layers.Conv2D(1, kernel, strides=stride, padding=padding)
    else:
        layer = keras.layers.MaxPooling2D(kernel, strides=stride, padding=padding)
    return tuple(layer(images).shape[1:3])


@pytest.mark.parametrize("layer_cls", ["conv", "pool"])
@pytest.mark.parametrize("input_size, kernel, stride, padding, expected", TABLE)
def test_table_matches_keras(input_size, kernel, stride, padding, expected, layer_cls):
    assert _keras_side(input_size, kernel, stride, padding, layer_cls) == (expected, expected)


@pytest.mark.parametrize("input_size, kernel, stride", [(224, 7, 2), (5, 3, 2), (5, 2, 2),
                                                         (112, 3, 2), (32, 5, 1)])
def test_same_padding_split_matches_keras(input_size, kernel, stride):
    # ZeroPadding2D((antes, después)) + 'valid' debe dar los mismos valores que 'same'.
    import keras

    rng = np.random.default_rng(0)
    images = rng.normal(size=(1, input_size, input_size, 1)).astype("float32")
    same = keras.layers.Conv2D(1, kernel, strides=stride, padding="same",
                               kernel_initializer="glorot_uniform")
    expected = np.asarray(same(images))
    valid = keras.layers.Conv2D(1, kernel, strides=stride, padding="valid")
    valid.build(images.shape)
    valid.set_weights(same.get_weights())
    before, after = same_padding(input_size, kernel, stride)
    padded = keras.layers.ZeroPadding2D(((before, after), (before, after)))(images)
    np.testing.assert_allclose(np.asarray(valid(padded)), expected, atol=1e-5)


def test_dilation_matches_keras():
    import keras

    layer = keras.layers.Conv2D(1, 3, dilation_rate=2)
    assert layer(np.zeros((1, 9, 9, 1), "float32")).shape[1] == output_size(9, 3, dilation=2)


# Traza de formas.

def _lenet_like():
    from lenet_oracle import hand_built_lenet

    return hand_built_lenet(input_name="imagen", name="lenet_prueba")


def test_shape_trace_sequential():
    rows = shape_trace(_lenet_like())
    assert [r.name for r in rows] == ["imagen", "C1", "S2", "C3", "S4", "C5", "aplanar", "F6",
                                      "salida"]
    assert [r.output_shape for r in rows] == [(32, 32, 1), (28, 28, 6), (14, 14, 6),
                                              (10, 10, 16), (5, 5, 16), (1, 1, 120), (120,),
                                              (84,), (10,)]
    # Parámetros: 5·5·1·6 + 6 = 156; 5·5·6·16 + 16 = 2 416; 5·5·16·120 + 120 = 48 120;
    # 120·84 + 84 = 10 164; 84·10 + 10 = 850. Total 61 706 (C3 completamente conectada).
    assert [r.params for r in rows] == [0, 156, 0, 2416, 0, 48120, 0, 10164, 850]
    assert sum(r.params for r in rows) == 61706


def test_shape_trace_functional_nested():
    import keras

    inputs = keras.Input((8, 8, 3), name="img")
    block = keras.Sequential([keras.layers.Conv2D(2, 3, name="interna")], name="bloque")
    features = block(inputs)
    outputs = keras.layers.Conv2D(4, 3, padding="same", name="final")(features)
    rows = shape_trace(keras.Model(inputs, outputs))
    assert [(r.name, r.layer_type, r.output_shape, r.params) for r in rows] == [
        ("img", "InputLayer", (8, 8, 3), 0),
        ("bloque", "Sequential", (6, 6, 2), 3 * 3 * 3 * 2 + 2),
        ("final", "Conv2D", (6, 6, 4), 3 * 3 * 2 * 4 + 4),
    ]


def test_shape_trace_multiple_outputs_formatted():
    import keras

    inputs = keras.Input((4,), name="x")
    first = keras.layers.Dense(3, name="a")(inputs)
    second = keras.layers.Dense(2, name="b")(inputs)
    text = format_shape_trace(keras.Model(inputs, [first, second]))
    assert "a    | Dense      | 3" in text


def test_shape_trace_unbuilt_model_rejected():
    import keras

    with pytest.raises(ValueError, match=r"se esperaba un modelo construido.*keras.Input"):
        shape_trace(keras.Sequential([keras.layers.Dense(3)]))


def test_shape_trace_subclassed_model_rejected():
    import keras

    class Tiny(keras.Model):
        def __init__(self):
            super().__init__()
            self.conv = keras.layers.Conv2D(2, 3)

        def call(self, inputs):
            return self.conv(inputs)

    model = Tiny()
    model(np.zeros((1, 8, 8, 1), "float32"))
    with pytest.raises(TypeError, match=r"modelo Sequential o funcional.*API funcional"):
        shape_trace(model)


def test_shape_trace_non_model_rejected():
    with pytest.raises(TypeError, match=r"`model` no es válido.*un modelo Keras"):
        shape_trace("lenet5")


def test_format_shape_trace_exact_text():
    rows = [LayerShape("imagen", "InputLayer", (32, 32, 1), 0),
            LayerShape("C1", "Conv2D", (28, 28, 6), 156),
            LayerShape("F6", "Dense", (84,), 10164),
            LayerShape("libre", "Dense", (None, 3), 12)]
    assert format_shape_trace(rows) == "\n".join([
        "Capa   | Tipo       | Salida  | Parámetros",
        "-------+------------+---------+-----------",
        "imagen | InputLayer | 32×32×1 |          0",
        "C1     | Conv2D     | 28×28×6 |        156",
        "F6     | Dense      | 84      |     10 164",
        "libre  | Dense      | ?×3     |         12",
        "-------+------------+---------+-----------",
        "Total                               10 332",
    ])


def test_format_shape_trace_repeatable():
    model = _lenet_like()
    first = format_shape_trace(model)
    assert first == format_shape_trace(model)
    assert "28×28×6" in first
    assert first.splitlines()[-1].endswith("61 706")


def test_format_shape_trace_rejects_other_lists():
    with pytest.raises(TypeError, match=r"`model_or_rows` no es válido"):
        format_shape_trace([("C1", "Conv2D", (28, 28, 6), 156)])
