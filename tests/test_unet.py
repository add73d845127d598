"""Pruebas del constructor U-Net: tamaños del artículo, variante 'same' y errores de tamaño."""

import keras
import numpy as np
import pytest

from coursekit.models.unet_builder import nearest_valid_sizes, output_size, unet, valid_input_sizes


def test_paper_configuration_parameters_and_sizes():
    # Ronneberger et al. (2015), figura 1: 64 filtros, 4 agrupamientos, 2 clases, sin BatchNorm.
    model = unet((572, 572, 1), num_classes=2, depth=4, base_filters=64, padding="valid")
    assert model.count_params() == 31_030_658
    assert model.output_shape == (None, 388, 388, 2)


def test_paper_feature_map_sizes():
    model = unet((572, 572, 1))
    sides = {name: model.get_layer(name).output.shape[1]
             for name in ("enc1_relu2", "enc4_relu2", "fondo_relu2", "crop1", "dec1_relu2")}
    # 572 − 4 = 568 arriba; 32 − 4 = 28 en el fondo; 392 recortado del 568 para concatenar.
    assert sides == {"enc1_relu2": 568, "enc4_relu2": 64, "fondo_relu2": 28, "crop1": 392,
                     "dec1_relu2": 388}
    assert model.get_layer("fondo_relu2").output.shape[-1] == 1024


def test_output_size_trace_matches_keras():
    for side in (188, 204, 252, 572):
        model = unet((side, side, 1), base_filters=2)
        assert model.output_shape[1] == output_size(side)


def test_valid_sizes_step_by_power_of_two():
    sizes = valid_input_sizes(depth=4, padding="valid", stop=600)
    assert sizes[0] == 188  # la salida más pequeña posible: 4×4
    assert 572 in sizes
    assert set(np.diff(sizes)) == {16}


def test_nearest_valid_sizes_around_570():
    assert nearest_valid_sizes(570) == (556, 572)
    assert nearest_valid_sizes(100) == (None, 188)
    assert nearest_valid_sizes(100, padding="same") == (96, 112)


def test_same_variant_keeps_size():
    model = unet((64, 96, 3), num_classes=3, depth=3, base_filters=8, padding="same")
    assert model.output_shape == (None, 64, 96, 3)


def test_same_variant_accepts_variable_size():
    model = unet((None, None, 1), depth=2, base_filters=4, padding="same")
    out = model.predict(np.zeros((1, 48, 80, 1), np.float32), verbose=0)
    assert out.shape == (1, 48, 80, 2)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-5)


def test_batch_norm_and_dropout_layers():
    model = unet((32, 32, 1), depth=2, base_filters=4, padding="same", batch_norm=True, dropout=0.5)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("BatchNormalization") == 10  # 2 por bloque, 5 bloques
    assert kinds.count("Dropout") == 1
    conv = model.get_layer("enc1_conv1")
    assert conv.use_bias is False  # el sesgo sobra delante de BatchNorm


def test_last_layer_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = unet((32, 32, 1), depth=2, base_filters=4, padding="same")
        assert model.get_layer("enc1_conv1").compute_dtype == "float16"
        assert model.get_layer("logits").compute_dtype == "float32"
        assert model.output.dtype == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_invalid_valid_size_names_nearest():
    with pytest.raises(ValueError, match=r"570.*556 o 572"):
        unet((570, 570, 1))


def test_too_small_names_minimum():
    with pytest.raises(ValueError, match=r"188 \(el mínimo\)"):
        unet((64, 64, 1))


def test_same_size_not_divisible():
    with pytest.raises(ValueError, match=r"múltiplo de 2\*\*depth.*96 o 112"):
        unet((100, 96, 1), padding="same")


def test_channels_first_shape_rejected():
    with pytest.raises(ValueError, match=r"canales al final.*\(64, 64, 1\)"):
        unet((1, 64, 64), padding="same")


def test_unknown_size_needs_same_padding():
    with pytest.raises(ValueError, match="padding='same'"):
        unet((None, None, 1))


def test_bad_arguments_rejected():
    with pytest.raises(ValueError, match="padding"):
        unet((64, 64, 1), padding="full")
    with pytest.raises(ValueError, match="num_classes"):
        unet((64, 64, 1), padding="same", num_classes=1)
    with pytest.raises(ValueError, match="dropout"):
        unet((64, 64, 1), padding="same", dropout=1.0)
    with pytest.raises(TypeError, match="input_shape"):
        unet((64, 64), padding="same")
    with pytest.raises(TypeError, match="depth"):
        unet((64, 64, 1), padding="same", depth=2.0)
