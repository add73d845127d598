"""Pruebas de coursekit.tuning: rejilla, búsqueda en validación y optimizadores."""

import keras
import numpy as np
import pytest

from coursekit.tuning import Trial, _better, even_batches, grid, grid_search, make_optimizer


def toy_data(seed=0, n=48):
    """Dos clases separables: la mitad izquierda o la derecha de una imagen 8×8 está encendida."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.uniform(0, 0.2, (n, 8, 8, 1)).astype(np.float32)
    for i, label in enumerate(y):
        x[i, :, 4 * label:4 * label + 4] += 0.8
    return x, y


def build(hp):
    return keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
                             keras.layers.Dense(hp.get("units", 4), activation="relu"),
                             keras.layers.Dense(2, activation="softmax")])


def test_grid_order_and_size():
    combos = grid({"optimizer": ["adam", "sgd"], "learning_rate": [1e-3, 1e-2], "units": [4]})
    assert len(combos) == 4
    assert combos[0] == {"optimizer": "adam", "learning_rate": 1e-3, "units": 4}
    assert combos[1] == {"optimizer": "adam", "learning_rate": 1e-2, "units": 4}


def test_grid_bad_space():
    with pytest.raises(TypeError, match="`space` no es válido"):
        grid([("optimizer", ["adam"])])
    with pytest.raises(ValueError, match="lista no vacía"):
        grid({"optimizer": "adam"})
    with pytest.raises(ValueError, match="lista no vacía"):
        grid({"learning_rate": []})


def test_make_optimizer():
    sgd = make_optimizer("sgd", 0.01)
    assert isinstance(sgd, keras.optimizers.SGD)
    assert float(sgd.momentum) == pytest.approx(0.9)
    assert float(make_optimizer("adam", 1e-3).learning_rate) == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="`optimizer` no es válido"):
        make_optimizer("Adam", 1e-3)
    with pytest.raises(ValueError, match="`learning_rate` no es válido"):
        make_optimizer("adam", 3)


def test_grid_search_picks_best_on_validation():
    train_data, validation_data = toy_data(0), toy_data(1, n=16)
    space = {"optimizer": ["adam"], "learning_rate": [1e-6, 0.05], "units": [4]}
    result = grid_search(build, space, train_data, validation_data, epochs=3, seed=0, name="juguete")
    assert len(result.trials) == 2
    # Con 1e-6 los pesos casi no cambian; con 0.05 el problema separable se resuelve.
    assert result.best_hyperparameters["learning_rate"] == 0.05
    assert result.best.val_accuracy == max(t.val_accuracy for t in result.trials)
    accuracy = np.mean(result.best_model.predict(validation_data[0], verbose=0).argmax(1) == validation_data[1])
    assert accuracy == pytest.approx(result.best.val_accuracy)
    record = result.records()[1]
    assert set(record) == {"hyperparameters", "val_accuracy", "val_loss"}
    assert "→" in result.table().splitlines()[3]


def test_grid_search_max_trials_is_reproducible():
    space = {"optimizer": ["adam", "sgd", "rmsprop"], "learning_rate": [1e-3, 1e-2]}
    runs = [grid_search(build, space, toy_data(), toy_data(1, 16), epochs=1, max_trials=2, seed=5)
            for _ in range(2)]
    assert [t.hyperparameters for t in runs[0].trials] == [t.hyperparameters for t in runs[1].trials]
    assert len(runs[0].trials) == 2


def test_tie_broken_by_validation_loss():
    low = Trial({}, 0.9, 0.2, 1.0)
    high = Trial({}, 0.9, 0.3, 1.0)
    assert _better(low, high)
    assert not _better(high, low)


def test_grid_search_bad_builder():
    with pytest.raises(TypeError, match="return model"):
        grid_search(lambda hp: None, {"units": [4]}, toy_data(), toy_data(1, 16), epochs=1)
    with pytest.raises(TypeError, match="`build_model` no es válido"):
        grid_search("mlp", {"units": [4]}, toy_data(), toy_data(1, 16), epochs=1)


def test_even_batches_avoid_odd_last_batch():
    x, y = toy_data(n=63)
    for _ in range(2):
        sizes = [len(labels) for _, labels in even_batches(x, y, 32, seed=0)]
        # 63 = 32 + 31: se deja fuera un ejemplo por época para que el último lote sea par.
        assert sizes == [32, 30]
    x, y = toy_data(n=48)
    assert [len(labels) for _, labels in even_batches(x, y, 32)] == [32, 16]


def test_even_batches_reject_odd_batch_size():
    with pytest.raises(ValueError, match="tamaño de lote par"):
        even_batches(*toy_data(), 15)
