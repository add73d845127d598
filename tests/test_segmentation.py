"""Pruebas de coursekit.segmentation y coursekit.plots.segmentation."""

import keras
import matplotlib
import numpy as np
import pytest
from sklearn.metrics import f1_score, jaccard_score

from coursekit.models.unet_builder import unet
from coursekit.plots.segmentation import error_map, plot_segmentation, preview_figure
from coursekit.segmentation import (LivePreview, activation_memory, evaluate_segmentation,
                                    measure_step_memory, memory_table, predict_tiled)

matplotlib.use("Agg")


def _pointwise_model(channels=1, classes=2):
    # Una convolución 1×1 no mira a los vecinos: la predicción por teselas debe ser exacta.
    inputs = keras.Input((None, None, channels))
    outputs = keras.layers.Conv2D(classes, 1, activation="softmax")(inputs)
    return keras.Model(inputs, outputs)


def test_tiled_prediction_equals_whole_image_for_pointwise_model():
    keras.utils.set_random_seed(0)
    model = _pointwise_model()
    image = np.random.default_rng(1).random((70, 90)).astype(np.float32)
    whole = model.predict(image[None, ..., None], verbose=0)[0]
    tiled = predict_tiled(model, image, tile_size=32, overlap=8)
    assert tiled.shape == (70, 90, 2)
    np.testing.assert_allclose(tiled, whole, atol=1e-5)


def test_tiled_prediction_with_valid_unet_matches_mirrored_whole():
    # U-Net 'valid' de profundidad 1: salida = entrada − 16, margen de 8 píxeles por lado.
    keras.utils.set_random_seed(0)
    tile_model = unet((36, 36, 1), depth=1, base_filters=2)
    assert tile_model.output_shape[1] == 20
    image = np.random.default_rng(2).random((40, 60)).astype(np.float32)
    whole_model = unet((56, 76, 1), depth=1, base_filters=2)
    whole_model.set_weights(tile_model.get_weights())
    mirrored = np.pad(image, 8, mode="symmetric")
    expected = whole_model.predict(mirrored[None, ..., None], verbose=0)[0]
    tiled = predict_tiled(tile_model, image, overlap=0)
    assert tiled.shape == (40, 60, 2)
    np.testing.assert_allclose(tiled, expected, atol=1e-5)


def test_tiled_prediction_on_image_smaller_than_tile():
    model = _pointwise_model()
    out = predict_tiled(model, np.zeros((10, 12), np.float32), tile_size=32, overlap=4)
    assert out.shape == (10, 12, 2)


def test_tiled_prediction_rejects_bad_arguments():
    model = _pointwise_model()
    image = np.zeros((40, 40), np.float32)
    with pytest.raises(ValueError, match="tile_size"):
        predict_tiled(model, image)
    with pytest.raises(ValueError, match="overlap"):
        predict_tiled(model, image, tile_size=16, overlap=16)
    with pytest.raises(ValueError, match="imagen"):
        predict_tiled(model, np.zeros((2, 8, 8, 1)), tile_size=8)
    fixed = unet((188, 188, 1), base_filters=2)
    with pytest.raises(ValueError, match="188"):
        predict_tiled(fixed, image, tile_size=64)


def test_live_preview_updates_same_figure():
    keras.utils.set_random_seed(0)
    model = unet((None, None, 1), depth=2, base_filters=4, padding="same")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.random((8, 32, 32, 1)).astype(np.float32)
    y = (x[..., 0] > 0.5).astype(np.int32)
    preview = LivePreview(x[0], y[0], every=1)
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[preview])
    assert preview.epochs == [1, 2]
    assert len(preview.dice) == 2
    assert all(0.0 <= d <= 1.0 for d in preview.dice)
    assert preview.figure._suptitle.get_text().startswith("Época 2")


def test_live_preview_crops_truth_for_valid_unet():
    model = unet((188, 188, 1), base_filters=2)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    preview = LivePreview(np.zeros((188, 188)), np.ones((188, 188), np.int32))
    preview.set_model(model)
    preview.on_train_begin()
    preview.on_epoch_end(0)
    assert preview._truth.shape == (4, 4)


def test_live_preview_rejects_mismatched_mask():
    with pytest.raises(ValueError, match="mask"):
        LivePreview(np.zeros((32, 32)), np.zeros((16, 16)))


