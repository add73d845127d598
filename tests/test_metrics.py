"""Pruebas de coursekit.metrics: ejemplos de la clase, casos límite, oráculos y errores."""

import math
import os
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest
from sklearn.metrics import f1_score, jaccard_score

from coursekit import CourseKitWarning
from coursekit.metrics import (
    DiceMetric,
    DiceUndefinedWarning,
    confusion_counts,
    dice_from_counts,
    dice_per_class,
    iou_per_class,
    mean_dice,
    mean_iou,
    mean_over_classes,
)

BINARY_TRUTH = [[1, 0, 0], [0, 1, 0], [1, 0, 1]]
BINARY_PRED = [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
MULTI_TRUTH = [[0, 1, 1], [0, 2, 0], [2, 0, 1]]
MULTI_PRED = [[0, 1, 0], [2, 2, 0], [2, 0, 1]]


def random_labels(seed, shape, num_classes):
    return np.random.default_rng(seed).integers(0, num_classes, size=shape)


# --- ejemplos resueltos de la clase -------------------------------------------------------------

def test_lecture_binary_example():
    # |G| = 4, |P| = 4, |G∩P| = 3 (diagonal); Dice = 2·3 / (4 + 4) = 0.75.
    counts = confusion_counts(BINARY_TRUTH, BINARY_PRED, num_classes=2)
    assert counts.tp[1] == 3
    assert counts.fp[1] == 1
    assert counts.fn[1] == 1
    assert dice_per_class(BINARY_TRUTH, BINARY_PRED, 2)[1] == 0.75
    assert mean_dice(BINARY_TRUTH, BINARY_PRED, 2) == 0.75


def test_lecture_binary_iou():
    # IoU = 3 / (3 + 1 + 1) = 0.6.
    assert iou_per_class(BINARY_TRUTH, BINARY_PRED, 2)[1] == pytest.approx(0.6)


def test_lecture_multiclass_example():
    # Clase 1: |G| = 3, |P| = 2, TP = 2 → 4/5. Clase 2: |G| = 2, |P| = 3, TP = 2 → 4/5.
    scores = dice_per_class(MULTI_TRUTH, MULTI_PRED, num_classes=3)
    assert scores[1] == pytest.approx(0.8)
    assert scores[2] == pytest.approx(0.8)
    assert mean_dice(MULTI_TRUTH, MULTI_PRED, num_classes=3) == pytest.approx(0.8)


def test_multiclass_background_not_averaged():
    # Fondo: |G| = 4, |P| = 4, TP = 3 → 0.75; con el fondo la media sería (0.75+0.8+0.8)/3.
    scores = dice_per_class(MULTI_TRUTH, MULTI_PRED, num_classes=3)
    assert scores[0] == pytest.approx(0.75)
    with_background = mean_dice(MULTI_TRUTH, MULTI_PRED, 3, classes=[0, 1, 2])
    assert with_background == pytest.approx((0.75 + 0.8 + 0.8) / 3)


def test_flattened_binary_two_thirds():
    # G = [1, 1, 0, 0], P = [1, 0, 0, 0]: 2·1 / (2 + 1) = 2/3.
    score = dice_per_class([1, 1, 0, 0], [1, 0, 0, 0], num_classes=2)[1]
    assert score == np.float32(2 / 3)


def test_nanmean_skips_undefined_class():
    assert mean_over_classes(np.array([0.8, np.nan, 0.6])) == pytest.approx(0.7)


# --- política de casos límite ---------------------------------------------------------------------

def test_both_empty_is_nan_with_warning():
    empty = np.zeros((4, 4), dtype=int)
    with pytest.warns(DiceUndefinedWarning, match=r"clases \[1, 2\]"):
        scores = dice_per_class(empty, empty, num_classes=3)
    assert scores[0] == 1.0
    assert np.isnan(scores[1])
    assert np.isnan(scores[2])


def test_undefined_warning_is_coursekit_warning():
    assert issubclass(DiceUndefinedWarning, CourseKitWarning)


def test_undefined_warning_points_at_caller():
    empty = np.zeros((2, 2), dtype=int)
    with pytest.warns(DiceUndefinedWarning) as record:
        mean_dice(empty, empty, num_classes=2)
    assert record[0].filename == __file__


def test_undefined_value_replaces_nan():
    empty = np.zeros((2, 2), dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = dice_per_class(empty, empty, num_classes=2, undefined_value=1.0)
        mean = mean_dice(empty, empty, num_classes=2, undefined_value=1.0)
    assert scores[1] == 1.0
    assert mean == 1.0


def test_undefined_value_accepts_numpy_scalar():
    empty = np.zeros((2, 2), dtype=int)
    assert dice_per_class(empty, empty, 2, undefined_value=np.float32(0.0))[1] == 0.0


def test_empty_truth_with_prediction_scores_zero():
    truth = np.zeros((2, 2), dtype=int)
    prediction = np.array([[0, 1], [0, 0]])
    assert dice_per_class(truth, prediction, 2)[1] == 0.0
    assert iou_per_class(truth, prediction, 2)[1] == 0.0


def test_empty_prediction_scores_zero():
    truth = np.array([[0, 1], [0, 0]])
    prediction = np.zeros((2, 2), dtype=int)
    assert dice_per_class(truth, prediction, 2)[1] == 0.0


def test_false_positive_class_enters_mean():
    # Clase 2 ausente de la verdad pero predicha: Dice 0 y cuenta en la media (1.0 + 0.0) / 2.
    truth = np.array([[1, 1], [0, 0]])
    prediction = np.array([[1, 1], [0, 2]])
    assert mean_dice(truth, prediction, num_classes=3) == pytest.approx(0.5)


def test_absent_class_left_out_of_mean():
    # Clase 2 ausente de verdad y predicción: la media es la de la clase 1 sola.
    truth = np.array([[1, 1], [0, 0]])
    prediction = np.array([[1, 0], [0, 0]])
    with pytest.warns(DiceUndefinedWarning):
        mean = mean_dice(truth, prediction, num_classes=3)
    assert mean == pytest.approx(2 / 3)


def test_all_classes_undefined_mean_is_nan():
    empty = np.zeros((2, 2), dtype=int)
    with pytest.warns(DiceUndefinedWarning):
        assert np.isnan(mean_dice(empty, empty, num_classes=3))


def test_float16_full_mask_gives_one():
    # 256·256 = 65 536 > 65 504, el máximo de float16: sumar en float16 daría inf y NaN.
    ones = np.ones((256, 256, 1), dtype=np.float16)
    with pytest.warns(DiceUndefinedWarning):
        scores = dice_per_class(ones, ones, num_classes=2)
    assert scores[1] == 1.0


def test_float16_tensor_full_mask_gives_one():
    import tensorflow as tf

    ones = tf.ones((1, 256, 256, 1), dtype=tf.float16)
    probabilities = tf.concat([tf.zeros_like(ones), ones], axis=-1)
    with pytest.warns(DiceUndefinedWarning):
        scores = dice_per_class(ones, probabilities, num_classes=2, soft=True)
    assert float(scores[1]) == 1.0


def test_float16_probabilities_give_one():
    probabilities = np.zeros((256, 256, 3), dtype=np.float16)
    probabilities[..., 1] = 1
    truth = np.ones((256, 256), dtype=np.uint8)
    with pytest.warns(DiceUndefinedWarning):
        scores = dice_per_class(truth, probabilities, 3, soft=True)
    assert scores[1] == 1.0


def test_dataset_level_sums_before_dividing():
    # Imagen 1: TP=1, FP=0, FN=0 → 1.0. Imagen 2: TP=1, FP=2, FN=1 → 2/5.
    truth = np.array([[1, 0, 0, 0], [1, 1, 0, 0]])
    prediction = np.array([[1, 0, 0, 0], [1, 0, 1, 1]])
    per_image = dice_per_class(truth, prediction, 2, per_image=True)
    assert per_image[:, 1] == pytest.approx([1.0, 0.4])
    # Conjunto: TP=2, FP=2, FN=1 → 4/7, distinto de la media por imagen 0.7.
    assert dice_per_class(truth, prediction, 2)[1] == pytest.approx(4 / 7)
    assert mean_dice(truth, prediction, 2, per_image=True) == pytest.approx(0.7)


# --- oráculos y propiedades ----------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_dice_matches_sklearn_f1(seed):
    truth = random_labels(seed, (8, 8), 2)
    prediction = random_labels(seed + 100, (8, 8), 2)
    expected = f1_score(truth.ravel(), prediction.ravel())
    assert dice_per_class(truth, prediction, 2)[1] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_iou_matches_sklearn_jaccard(seed):
    truth = random_labels(seed, (6, 10), 4)
    prediction = random_labels(seed + 50, (6, 10), 4)
    expected = jaccard_score(truth.ravel(), prediction.ravel(), average=None, labels=range(4))
    assert iou_per_class(truth, prediction, 4) == pytest.approx(expected, rel=1e-6)


def test_iou_matches_keras_iou_metrics():
    truth = random_labels(7, (2, 8, 8), 3)
    prediction = random_labels(8, (2, 8, 8), 3)
    ours = iou_per_class(truth, prediction, 3)
    keras_mean = keras.metrics.MeanIoU(num_classes=3)
    keras_mean.update_state(truth, prediction)
    assert float(keras_mean.result()) == pytest.approx(float(np.mean(ours)), rel=1e-6)
    foreground = keras.metrics.IoU(num_classes=3, target_class_ids=[1, 2])
    foreground.update_state(truth, prediction)
    assert float(foreground.result()) == pytest.approx(float(mean_iou(truth, prediction, 3)),
                                                       rel=1e-6)


def test_iou_matches_keras_one_hot_iou():
    truth = random_labels(3, (2, 6, 6), 3)
    probabilities = np.random.default_rng(4).dirichlet(np.ones(3), size=(2, 6, 6))
    keras_metric = keras.metrics.OneHotMeanIoU(num_classes=3)
    keras_metric.update_state(np.eye(3)[truth], probabilities)
    ours = iou_per_class(truth, probabilities, 3)
    assert float(keras_metric.result()) == pytest.approx(float(np.mean(ours)), rel=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_dice_iou_relation(seed):
    truth = random_labels(seed, (3, 9, 9), 3)
    prediction = random_labels(seed + 10, (3, 9, 9), 3)
    dice = dice_per_class(truth, prediction, 3)
    iou = iou_per_class(truth, prediction, 3)
    assert dice == pytest.approx(2 * iou / (1 + iou), rel=1e-6)


def test_dice_symmetric():
    truth = random_labels(1, (5, 5), 3)
    prediction = random_labels(2, (5, 5), 3)
    forward = dice_per_class(truth, prediction, 3)
    backward = dice_per_class(prediction, truth, 3)
    assert forward == pytest.approx(backward)


def test_dice_from_counts_formula():
    assert dice_from_counts(3.0, 1.0, 1.0) == pytest.approx(0.75)
    assert np.isnan(dice_from_counts(0.0, 0.0, 0.0))


# --- formatos de entrada -------------------------------------------------------------------------

def test_one_hot_and_probabilities_match_labels():
    one_hot_truth = np.eye(3, dtype=np.float32)[np.array(MULTI_TRUTH)]
    probabilities = np.eye(3)[np.array(MULTI_PRED)] * 0.7 + 0.1
    expected = dice_per_class(MULTI_TRUTH, MULTI_PRED, 3)
    assert dice_per_class(one_hot_truth, probabilities, 3) == pytest.approx(expected)
    assert dice_per_class(MULTI_TRUTH, probabilities, 3) == pytest.approx(expected)


def test_channel_axis_of_one_is_label_map():
    truth = np.array(MULTI_TRUTH)[None, ..., None]
    prediction = np.array(MULTI_PRED)[None]
    assert dice_per_class(truth, prediction, 3)[1] == pytest.approx(0.8)


def test_sigmoid_channel_is_binary_probability():
    probability = np.array(BINARY_PRED, dtype=np.float32)[..., None] * 0.6 + 0.2
    truth = np.array(BINARY_TRUTH, dtype=np.float32)[..., None]
    assert dice_per_class(truth, probability, 2)[1] == 0.75


def test_soft_dice_by_hand():
    # Un píxel de clase 1 con p=0.8 y uno de fondo con p(1)=0.4: 2·0.8 / (1 + 1.2) = 0.7272...
    truth = np.array([1, 0])
    probabilities = np.array([[0.2, 0.8], [0.6, 0.4]])
    assert dice_per_class(truth, probabilities, 2, soft=True)[1] == pytest.approx(1.6 / 2.2)
    assert dice_per_class(truth, probabilities, 2)[1] == pytest.approx(1.0)


def test_tensor_input_returns_tensor():
    import tensorflow as tf

    scores = dice_per_class(tf.constant(MULTI_TRUTH), tf.constant(MULTI_PRED), 3)
    assert tf.is_tensor(scores)
    assert scores.numpy() == pytest.approx([0.75, 0.8, 0.8])


def test_numpy_input_returns_numpy():
    assert isinstance(dice_per_class(MULTI_TRUTH, MULTI_PRED, 3), np.ndarray)


def test_works_inside_tf_function():
    import tensorflow as tf

    compute = tf.function(lambda t, p: mean_dice(t, p, 3))
    assert float(compute(tf.constant(MULTI_TRUTH), tf.constant(MULTI_PRED))) == pytest.approx(0.8)


def test_jax_backend_when_installed():
    pytest.importorskip("jax")
    code = ("from coursekit.metrics import dice_per_class;"
            f"print(dice_per_class({MULTI_TRUTH}, {MULTI_PRED}, 3).tolist())")
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[0.75, 0.800000011920929, 0.800000011920929]"


# --- métrica de Keras ----------------------------------------------------------------------------

def test_dice_metric_accumulates_dataset_counts():
    truth = np.array([[1, 0, 0, 0], [1, 1, 0, 0]])
    probabilities = np.eye(2, dtype=np.float32)[np.array([[1, 0, 0, 0], [1, 0, 1, 1]])]
    metric = DiceMetric(num_classes=2)
    metric.update_state(truth[:1], probabilities[:1])
    metric.update_state(truth[1:], probabilities[1:])
    assert float(metric.result()) == pytest.approx(4 / 7)
    metric.reset_state()
    metric.update_state(truth[:1], probabilities[:1])
    assert float(metric.result()) == pytest.approx(1.0)


def test_dice_metric_lecture_example():
    metric = DiceMetric(num_classes=3)
    metric.update_state(np.array(MULTI_TRUTH)[None], np.eye(3)[np.array(MULTI_PRED)][None])
    assert float(metric.result()) == pytest.approx(0.8)


def test_dice_metric_sample_weight_drops_image():
    truth = np.array([[1, 0, 0, 0], [1, 1, 0, 0]])
    probabilities = np.eye(2, dtype=np.float32)[np.array([[1, 0, 0, 0], [1, 0, 1, 1]])]
    metric = DiceMetric(num_classes=2)
    metric.update_state(truth, probabilities, sample_weight=np.array([1.0, 0.0]))
    assert float(metric.result()) == pytest.approx(1.0)


def test_dice_metric_sigmoid_channel():
    truth = np.array(BINARY_TRUTH)[None, ..., None]
    probability = (np.array(BINARY_PRED, dtype=np.float32) * 0.8 + 0.1)[None, ..., None]
    metric = DiceMetric(num_classes=2)
    metric.update_state(truth, probability)
    assert float(metric.result()) == pytest.approx(0.75)


def test_dice_metric_float16_predictions():
    import tensorflow as tf

    truth = tf.ones((1, 256, 256), dtype=tf.int32)
    probabilities = tf.concat([tf.zeros((1, 256, 256, 1), tf.float16),
                               tf.ones((1, 256, 256, 1), tf.float16)], axis=-1)
    metric = DiceMetric(num_classes=2)
    metric.update_state(truth, probabilities)
    assert float(metric.result()) == 1.0


def test_dice_metric_config_round_trip():
    metric = DiceMetric(num_classes=4, classes=[1, 3], name="dice_13")
    clone = DiceMetric.from_config(metric.get_config())
    assert clone.num_classes == 4
    assert clone.classes == [1, 3]
    assert clone.name == "dice_13"


def test_dice_metric_in_compile_and_fit():
    rng = np.random.default_rng(0)
    images = rng.random((8, 8, 8, 1)).astype("float32")
    masks = (images[..., 0] > 0.5).astype("int32")
    model = keras.Sequential([keras.Input((8, 8, 1)),
                              keras.layers.Conv2D(2, 3, padding="same", activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=[DiceMetric(num_classes=2)])
    history = model.fit(images, masks, epochs=1, batch_size=4, verbose=0)
    assert 0.0 <= history.history["dice"][0] <= 1.0


# --- errores -------------------------------------------------------------------------------------

def test_rejects_shape_mismatch():
    with pytest.raises(ValueError, match="misma forma espacial"):
        dice_per_class(np.zeros((3, 3), int), np.zeros((3, 4), int), 2)


def test_rejects_rank_mismatch():
    with pytest.raises(ValueError, match="forma compatible"):
        dice_per_class(np.zeros((3, 3), int), np.zeros((1, 3, 3, 2, 1)), 2)


def test_rejects_label_above_range():
    with pytest.raises(ValueError, match="revisa `num_classes`"):
        dice_per_class([[0, 3]], [[0, 1]], 3)


def test_rejects_negative_label():
    with pytest.raises(ValueError, match="negativas"):
        dice_per_class([[0, -1]], [[0, 1]], 2)


def test_rejects_mask_scaled_to_255():
    with pytest.raises(ValueError, match="0–255"):
        dice_per_class(np.array([[0, 255]], dtype=np.uint8), [[0, 1]], 2)


def test_rejects_probability_map_scaled_to_255():
    with pytest.raises(ValueError, match="0–255"):
        dice_per_class([0, 1], np.array([[255.0, 0.0], [0.0, 255.0]]), 2)


def test_rejects_logits():
    with pytest.raises(ValueError, match="logits"):
        dice_per_class([0, 1], np.array([[2.5, -1.0], [0.3, 1.2]]), 2)


def test_rejects_non_integer_labels():
    with pytest.raises(ValueError, match="etiquetas enteras"):
        dice_per_class(np.array([[0.0, 1.5]]), [[0, 1]], 3)


def test_rejects_nan_probabilities():
    with pytest.raises(ValueError, match="sin NaN"):
        dice_per_class([0, 1], np.array([[np.nan, 0.0], [0.0, 1.0]]), 2)


def test_rejects_wrong_class_axis():
    with pytest.raises(ValueError, match="último eje de 3 clases"):
        dice_per_class(np.zeros((2, 2), int), np.zeros((2, 2, 4)), 3)


def test_rejects_channels_first_probabilities():
    probabilities = np.full((2, 3, 5, 5), 1 / 3)
    with pytest.raises(ValueError, match="moveaxis"):
        dice_per_class(np.zeros((2, 5, 5), int), probabilities, 3)


def test_rejects_single_class():
    with pytest.raises(ValueError, match="Cuenta el fondo"):
        dice_per_class([0, 1], [0, 1], 1)


def test_rejects_bad_classes():
    with pytest.raises(ValueError, match="clases distintas entre 0 y 2"):
        mean_dice(MULTI_TRUTH, MULTI_PRED, 3, classes=[1, 3])


def test_rejects_per_image_without_batch_axis():
    with pytest.raises(ValueError, match="eje de imágenes"):
        dice_per_class([0, 1, 1], [0, 1, 0], 2, per_image=True)


def test_rejects_text_undefined_value():
    with pytest.raises(TypeError, match="undefined_value"):
        dice_per_class([0, 1], [0, 1], 2, undefined_value="nan")


def test_rejects_scalar_input():
    with pytest.raises(ValueError, match="no un escalar"):
        dice_per_class(1, 1, 2)


def test_float_labels_ambiguity_reported():
    # Con num_classes=3, una verdad (3, 3) float se lee como one-hot de 3 píxeles: la forma no cuadra.
    with pytest.raises(ValueError, match="astype"):
        dice_per_class(np.array(MULTI_TRUTH, dtype=float), np.array(MULTI_PRED), 3)


def test_mean_of_all_nan_is_nan():
    assert math.isnan(mean_over_classes(np.array([np.nan, np.nan])))
