"""Pruebas de coursekit.gradients: redes de juguete y normas del gradiente por capa."""

import keras
import numpy as np
import pytest

from coursekit.gradients import (GradientProfile, compare_gradient_norms, deep_cnn, deep_mlp,
                                 format_gradient_summary, format_training_results,
                                 gradient_norms)


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    return rng.random((16, 12, 12, 1), dtype=np.float32), rng.integers(0, 10, size=16)


def test_deep_mlp_has_requested_depth():
    model = deep_mlp(6, "tanh", width=8, input_shape=(12, 12, 1))
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert len(dense) == 7
    assert dense[0].name == "densa01"


def test_deep_cnn_counts_weight_layers_like_the_paper():
    from coursekit.cost import count_weight_layers

    for residual in (False, True):
        model = deep_cnn(8, residual=residual, width=4, input_shape=(12, 12, 1))
        assert count_weight_layers(model) == 8
    residual_model = deep_cnn(8, residual=True, width=4, input_shape=(12, 12, 1))
    adds = [layer for layer in residual_model.layers if isinstance(layer, keras.layers.Add)]
    assert len(adds) == 3


def test_gradient_norms_match_manual_tape(batch):
    import tensorflow as tf

    x, y = batch
    keras.utils.set_random_seed(0)
    model = deep_mlp(3, "relu", width=8, input_shape=(12, 12, 1))
    profile = gradient_norms(model, x, y)
    assert profile.layer_names == ["densa01", "densa02", "densa03", "salida"]
    with tf.GradientTape() as tape:
        loss = keras.losses.SparseCategoricalCrossentropy()(y, model(x, training=True))
    grad = tape.gradient(loss, model.get_layer("densa01").kernel)
    assert profile.norms[0] == pytest.approx(float(np.linalg.norm(grad.numpy())), rel=1e-5)


def test_sigmoid_vanishes_and_relu_does_not(batch):
    x, y = batch
    profiles = compare_gradient_norms(
        {activation: (lambda a=activation: deep_mlp(15, a, width=16, input_shape=(12, 12, 1)))
         for activation in ("sigmoid", "relu")}, x, y)
    sigmoid, relu = profiles
    # La derivada de la sigmoide es ≤ 0,25: en 15 capas el gradiente cae muchos órdenes.
    assert sigmoid.first_to_last_ratio < 1e-6
    assert relu.first_to_last_ratio > 1e-2


def test_compare_is_reproducible(batch):
    x, y = batch
    builders = {"plana": lambda: deep_cnn(6, width=4, input_shape=(12, 12, 1))}
    first = compare_gradient_norms(builders, x, y, seed=3)[0]
    second = compare_gradient_norms(builders, x, y, seed=3)[0]
    np.testing.assert_allclose(first.norms, second.norms, rtol=1e-6)


def test_summary_has_one_row_per_profile():
    profiles = [GradientProfile("a", ["l1", "l2"], np.array([1e-3, 1.0])),
                GradientProfile("b", ["l1", "l2"], np.array([2.0, 1.0]))]
    lines = format_gradient_summary(profiles).splitlines()
    assert len(lines) == 3
    assert "1.00e-03" in lines[1]
    assert profiles[1].first_to_last_ratio == 2.0


def test_deep_cnn_rejects_odd_depth():
    with pytest.raises(ValueError, match="usa 10"):
        deep_cnn(9)


def test_deep_cnn_rejects_shallow_depth():
    with pytest.raises(ValueError, match="depth"):
        deep_cnn(2)


def test_unknown_activation_rejected():
    with pytest.raises(ValueError, match="activation"):
        deep_mlp(4, "softmax")


def test_gradient_norms_rejects_mismatched_labels(batch):
    x, y = batch
    with pytest.raises(ValueError, match="etiquetas"):
        gradient_norms(deep_mlp(2, width=4, input_shape=(12, 12, 1)), x, y[:3])


def test_compare_rejects_empty_builders(batch):
    x, y = batch
    with pytest.raises(TypeError, match="builders"):
        compare_gradient_norms({}, x, y)


def test_train_comparison_reports_each_network():
    from coursekit.gradients import train_comparison

    rng = np.random.default_rng(1)
    x = rng.random((48, 12, 12, 1), dtype=np.float32)
    y = np.arange(48) % 4
    builders = {"plana": lambda: deep_cnn(4, width=4, input_shape=(12, 12, 1), num_classes=4),
                "residual": lambda: deep_cnn(4, residual=True, width=4, input_shape=(12, 12, 1),
                                             num_classes=4)}
    results = train_comparison(builders, (x, y), (x[:16], y[:16]), (x[:16], y[:16]),
                               epochs=1, batch_size=16)
    assert [r.name for r in results] == ["plana", "residual"]
    assert all(0.0 <= r.test_accuracy <= 1.0 for r in results)
    assert results[0].history.epochs == [1]
    table = format_training_results(results, include_time=False)
    assert "segundos" not in table
    assert len(table.splitlines()) == 3


def test_train_comparison_rejects_empty_builders(batch):
    from coursekit.gradients import train_comparison

    x, y = batch
    with pytest.raises(TypeError, match="builders"):
        train_comparison({}, (x, y), (x, y), (x, y), epochs=1)
