"""Rejilla editable de una máscara predicha: un clic cambia la etiqueta y el Dice se recalcula.

La parte interactiva solo envuelve funciones puras que se prueban aparte: :func:`toggle_label`
(la nueva predicción tras un clic) y :func:`score_summary` (Dice e IoU por clase y sus medias,
calculados con ``coursekit.metrics``, los mismos números que el resto del curso).
"""

from __future__ import annotations

import html
import math
import warnings

import numpy as np

from coursekit._errors import check_positive_int, invalid_value
from coursekit.plots.masks import (
    CLASS_COLORS,
    OUTCOME_COLORS,
    OUTCOME_NAMES,
    _chosen_classes,
    _pair,
    cell_outcomes,
    explain_dice,
)

CELL_SIZE = "52px"


def toggle_label(y_pred, row: int, col: int, num_classes: int) -> np.ndarray:
    """Devuelve una copia de ``y_pred`` con la etiqueta de la celda ``(row, col)`` avanzada en uno.

    Las etiquetas dan la vuelta: con 2 clases alterna 0 ↔ 1; con 3 recorre 0 → 1 → 2 → 0.
    """
    num_classes = check_positive_int("num_classes", num_classes, minimum=2)
    prediction = np.array(y_pred, dtype=int)
    if prediction.ndim != 2:
        raise invalid_value("y_pred", y_pred, "una máscara 2D de etiquetas")
    rows, cols = prediction.shape
    if not (0 <= row < rows and 0 <= col < cols):
        raise invalid_value("(row, col)", (row, col),
                            f"una celda dentro de la máscara de {rows}×{cols}")
    prediction[row, col] = (prediction[row, col] + 1) % num_classes
    return prediction


def score_summary(y_true, y_pred, num_classes: int, classes=None) -> dict:
    """Calcula Dice e IoU por clase y sus medias sobre ``classes`` (por defecto, sin el fondo).

    Devuelve ``{"dice": [...], "iou": [...], "mean_dice": x, "mean_iou": y, "classes": [...]}``
    con floats de Python y NaN en las clases indefinidas (sin avisos: la tabla ya lo muestra).
    """
    from coursekit.metrics import DiceUndefinedWarning, dice_per_class, iou_per_class, \
        mean_over_classes

    num_classes = check_positive_int("num_classes", num_classes, minimum=2)
    truth, prediction = _pair(y_true, y_pred, num_classes)
    chosen = _chosen_classes(classes, num_classes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DiceUndefinedWarning)
        dice = dice_per_class(truth, prediction, num_classes)
        iou = iou_per_class(truth, prediction, num_classes)
    return {"dice": [float(v) for v in dice], "iou": [float(v) for v in iou],
            "mean_dice": float(mean_over_classes(dice, chosen)),
            "mean_iou": float(mean_over_classes(iou, chosen)), "classes": chosen}


def _cell(value: float) -> str:
    return "indefinido" if math.isnan(value) else f"{value:.3f}"


def summary_html(summary: dict) -> str:
    """Convierte el resultado de :func:`score_summary` en una tabla HTML."""
    rows = "".join(
        f"<tr><td>Clase {c}</td><td>{_cell(summary['dice'][c])}</td>"
        f"<td>{_cell(summary['iou'][c])}</td></tr>" for c in summary["classes"])
    mean = (f"<tr style='font-weight:bold'><td>Media</td><td>{_cell(summary['mean_dice'])}</td>"
            f"<td>{_cell(summary['mean_iou'])}</td></tr>")
    return ("<table class='coursekit-scores' style='font-size:16px;border-collapse:collapse'>"
            "<tr><th style='padding:0 12px'>Clase</th><th style='padding:0 12px'>Dice</th>"
            f"<th style='padding:0 12px'>IoU</th></tr>{rows}{mean}</table>")


