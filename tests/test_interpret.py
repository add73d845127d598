"""Pruebas de coursekit.interpret: Grad-CAM, saliencia, oclusión y elección de casos."""

import keras
import numpy as np
import pytest

from coursekit.interpret import (ZERO_MAP_NOTE, Explainer, grad_cam, normalize_map, occlusion_map,
                                 saliency_map, select_cases)

SHAPE = (28, 28, 1)


def lenet_layers():
    return [
        keras.layers.Conv2D(6, 5, padding="same", activation="relu", name="c1"),
        keras.layers.MaxPooling2D(2, name="s2"),
        keras.layers.Conv2D(16, 5, activation="relu", name="c3"),
        keras.layers.MaxPooling2D(2, name="s4"),
        keras.layers.Flatten(name="aplanar"),
        keras.layers.Dense(32, activation="relu", name="f6"),
        keras.layers.Dense(3, activation="softmax", name="salida"),
    ]


def sequential_lenet():
    """LeNet pequeño como ``Sequential`` sin ``keras.Input``: nunca se ha llamado sobre un tensor."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential(lenet_layers(), name="lenet_secuencial")
    model.build((None, *SHAPE))
    return model


def functional_copy(model):
    """El mismo LeNet como modelo funcional, con los pesos de ``model``."""
    inputs = keras.Input(SHAPE)
    tensor = inputs
    for layer in lenet_layers():
        tensor = layer(tensor)
    functional = keras.Model(inputs, tensor, name="lenet_funcional")
    functional.set_weights(model.get_weights())
    return functional


@pytest.fixture(scope="module")
def image():
    rng = np.random.default_rng(3)
    picture = np.zeros(SHAPE, dtype=np.float32)
    picture[6:22, 10:18] = rng.uniform(0.5, 1.0, (16, 8, 1))
    return picture


@pytest.fixture(scope="module")
def models():
    sequential = sequential_lenet()
    return sequential, functional_copy(sequential)


def check_map(attribution):
    assert attribution.values.shape == SHAPE[:2]
    assert not np.isnan(attribution.values).any()
    assert attribution.values.min() >= 0.0
    assert attribution.values.max() <= 1.0


@pytest.mark.parametrize("method", ["gradcam", "saliency", "occlusion"])
def test_maps_shape_range_sequential_and_functional(models, image, method):
    for model in models:
        attribution = Explainer(model).explain(image, methods=[method])[method]
        check_map(attribution)
        assert attribution.values.max() == pytest.approx(1.0)


def test_sequential_and_functional_give_same_maps(models, image):
    sequential, functional = models
    for method in ("gradcam", "saliency", "occlusion"):
        first = Explainer(sequential).explain(image, 1, methods=[method])[method].values
        second = Explainer(functional).explain(image, 1, methods=[method])[method].values
        np.testing.assert_allclose(first, second, atol=1e-5)


def test_target_layer_is_last_spatial_conv(models):
    for model in models:
        # c3 da 10×10×16; s4 cambia el tamaño, así que Grad-CAM se queda en c3.
        assert Explainer(model).layer_name == "c3"


def test_saturated_softmax_still_gives_maps(image):
    model = sequential_lenet()
    kernel, bias = model.get_layer("salida").get_weights()
    model.get_layer("salida").set_weights([kernel * 1e4, bias])
    probabilities = model.predict(image[None], verbose=0)[0]
    assert probabilities.max() == 1.0
    explainer = Explainer(model)
    for method, attribution in explainer.explain(image).items():
        check_map(attribution)
        assert attribution.note is None, method
        assert attribution.values.max() == pytest.approx(1.0)


def test_zero_evidence_gives_zero_map_and_note(models):
    # Imagen negra y sesgos iniciales nulos: los mapas de c3 son todos cero, y Grad-CAM también.
    black = np.zeros(SHAPE, dtype=np.float32)
    attribution = grad_cam(models[0], black, class_index=0)
    assert attribution.note == ZERO_MAP_NOTE
    assert not np.isnan(attribution.values).any()
    assert attribution.values.max() == 0.0


def test_normalize_map_guards():
    values, note = normalize_map(np.array([[np.nan, 2.0], [-1.0, 4.0]]))
    np.testing.assert_allclose(values, [[0.0, 0.5], [0.0, 1.0]])
    assert note is None
    zeros, note = normalize_map(np.zeros((3, 3)))
    assert note == ZERO_MAP_NOTE
    assert zeros.max() == 0.0


def test_saliency_of_linear_model_is_weight_magnitude():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])
    kernel = model.layers[-1].get_weights()[0]
    # Para un modelo lineal, d logit_c / d x = W[:, c], sea cual sea la imagen.
    expected = np.abs(kernel[:, 1]).reshape(4, 4)
    attribution = saliency_map(model, np.full((4, 4, 1), 0.3, np.float32), class_index=1)
    np.testing.assert_allclose(attribution.values, expected / expected.max(), rtol=1e-5)


def test_smoothgrad_is_finite_and_normalised(models, image):
    attribution = Explainer(models[0]).saliency(image, samples=8)
    check_map(attribution)


def test_occlusion_of_linear_model_follows_weights():
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(2, activation="softmax")])
    kernel = np.zeros((16, 2), np.float32)
    kernel[0, 0] = 1.0  # solo el píxel (0, 0) apoya la clase 0
    model.layers[-1].set_weights([kernel, np.zeros(2, np.float32)])
    image = np.zeros((4, 4, 1), np.float32)
    image[0, 0] = 1.0
    attribution = occlusion_map(model, image, class_index=0, patch=1, stride=1)
    assert attribution.values[0, 0] == 1.0
    assert attribution.values.sum() == 1.0


def test_mlp_gradcam_message_and_other_methods_work(image):
    model = keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(),
                              keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")], name="mlp")
    with pytest.raises(ValueError, match="no tiene ninguna"):
        grad_cam(model, image)
    maps = Explainer(model).explain(image)
    assert maps["gradcam"].values is None
    assert "no tiene capas convolucionales" in maps["gradcam"].note
    check_map(maps["saliency"])
    check_map(maps["occlusion"])


def test_unbuilt_model_rejected(image):
    model = keras.Sequential(lenet_layers())
    with pytest.raises(ValueError, match="modelo construido"):
        Explainer(model)


def test_bad_inputs_rejected(models, image):
    explainer = Explainer(models[0])
    with pytest.raises(ValueError, match="una sola imagen"):
        explainer.grad_cam(image[None])
    with pytest.raises(ValueError, match="nombre de una capa"):
        Explainer(models[0], layer_name="no_existe")
    with pytest.raises(ValueError, match="`methods` no es válido"):
        explainer.explain(image, methods=["lime"])
    with pytest.raises(ValueError, match="`patch` no es válido"):
        explainer.occlusion(image, patch=40)
    with pytest.raises(TypeError, match="keras.Model"):
        Explainer("modelo")


def test_select_cases_kinds_and_order():
    probabilities = np.array([
        [0.98, 0.01, 0.01],  # correcto y seguro
        [0.50, 0.49, 0.01],  # dudoso (margen 0,01)
        [0.05, 0.90, 0.05],  # error seguro: la verdad es 0
        [0.70, 0.20, 0.10],  # correcto
        [0.10, 0.60, 0.30],  # error menos seguro: la verdad es 2
    ])
    y_true = np.array([0, 0, 0, 0, 2])
    cases = select_cases(probabilities, y_true, n_cases=4)
    assert [(c.index, c.kind) for c in cases] == [
        (0, "correcto_seguro"), (2, "error_seguro"), (1, "dudoso"), (3, "correcto_seguro")]
    assert cases[1].predicted == 1
    assert cases[1].confidence == pytest.approx(0.90)


def test_select_cases_without_errors_fills_with_other_kinds():
    probabilities = np.eye(3)[[0, 1, 2, 0]] * 0.9 + 0.1 / 3
    cases = select_cases(probabilities, [0, 1, 2, 0], n_cases=3)
    assert len(cases) == 3
    assert "error_seguro" not in {c.kind for c in cases}
    assert len({c.index for c in cases}) == 3


def test_select_cases_bad_inputs():
    with pytest.raises(ValueError, match="`n_cases` no es válido"):
        select_cases(np.eye(2), [0, 1], n_cases=3)
    with pytest.raises(ValueError, match="`probabilities` no es válido"):
        select_cases(np.eye(2), [0, 1, 1])


def residual_model():
    """Bloque residual con proyección 1×1 de paso 2, como en ResNet (modelo funcional)."""
    keras.utils.set_random_seed(2)
    inputs = keras.Input(SHAPE)
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    main = keras.layers.Conv2D(8, 3, strides=2, padding="same")(x)
    shortcut = keras.layers.Conv2D(8, 1, strides=2, name="proyeccion")(x)
    x = keras.layers.ReLU(name="suma_relu")(keras.layers.Add()([main, shortcut]))
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))


def test_residual_model_with_strided_projection(image):
    # Un lote de una imagen a través de la proyección 1×1 de paso 2 abortaba TensorFlow 2.21 (oneDNN).
    explainer = Explainer(residual_model())
    assert explainer.layer_name == "suma_relu"
    for attribution in explainer.explain(image, smoothgrad_samples=3).values():
        check_map(attribution)


def test_case_describe_uses_class_names():
    from coursekit.interpret import Case

    case = Case(index=7, kind="error_seguro", true=1, predicted=0, confidence=0.934)
    assert case.describe(["bolso", "sandalia"]) == (
        "Ejemplo 7 (error seguro): real «sandalia», predicho «bolso» con probabilidad 0.93")
    assert "real «1»" in case.describe()
