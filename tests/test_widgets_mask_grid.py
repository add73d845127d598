"""Pruebas de la rejilla editable, de sus funciones puras y de las figuras de coursekit.plots.masks."""

import math

import numpy as np
import pytest

from coursekit.plots.masks import (
    cell_outcomes,
    class_outcomes,
    explain_dice,
    plot_dice_example,
    plot_dice_vs_iou,
    plot_probability_map,
)
from coursekit.widgets.mask_grid import mask_grid, score_summary, summary_html, toggle_label

BINARY_TRUTH = [[1, 0, 0], [0, 1, 0], [1, 0, 1]]
BINARY_PRED = [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
MULTI_TRUTH = [[0, 1, 1], [0, 2, 0], [2, 0, 1]]
MULTI_PRED = [[0, 1, 0], [2, 2, 0], [2, 0, 1]]


# --- funciones puras ---------------------------------------------------------------------------

def test_toggle_binary_flips():
    toggled = toggle_label(BINARY_PRED, 1, 0, num_classes=2)
    assert toggled[1, 0] == 0
    assert toggle_label(toggled, 1, 0, num_classes=2)[1, 0] == 1


def test_toggle_multiclass_cycles():
    labels = [toggle_label([[0]], 0, 0, 3)[0, 0]]
    labels.append(toggle_label([[labels[-1]]], 0, 0, 3)[0, 0])
    labels.append(toggle_label([[labels[-1]]], 0, 0, 3)[0, 0])
    assert labels == [1, 2, 0]


def test_toggle_leaves_input_unchanged():
    original = np.array(BINARY_PRED)
    toggle_label(original, 0, 0, 2)
    assert original[0, 0] == 1


def test_toggle_rejects_cell_outside():
    with pytest.raises(ValueError, match="dentro de la máscara de 3×3"):
        toggle_label(BINARY_PRED, 3, 0, 2)


def test_class_outcomes_binary_example():
    outcomes = class_outcomes(BINARY_TRUTH, BINARY_PRED, class_id=1)
    assert outcomes.tolist() == [["VP", "VN", "VN"], ["FP", "VP", "VN"], ["FN", "VN", "VP"]]


def test_cell_outcomes_confusion_between_classes():
    outcomes = cell_outcomes([[1, 0, 2, 0]], [[2, 1, 2, 0]])
    assert outcomes.tolist() == [["FP+FN", "FP", "VP", "VN"]]


def test_explain_binary_example():
    assert explain_dice(BINARY_TRUTH, BINARY_PRED, 2) == (
        "Clase 1: VP = 3, FP = 1, FN = 1; |G| = VP + FN = 4, |P| = VP + FP = 4\n"
        "  DSC = 2·3 / (4 + 4) = 6/8 = 0.75\n"
        "Media de las clases [1]: 0.75")


def test_explain_multiclass_example():
    text = explain_dice(MULTI_TRUTH, MULTI_PRED, 3)
    assert "DSC = 2·2 / (3 + 2) = 4/5 = 0.8" in text
    assert "DSC = 2·2 / (2 + 3) = 4/5 = 0.8" in text
    assert text.endswith("Media de las clases [1, 2]: (0.8 + 0.8) / 2 = 0.8")


def test_explain_marks_undefined_class():
    text = explain_dice([[0, 1]], [[0, 1]], 3)
    assert "0/0: indefinido, fuera de la media" in text
    assert text.endswith("Media de las clases [1, 2]: 1")


def test_explain_rejects_bad_class():
    with pytest.raises(ValueError, match="clases entre 0 y 1"):
        explain_dice(BINARY_TRUTH, BINARY_PRED, 2, classes=[2])


def test_explain_rejects_label_outside_range():
    with pytest.raises(ValueError, match="num_classes"):
        explain_dice([[0, 3]], [[0, 1]], 3)


def test_explain_rejects_batch():
    with pytest.raises(ValueError, match="máscara 2D"):
        explain_dice(np.zeros((2, 3, 3), int), np.zeros((2, 3, 3), int), 2)


def test_score_summary_multiclass():
    summary = score_summary(MULTI_TRUTH, MULTI_PRED, 3)
    assert summary["dice"][1:] == pytest.approx([0.8, 0.8])
    assert summary["mean_dice"] == pytest.approx(0.8)
    assert summary["mean_iou"] == pytest.approx(2 / 3)


def test_score_summary_undefined_is_nan():
    summary = score_summary([[0, 1]], [[0, 1]], 3)
    assert math.isnan(summary["dice"][2])
    assert summary["mean_dice"] == 1.0
    assert "indefinido" in summary_html(summary)


# --- control --------------------------------------------------------------------------------

def test_mask_grid_click_updates_scores():
    widget = mask_grid(MULTI_TRUTH, MULTI_PRED, num_classes=3)
    assert "0.800" in widget.scores.value
    widget.buttons[0][2].click()  # la celda (0, 2) pasa de 0 a 1: la clase 1 queda perfecta.
    assert widget.prediction[0, 2] == 1
    assert widget.buttons[0][2].description == "1"
    assert "<td>Clase 1</td><td>1.000</td>" in widget.scores.value
    assert "<td>Media</td><td>0.900</td>" in widget.scores.value
    assert "(1 + 0.8) / 2 = 0.9" in widget.steps.value


def test_mask_grid_colours_follow_outcomes():
    widget = mask_grid(BINARY_TRUTH, BINARY_PRED, num_classes=2)
    assert widget.buttons[0][0].style.button_color == "#2e7d32"
    assert widget.buttons[1][0].style.button_color == "#ef6c00"
    assert widget.buttons[2][0].style.button_color == "#1565c0"


def test_mask_grid_reset_restores_prediction():
    widget = mask_grid(BINARY_TRUTH, BINARY_PRED, num_classes=2)
    widget.buttons[1][0].click()  # quita el falso positivo: 2·3 / (4 + 3) = 6/7.
    assert "<td>Clase 1</td><td>0.857</td>" in widget.scores.value
    reset = widget.children[2]
    reset.click()
    assert widget.prediction.tolist() == BINARY_PRED
    assert "0.750" in widget.scores.value


def test_mask_grid_rejects_shape_mismatch():
    with pytest.raises(ValueError, match="la forma de `y_true`"):
        mask_grid(BINARY_TRUTH, [[1, 0]], num_classes=2)


# --- figuras -------------------------------------------------------------------------------

def test_plot_dice_example_titles():
    fig = plot_dice_example(MULTI_TRUTH, MULTI_PRED, num_classes=3)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["Verdad de referencia", "Predicción", "Clase 1: DSC = 0.8",
                      "Clase 2: DSC = 0.8"]


def test_plot_dice_example_hides_solution():
    fig = plot_dice_example(BINARY_TRUTH, BINARY_PRED, num_classes=2, show_outcomes=False)
    assert [ax.get_title() for ax in fig.axes] == ["Verdad de referencia", "Predicción"]


def test_plot_dice_example_undefined_title():
    fig = plot_dice_example([[0, 1]], [[0, 1]], num_classes=3)
    assert fig.axes[3].get_title() == "Clase 2: DSC = indefinido"


def test_plot_dice_vs_iou_and_probability_map():
    fig = plot_dice_vs_iou([0.5], [2 / 3])
    assert fig.axes[0].get_xlabel() == "IoU"
    probability = np.linspace(0, 1, 16).reshape(4, 4)
    fig = plot_probability_map(probability, (probability > 0.5).astype(int))
    assert fig.axes[1].get_title() == "Predicción con umbral 0.5"


def test_plot_probability_map_rejects_shape():
    with pytest.raises(ValueError, match="la forma de `y_true`"):
        plot_probability_map(np.zeros((4, 4)), np.zeros((3, 3), int))
