"""Pruebas de coursekit.cost: parámetros, MACs calculados a mano, activaciones y tiempo por lote."""

import keras
import numpy as np
import pytest

from coursekit.cost import (ArchitectureCost, activation_values, architecture_summary,
                            build_symbolic, count_macs, count_weight_layers,
                            format_architecture_summaries, format_cost_table, layer_macs,
                            measure_cost, parameter_counts, time_per_batch)
from coursekit.models.alexnet_builder import alexnet
from coursekit.models.resnet_builder import resnet
from coursekit.models.vgg_builder import vgg
from lenet_oracle import hand_built_lenet


def lenet_like():
    """LeNet-5 de 32×32 con nombres fijos; sus MACs se calculan a mano en las pruebas."""
    return hand_built_lenet()


@pytest.fixture(scope="module")
def vgg16():
    return build_symbolic(vgg, 16)


def test_lenet_macs_by_hand():
    model = lenet_like()
    # C1: 28·28 posiciones · 6 filtros · 5·5·1; C3: 10·10 · 16 · 5·5·6; C5: 1 · 120 · 5·5·16.
    expected = {"C1": 28 * 28 * 6 * 25, "C3": 10 * 10 * 16 * 150, "C5": 120 * 400,
                "F6": 120 * 84, "salida": 84 * 10}
    for name, macs in expected.items():
        assert layer_macs(model.get_layer(name)) == macs, name
    assert layer_macs(model.get_layer("S2")) == 0
    assert count_macs(model) == sum(expected.values()) == 416_520


def test_lenet_parameters_and_layers():
    model = lenet_like()
    assert parameter_counts(model) == {"entrenables": 61_706, "no_entrenables": 0, "total": 61_706}
    assert count_weight_layers(model) == 5


def test_lenet_activation_values():
    model = lenet_like()
    # C1, S2, C3, S4, C5, F6, salida; aplanar no crea un tensor nuevo.
    expected = 28 * 28 * 6 + 14 * 14 * 6 + 10 * 10 * 16 + 5 * 5 * 16 + 120 + 84 + 10
    assert activation_values(model) == expected


def test_vgg16_macs_match_hand_sum(vgg16):
    convs = [(224, 3, 64), (224, 64, 64), (112, 64, 128), (112, 128, 128),
             (56, 128, 256), (56, 256, 256), (56, 256, 256),
             (28, 256, 512), (28, 512, 512), (28, 512, 512),
             (14, 512, 512), (14, 512, 512), (14, 512, 512)]
    conv_macs = sum(size * size * 9 * c_in * c_out for size, c_in, c_out in convs)
    dense_macs = 25088 * 4096 + 4096 * 4096 + 4096 * 1000
    assert count_macs(vgg16) == conv_macs + dense_macs == 15_470_264_320


def test_grouped_convolution_halves_macs():
    plain = alexnet(dense_units=8)
    grouped = alexnet(dense_units=8, grouped=True)
    conv2_plain = layer_macs(plain.get_layer("conv2"))
    assert conv2_plain == 27 * 27 * 256 * 5 * 5 * 96
    assert layer_macs(grouped.get_layer("conv2")) == conv2_plain // 2


def test_resnet50_macs_near_published():
    model = build_symbolic(resnet, 50)
    # torchvision publica 4,09 GFLOPS (contados como MACs) para ResNet-50 con 224×224.
    assert count_macs(model) == pytest.approx(4.09e9, rel=0.01)


def test_measure_cost_collects_everything(vgg16):
    cost = measure_cost(vgg16)
    assert cost.name == "vgg16"
    assert cost.input_shape == (224, 224, 3)
    assert cost.parameters == cost.trainable_parameters == 138_357_544
    assert cost.weight_layers == 16
    assert cost.flops == 2 * cost.macs
    assert cost.parameter_megabytes == pytest.approx(553.43, abs=0.01)


def test_cost_table_lists_each_model(vgg16):
    table = format_cost_table([measure_cost(lenet_like()), measure_cost(vgg16)])
    lines = table.splitlines()
    assert len(lines) == 4
    assert "61,706" in lines[2]
    assert "138,357,544" in lines[3]
    assert "ms/lote" in lines[0]
    assert "ms/lote" not in format_cost_table([measure_cost(vgg16)], include_time=False)


def test_time_per_batch_runs_inference_and_training():
    model = lenet_like()
    assert time_per_batch(model, batch_size=4, repeats=2) > 0
    assert time_per_batch(model, batch_size=4, repeats=1, training=True) > 0


def test_symbolic_model_has_shapes_without_values(vgg16):
    assert vgg16.get_layer("fc1").kernel.shape == (25088, 4096)


@pytest.mark.parametrize("bad", [None, "vgg16", keras.layers.Dense(3)])
def test_functions_reject_non_models(bad):
    with pytest.raises(TypeError, match="keras.Model"):
        count_macs(bad)
    with pytest.raises(TypeError, match="keras.Model"):
        parameter_counts(bad)


def test_time_per_batch_rejects_bad_batch():
    with pytest.raises(ValueError, match="batch_size"):
        time_per_batch(lenet_like(), batch_size=0)


def test_build_symbolic_rejects_non_callable():
    with pytest.raises(TypeError, match="builder"):
        build_symbolic("vgg16")


def test_cost_table_rejects_empty_list():
    with pytest.raises(TypeError, match="costs"):
        format_cost_table([])


def test_architecture_cost_megabytes():
    cost = ArchitectureCost("x", (1, 1, 1), 1_000_000, 1_000_000, 1, 10, 250_000)
    assert cost.parameter_megabytes == 4.0
    assert cost.activation_megabytes == 1.0
    assert np.isclose(cost.flops, 20)


def test_architecture_summary_of_lenet():
    summary = architecture_summary(lenet_like())
    assert summary == {"capas_con_pesos": 5, "entrada": "32×32×1", "nucleos": "5×5",
                       "agrupamientos": "prom 2×2/2", "activaciones": "tanh",
                       "parametros": 61_706}


def test_architecture_summary_of_resnet50():
    summary = architecture_summary(build_symbolic(resnet, 50))
    assert summary["capas_con_pesos"] == 50
    assert summary["nucleos"] == "7×7, 3×3, 1×1"
    assert summary["agrupamientos"] == "máx 3×3/2, prom global"
    assert summary["activaciones"] == "relu"


def test_summaries_one_line_per_model():
    text = format_architecture_summaries({"LeNet-5": lenet_like(), "otra": lenet_like()})
    assert text.splitlines()[0].startswith("LeNet-5: 5 capas con pesos")
    assert "61 706 parámetros" in text
    assert len(text.splitlines()) == 2


def test_summaries_reject_empty_dict():
    with pytest.raises(TypeError, match="models"):
        format_architecture_summaries({})