def test_evaluation_matches_sklearn():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, size=(20, 20))
    prediction = np.where(rng.random((20, 20)) < 0.7, truth, rng.integers(0, 3, size=(20, 20)))
    report = evaluate_segmentation(truth, prediction, num_classes=3, class_names=["a", "b", "c"])
    expected_dice = f1_score(truth.ravel(), prediction.ravel(), average=None, labels=[0, 1, 2])
    expected_iou = jaccard_score(truth.ravel(), prediction.ravel(), average=None, labels=[0, 1, 2])
    np.testing.assert_allclose(report.dice, expected_dice, rtol=1e-6)
    np.testing.assert_allclose(report.iou, expected_iou, rtol=1e-6)
    assert report.mean_dice == pytest.approx(expected_dice[1:].mean(), rel=1e-6)
    assert report.confusion_matrix.sum() == 400


def test_evaluation_lecture_example():
    # Ejemplo de tres clases de la clase: Dice 0,8 en las clases 1 y 2.
    truth = np.array([[0, 1, 1], [0, 2, 0], [2, 0, 1]])
    prediction = np.array([[0, 1, 0], [2, 2, 0], [2, 0, 1]])
    report = evaluate_segmentation(truth, prediction, num_classes=3)
    assert report.mean_dice == pytest.approx(0.8)
    assert "media de primer plano: Dice 0.800" in report.table()


def test_evaluation_accepts_probabilities():
    truth = np.array([[0, 1]])
    probabilities = np.array([[[0.9, 0.1], [0.2, 0.8]]])
    report = evaluate_segmentation(truth, probabilities, num_classes=2)
    assert report.mean_dice == pytest.approx(1.0)


def test_evaluation_rejects_bad_input():
    with pytest.raises(ValueError, match="forma"):
        evaluate_segmentation(np.zeros((4, 4)), np.zeros((3, 3)), num_classes=2)
    with pytest.raises(ValueError, match="class_names"):
        evaluate_segmentation(np.zeros((2, 2)), np.zeros((2, 2)), num_classes=2, class_names=["x"])


def test_activation_memory_counts_layer_outputs():
    inputs = keras.Input((8, 8, 1))
    hidden = keras.layers.Conv2D(4, 3, padding="same")(inputs)
    model = keras.Model(inputs, keras.layers.MaxPooling2D(2)(hidden))
    # entrada 8·8·1 + convolución 8·8·4 + agrupamiento 4·4·4 = 64 + 256 + 64 valores × 4 bytes
    assert activation_memory(model) == (64 + 256 + 64) * 4


def test_memory_grows_with_square_of_side():
    table = memory_table((32, 64), depth=2, base_filters=4)
    assert table[1]["activations_mib"] == pytest.approx(4 * table[0]["activations_mib"])
    assert table[0]["parameters"] == table[1]["parameters"]


def test_activation_memory_needs_fixed_size():
    with pytest.raises(ValueError, match="alto y ancho fijos"):
        activation_memory(unet((None, None, 1), depth=1, base_filters=2, padding="same"))


def test_error_map_codes():
    truth = np.array([[0, 1, 1, 0]])
    prediction = np.array([[0, 1, 0, 2]])
    np.testing.assert_array_equal(error_map(truth, prediction), [[0, 1, 3, 2]])
    with pytest.raises(ValueError, match="forma"):
        error_map(truth, np.zeros((2, 2)))


def test_plots_build_figures():
    image = np.random.default_rng(0).random((16, 16))
    mask = (image > 0.5).astype(np.uint8)
    fig = plot_segmentation(image, mask, mask, class_names=["fondo", "núcleo"])
    assert len(fig.axes) == 4
    assert fig.axes[3].get_title() == "Errores"
    fig, update = preview_figure(image, mask)
    update(mask, "Época 1")
    assert fig._suptitle.get_text() == "Época 1"


def test_step_memory_rows_sorted_by_side():
    rows = measure_step_memory(lambda: unet((None, None, 1), depth=2, base_filters=4, padding="same"),
                               (256, 64))
    assert [row["side"] for row in rows] == [64, 256]  # de menor a mayor
    # El valor depende de la memoria que el proceso ya tenía reservada por otras pruebas.
    assert all(row["peak_mib"] >= 0 for row in rows)