def _truth_html(truth: np.ndarray) -> str:
    cells = "".join(
        "<tr>" + "".join(
            f"<td style='width:{CELL_SIZE};height:{CELL_SIZE};text-align:center;font-size:18px;"
            f"font-weight:bold;border:2px solid white;background:"
            f"{CLASS_COLORS[label % len(CLASS_COLORS)]}'>{label}</td>" for label in row) + "</tr>"
        for row in truth)
    return f"<table style='border-collapse:collapse'>{cells}</table>"


def _legend_html() -> str:
    items = "".join(
        f"<span style='background:{OUTCOME_COLORS[k]};color:{'black' if k == 'VN' else 'white'};"
        f"padding:2px 8px;margin-right:6px'>{k}: {OUTCOME_NAMES[k]}</span>"
        for k in ("VP", "FP", "FN", "FP+FN", "VN"))
    return f"<div style='font-size:14px'>{items}</div>"


def mask_grid(y_true, y_pred, num_classes: int, classes=None):
    """Crea el control: verdad fija a la izquierda, predicción editable y tabla de Dice/IoU.

    Cada celda de la predicción es un botón con su etiqueta, coloreado según el resultado del
    píxel (VP, FP, FN...). Un clic avanza la etiqueta y actualiza colores, tabla y aritmética.
    El ``VBox`` devuelto expone ``prediction`` (la máscara actual), ``buttons`` (filas de
    botones), ``scores`` y ``steps`` (los HTML de la tabla y de la aritmética) para las pruebas.
    """
    import ipywidgets as widgets

    num_classes = check_positive_int("num_classes", num_classes, minimum=2)
    truth, start = _pair(y_true, y_pred, num_classes)
    chosen = _chosen_classes(classes, num_classes)
    rows, cols = truth.shape
    scores = widgets.HTML()
    steps = widgets.HTML()
    buttons = [[widgets.Button(layout=widgets.Layout(width=CELL_SIZE, height=CELL_SIZE))
                for _ in range(cols)] for _ in range(rows)]
    reset = widgets.Button(description="Restablecer", icon="undo")
    grid = widgets.GridBox([b for line in buttons for b in line], layout=widgets.Layout(
        grid_template_columns=f"repeat({cols}, {CELL_SIZE})", grid_gap="2px"))
    box = widgets.VBox([
        widgets.HBox([
            widgets.VBox([widgets.HTML("<b>Verdad de referencia</b>"),
                          widgets.HTML(_truth_html(truth))]),
            widgets.VBox([widgets.HTML("<b>Predicción</b> (un clic cambia la etiqueta)"), grid]),
            widgets.VBox([widgets.HTML("<b>Resultado</b>"), scores]),
        ], layout=widgets.Layout(grid_gap="24px")),
        widgets.HTML(_legend_html()), reset, steps])
    box.buttons = buttons
    box.scores = scores
    box.steps = steps

    def refresh(prediction: np.ndarray) -> None:
        box.prediction = prediction
        outcomes = cell_outcomes(truth, prediction)
        for r in range(rows):
            for c in range(cols):
                button = buttons[r][c]
                button.description = str(prediction[r, c])
                button.style.button_color = OUTCOME_COLORS[outcomes[r, c]]
                button.style.text_color = "black" if outcomes[r, c] == "VN" else "white"
                button.style.font_weight = "bold"
                button.style.font_size = "18px"
                button.tooltip = (f"fila {r}, columna {c}: verdad {truth[r, c]}, predicción "
                                  f"{prediction[r, c]} ({outcomes[r, c]})")
        scores.value = summary_html(score_summary(truth, prediction, num_classes, chosen))
        steps.value = f"<pre style='font-size:14px'>{html.escape(explain_dice(truth, prediction, num_classes, chosen))}</pre>"

    def on_cell(r: int, c: int):
        return lambda _button: refresh(toggle_label(box.prediction, r, c, num_classes))

    for r in range(rows):
        for c in range(cols):
            buttons[r][c].on_click(on_cell(r, c))
    reset.on_click(lambda _button: refresh(start.copy()))
    refresh(start.copy())
    return box
