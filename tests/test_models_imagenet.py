"""Pruebas de AlexNet, VGG y ResNet: cifras publicadas de parámetros, formas y un paso de entrenamiento.

Las redes grandes se construyen una sola vez por sesión y sin reservar pesos (``build_symbolic``),
así que contar los 138 millones de parámetros de VGG16 no cuesta memoria ni tiempo.
"""

import math

import keras
import numpy as np
import pytest

from coursekit.cost import build_symbolic, parameter_counts
from coursekit.models._common import check_input_shape, minimum_input_size, spatial_output_size
from coursekit.models.alexnet_builder import alexnet
from coursekit.models.resnet_builder import resnet, small_resnet
from coursekit.models.vgg_builder import vgg

# Parámetros entrenables con 224×224×3 y 1000 clases, como los publica torchvision.
RESNET_REFERENCE = {18: 11_689_512, 34: 21_797_672, 50: 25_557_032, 101: 44_549_160,
                    152: 60_192_808}
VGG_REFERENCE = {16: 138_357_544, 19: 143_667_240}


@pytest.fixture(scope="module")
def imagenet_resnets():
    return {depth: build_symbolic(resnet, depth) for depth in RESNET_REFERENCE}


@pytest.fixture(scope="module")
def imagenet_vggs():
    return {depth: build_symbolic(vgg, depth) for depth in VGG_REFERENCE}


@pytest.mark.parametrize("depth", sorted(RESNET_REFERENCE))
def test_resnet_trainable_parameters_match_reference(imagenet_resnets, depth):
    counts = parameter_counts(imagenet_resnets[depth])
    assert counts["entrenables"] == RESNET_REFERENCE[depth]


def test_resnet_output_is_1000_way_softmax(imagenet_resnets):
    for model in imagenet_resnets.values():
        assert model.output_shape == (None, 1000)


@pytest.mark.parametrize("depth", sorted(VGG_REFERENCE))
def test_vgg_parameters_match_reference(imagenet_vggs, depth):
    assert imagenet_vggs[depth].count_params() == VGG_REFERENCE[depth]


@pytest.mark.parametrize("depth", sorted(VGG_REFERENCE))
def test_vgg_matches_keras_applications(imagenet_vggs, depth):
    application = {16: keras.applications.VGG16, 19: keras.applications.VGG19}[depth]
    reference = build_symbolic(application, weights=None)
    assert imagenet_vggs[depth].count_params() == reference.count_params()


def test_vgg16_first_dense_layer_dominates(imagenet_vggs):
    fc1 = imagenet_vggs[16].get_layer("fc1")
    # (7·7·512 + 1)·4096: la entrada de 224 llega a 7×7 tras cinco agrupamientos 2×2.
    assert fc1.count_params() == (7 * 7 * 512 + 1) * 4096 == 102_764_544


def test_keras_resnet50_extra_weights_explained(imagenet_resnets):
    reference = build_symbolic(keras.applications.ResNet50, weights=None)
    assert reference.count_params() == 25_636_712
    ours = imagenet_resnets[50]
    norm_channels = sum(layer.gamma.shape[0] for layer in ours.layers
                        if isinstance(layer, keras.layers.BatchNormalization))
    assert norm_channels == 26_560
    # Un sesgo por canal en cada convolución seguida de normalización, más media y varianza móviles.
    assert reference.count_params() - RESNET_REFERENCE[50] == 3 * norm_channels
    conv_biases = sum(layer.bias.shape[0] for layer in reference.layers
                      if isinstance(layer, keras.layers.Conv2D) and layer.use_bias)
    assert conv_biases == norm_channels
    assert parameter_counts(reference)["no_entrenables"] == 2 * norm_channels


def test_resnet_counts_moving_statistics_as_non_trainable(imagenet_resnets):
    counts = parameter_counts(imagenet_resnets[50])
    assert counts["no_entrenables"] == 2 * 26_560
    assert counts["total"] == 25_610_152


