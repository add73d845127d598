"""Pruebas de la calculadora conv/agrupamiento: función pura contra Keras y control ipywidgets."""

import itertools

import pytest

from coursekit.arithmetic import output_size
from coursekit.widgets.calculator import calculate, conv_calculator


def test_calculate_agrees_with_keras_on_grid():
    mismatches = []
    checked = 0
    grid = itertools.product([5, 7, 28, 33], [1, 2, 3, 5], [1, 2, 3], ["valid", "same", 2],
                             ["conv", "pool"])
    for input_size, kernel, stride, padding, layer in grid:
        try:
            result = calculate(input_size, kernel, stride, padding, layer)
        except ValueError:
            continue  # núcleo que no cabe: lo cubre test_kernel_too_large_raises
        checked += 1
        if not result.agree:
            mismatches.append((input_size, kernel, stride, padding, layer, result.keras_size))
    assert checked > 250
    assert mismatches == []


def test_calculate_alexnet_224():
    result = calculate(224, 11, 4, "valid")
    assert result.size == 54
    assert result.keras_size == 54
    assert result.agree is True
    assert result.formula.dropped == 1
    text = str(result)
    assert "54,25 → 54" in text
    assert "Keras, Conv2D(1, 11, strides=4, padding='valid'): 54×54" in text
    assert "✔ La fórmula y Keras coinciden." in text


def test_calculate_same_padding_pool():
    result = calculate(5, 2, 2, "same", layer="pool")
    assert (result.size, result.keras_size) == (3, 3)
    assert "MaxPooling2D(2, strides=2, padding='same')" in result.keras_layer


def test_calculate_explicit_padding_uses_zero_padding():
    result = calculate(32, 5, 1, 2)
    assert result.keras_layer.startswith("ZeroPadding2D(2) → Conv2D")
    assert result.keras_size == 32


def test_calculate_lenet_s2():
    result = calculate(28, 2, 2, "valid", layer="pool")
    assert result.size == 14
    assert result.agree is True


def test_mismatch_reported_in_text():
    result = calculate(28, 2, 2, "valid", layer="pool")
    broken = type(result)(formula=result.formula, keras_size=13, keras_layer="falsa",
                          layer="pool")
    assert broken.agree is False
    assert "✘ La fórmula (14) y Keras (13) no coinciden." in str(broken)


def test_kernel_too_large_raises():
    with pytest.raises(ValueError, match=r"`kernel_size` no es válido.*se recibió 5"):
        calculate(3, 5, 1, "valid")


def test_unknown_layer_rejected():
    with pytest.raises(ValueError, match=r"`layer` no es válido.*'conv' o 'pool'.*'avg'"):
        calculate(32, 5, 1, "valid", layer="avg")


def test_bad_padding_rejected_before_keras():
    with pytest.raises(ValueError, match=r"`padding` no es válido.*'full'"):
        calculate(32, 5, 1, "full")


def test_calculator_widget_updates():
    box = conv_calculator()
    title, size, kernel, stride, pad, mode, layer, output = box.children
    assert "28×28" in output.value
    assert pad.disabled is True

    kernel.value = 3
    assert "(32 − 3 + 0) / 1 + 1 = 30" in output.value

    mode.value = "explicit"
    pad.value = 1
    assert pad.disabled is False
    assert "ZeroPadding2D(1)" in output.value
    assert f"{output_size(32, 3, 1, 1)}×" in output.value

    layer.value = "pool"
    assert "MaxPooling2D" in output.value


def test_calculator_widget_shows_error_text():
    box = conv_calculator()
    size, kernel, output = box.children[1], box.children[2], box.children[-1]
    size.value = 3
    assert "⚠" in output.value
    assert "no es válido" in output.value
    assert "Traceback" not in output.value

    kernel.value = 3
    assert "⚠" not in output.value
    assert "= 1" in output.value


def test_calculator_widget_initial_values():
    box = conv_calculator(224, 7, 2, "same")
    output = box.children[-1]
    assert "2 antes y 3 después" in output.value
    assert "112×112" in output.value


def test_calculator_widget_rejects_bad_padding():
    with pytest.raises(ValueError, match=r"`padding` no es válido"):
        conv_calculator(padding="mirror")