def test_alexnet_parameters_layer_by_layer():
    model = build_symbolic(alexnet)
    expected = {
        "conv1": (11 * 11 * 3 + 1) * 96,
        "conv2": (5 * 5 * 96 + 1) * 256,
        "conv3": (3 * 3 * 256 + 1) * 384,
        "conv4": (3 * 3 * 384 + 1) * 384,
        "conv5": (3 * 3 * 384 + 1) * 256,
        "fc6": (6 * 6 * 256 + 1) * 4096,
        "fc7": (4096 + 1) * 4096,
        "fc8": (4096 + 1) * 1000,
    }
    for name, count in expected.items():
        assert model.get_layer(name).count_params() == count, name
    assert sum(expected.values()) == 62_378_344
    assert model.count_params() == 62_378_344


def test_alexnet_two_tower_count_is_paper_figure():
    model = build_symbolic(alexnet, grouped=True)
    # Grupos de 2 en conv2, conv4 y conv5: cada filtro ve la mitad de los canales de entrada.
    assert model.get_layer("conv2").count_params() == (5 * 5 * 48 + 1) * 256
    assert model.count_params() == 62_378_344 - 307_200 - 663_552 - 442_368 == 60_965_224


def test_alexnet_227_input_gives_6x6x256():
    model = build_symbolic(alexnet)
    assert model.get_layer("conv1").output.shape[1:] == (55, 55, 96)
    assert model.get_layer("pool5").output.shape[1:] == (6, 6, 256)
    assert model.get_layer("aplanar").output.shape[-1] == 9216


def test_alexnet_224_input_gives_5x5x256():
    model = build_symbolic(alexnet, (224, 224, 3))
    assert model.get_layer("conv1").output.shape[1:] == (54, 54, 96)
    assert model.get_layer("pool5").output.shape[1:] == (5, 5, 256)
    assert model.count_params() == 62_378_344 - (9216 - 6400) * 4096


def test_alexnet_minimum_input_is_67():
    assert alexnet((67, 67, 3), dense_units=8).output_shape == (None, 1000)
    with pytest.raises(ValueError, match="al menos 67×67"):
        alexnet((66, 66, 3))


def test_vgg_minimum_input_is_32():
    assert vgg(16, (32, 32, 1), 10, base_filters=2, dense_units=8).output_shape == (None, 10)
    with pytest.raises(ValueError, match="al menos 32×32"):
        vgg(16, (28, 28, 1), 10)


def test_resnet_rejects_mnist_size_and_names_minimum():
    with pytest.raises(ValueError, match="al menos 32×32"):
        resnet(18, (28, 28, 1), 10)


def test_small_resnet_default_matches_resnet18_body():
    model = build_symbolic(small_resnet)
    assert parameter_counts(model)["entrenables"] == 11_173_962
    assert model.get_layer("etapa4_bloque2_salida").output.shape[1:] == (4, 4, 512)


def test_small_resnet_minimum_depends_on_stages():
    assert small_resnet((8, 8, 1), 10, width=4).output_shape == (None, 10)
    with pytest.raises(ValueError, match="al menos 8×8"):
        small_resnet((7, 7, 1), 10, width=4)
    assert small_resnet((2, 2, 1), 10, blocks_per_stage=(1, 1), width=4).output_shape == (None, 10)


@pytest.mark.parametrize("depth", [18, 34, 50, 101, 152])
def test_resnet_weight_layers_match_name(imagenet_resnets, depth):
    from coursekit.cost import count_weight_layers

    assert count_weight_layers(imagenet_resnets[depth]) == depth


def test_resnet_bottleneck_expands_channels(imagenet_resnets):
    model = imagenet_resnets[50]
    assert model.get_layer("etapa1_bloque1_salida").output.shape[1:] == (56, 56, 256)
    assert model.get_layer("etapa4_bloque3_salida").output.shape[1:] == (7, 7, 2048)
    assert imagenet_resnets[18].get_layer("etapa4_bloque2_salida").output.shape[1:] == (7, 7, 512)


def test_resnet_convolutions_before_batchnorm_have_no_bias(imagenet_resnets):
    convs = [layer for layer in imagenet_resnets[18].layers
             if isinstance(layer, keras.layers.Conv2D)]
    assert convs
    assert not any(layer.use_bias for layer in convs)


def test_vgg_batch_norm_drops_convolution_bias():
    plain = vgg(11, (32, 32, 3), 10, base_filters=4, dense_units=8)
    normed = vgg(11, (32, 32, 3), 10, base_filters=4, dense_units=8, batch_norm=True)
    convs = [layer for layer in plain.layers if isinstance(layer, keras.layers.Conv2D)]
    channels = sum(layer.filters for layer in convs)
    # Sin sesgo (−C) y con γ, β, media y varianza (+4C) por canal.
    assert normed.count_params() - plain.count_params() == 3 * channels


# Constructores pequeños para las pruebas comunes: forma de salida y un paso de entrenamiento.
SMALL_BUILDERS = {
    "alexnet": lambda: alexnet((67, 67, 3), 5, dense_units=16),
    "vgg16_bn": lambda: vgg(16, (32, 32, 3), 5, base_filters=2, dense_units=8, batch_norm=True),
    "resnet18": lambda: resnet(18, (32, 32, 3), 5),
    "small_resnet": lambda: small_resnet((16, 16, 3), 5, width=4),
}


@pytest.mark.parametrize("name", sorted(SMALL_BUILDERS))
def test_builder_trains_one_step(name):
    keras.utils.set_random_seed(0)
    model = SMALL_BUILDERS[name]()
    height, width, channels = model.input_shape[1:]
    x = np.random.default_rng(0).random((4, height, width, channels), dtype=np.float32)
    y = np.array([0, 1, 2, 3])
    assert model.output_shape == (None, 5)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    before = [w.numpy().copy() for w in model.trainable_weights]
    loss = model.train_on_batch(x, y)
    assert math.isfinite(float(loss))
    changed = [not np.array_equal(a, w.numpy()) for a, w in zip(before, model.trainable_weights)]
    assert any(changed)
    probabilities = model.predict_on_batch(x)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("builder, kwargs", [
    (alexnet, {"input_shape": (224, 224)}),
    (vgg, {"depth": 16, "input_shape": (3, 224, 224)}),
    (resnet, {"depth": 50, "input_shape": (1, 224, 224, 3)}),
    (resnet, {"depth": 50, "input_shape": (224, 224.0, 3)}),
])
def test_builders_reject_malformed_input_shape(builder, kwargs):
    with pytest.raises(ValueError, match="input_shape"):
        builder(**kwargs)


def test_channels_first_hint_suggests_channels_last():
    with pytest.raises(ValueError, match=r"\(224, 224, 3\)"):
        check_input_shape((3, 224, 224), model_name="VGG16", min_size=32)


def test_input_shape_must_be_tuple():
    with pytest.raises(TypeError, match="input_shape"):
        resnet(18, input_shape=224)


@pytest.mark.parametrize("builder, depth", [(vgg, 15), (resnet, 32), (resnet, "50")])
def test_builders_reject_unknown_depth(builder, depth):
    with pytest.raises(ValueError, match="depth"):
        builder(depth)


@pytest.mark.parametrize("kwargs, name", [
    ({"num_classes": 1}, "num_classes"),
    ({"dropout": 1.0}, "dropout"),
    ({"dense_units": 0}, "dense_units"),
])
def test_alexnet_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        alexnet(**kwargs)


def test_small_resnet_rejects_empty_stages():
    with pytest.raises(ValueError, match="blocks_per_stage"):
        small_resnet(blocks_per_stage=())
    with pytest.raises(ValueError, match="blocks_per_stage"):
        small_resnet(blocks_per_stage=(2, 0))


def test_spatial_output_size_rules():
    assert spatial_output_size(227, 11, 4, "valid") == 55
    assert spatial_output_size(224, 11, 4, "valid") == 54
    assert spatial_output_size(224, 7, 2, 3) == 112
    assert spatial_output_size(7, 2, 2, "same") == 4
    assert spatial_output_size(2, 3, 1, "valid") < 1


def test_minimum_input_size_of_five_poolings():
    assert minimum_input_size([(2, 2, "valid")] * 5) == 32


def test_public_lazy_names_are_builders():
    from coursekit.models import alexnet as public_alexnet
    from coursekit.models import resnet as public_resnet
    from coursekit.models import vgg as public_vgg

    assert public_alexnet is alexnet
    assert public_resnet is resnet
    assert public_vgg is vgg
    from coursekit.models import unet as public_unet
    from coursekit.models.unet_builder import unet as builder_unet

    assert public_unet is builder_unet
