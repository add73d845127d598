"""Máscaras pequeñas como rejillas de colores, con VP/FP/FN marcados, y la aritmética del Dice.

Abreviaturas (las de la clase, en español): VP verdadero positivo, FP falso positivo, FN falso
negativo, VN verdadero negativo. Para una clase ``c`` y un píxel con verdad ``g`` y predicción ``p``:
VP si ``g == p == c``, FP si ``p == c != g``, FN si ``g == c != p`` y VN en otro caso.

Solo usa NumPy y Matplotlib: dibujar no importa TensorFlow. Cada figura se devuelve cerrada en
``pyplot``, así que en un cuaderno se muestra una vez si es la última expresión de la celda.
"""

from __future__ import annotations

from fractions import Fraction

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from coursekit._errors import check_positive_int, invalid_value
from coursekit.plots.curves import CLASSROOM_STYLE

# Colores de los resultados de un píxel: verde = acierto, naranja = sobra, azul = falta.
OUTCOME_COLORS = {"VP": "#2e7d32", "FP": "#ef6c00", "FN": "#1565c0", "VN": "#eeeeee",
                  "FP+FN": "#8e24aa"}
OUTCOME_NAMES = {"VP": "verdadero positivo", "FP": "falso positivo", "FN": "falso negativo",
                 "VN": "verdadero negativo", "FP+FN": "FP de una clase y FN de otra"}
# Clase 0 (fondo) en gris claro; las demás con colores que se distinguen proyectados.
CLASS_COLORS = ["#e0e0e0", "#fdd835", "#4fc3f7", "#e57373", "#81c784", "#ba68c8", "#ffb74d",
                "#90a4ae"]


def _label_map(name: str, values, num_classes: int | None = None) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.size == 0:
        raise invalid_value(name, values, "una máscara 2D de etiquetas enteras (filas × columnas)",
                            "Para una sola fila usa [[...]]; para un lote, elige una imagen: x[0].")
    if not np.all(array == np.round(array)) or array.min() < 0:
        raise invalid_value(name, values, "etiquetas enteras ≥ 0")
    if num_classes is not None and array.max() >= num_classes:
        raise invalid_value(name, values, f"etiquetas entre 0 y {num_classes - 1}",
                            "Revisa `num_classes` (cuenta el fondo).")
    return array.astype(int)


def _pair(y_true, y_pred, num_classes=None):
    truth = _label_map("y_true", y_true, num_classes)
    prediction = _label_map("y_pred", y_pred, num_classes)
    if truth.shape != prediction.shape:
        raise invalid_value("y_pred", y_pred, f"la forma de `y_true` {truth.shape}")
    return truth, prediction


def class_outcomes(y_true, y_pred, class_id: int) -> np.ndarray:
    """Devuelve una matriz de textos ``"VP"``, ``"FP"``, ``"FN"`` o ``"VN"`` para la clase ``class_id``.

    Ejemplo::

        >>> class_outcomes([[1, 0]], [[1, 1]], class_id=1).tolist()
        [['VP', 'FP']]
    """
    truth, prediction = _pair(y_true, y_pred)
    in_truth = truth == class_id
    in_prediction = prediction == class_id
    outcomes = np.full(truth.shape, "VN", dtype=object)
    outcomes[in_truth & in_prediction] = "VP"
    outcomes[~in_truth & in_prediction] = "FP"
    outcomes[in_truth & ~in_prediction] = "FN"
    return outcomes


def cell_outcomes(y_true, y_pred, background: int = 0) -> np.ndarray:
    """Resume cada píxel de una máscara multiclase: ``"VP"``, ``"VN"``, ``"FP"``, ``"FN"`` o ``"FP+FN"``.

    ``"VN"`` es fondo acertado, ``"FP"`` una clase predicha sobre fondo y ``"FN"`` una clase no
    detectada (predicha como fondo). ``"FP+FN"`` es una clase confundida con otra: cuenta como FP
    de la predicha y como FN de la verdadera.
    """
    truth, prediction = _pair(y_true, y_pred)
    outcomes = np.full(truth.shape, "FP+FN", dtype=object)
    outcomes[truth == prediction] = "VP"
    outcomes[(truth == prediction) & (truth == background)] = "VN"
    outcomes[(truth == background) & (prediction != background)] = "FP"
    outcomes[(truth != background) & (prediction == background)] = "FN"
    return outcomes


def _chosen_classes(classes, num_classes: int) -> list[int]:
    if classes is None:
        return list(range(1, num_classes))
    chosen = [classes] if isinstance(classes, (int, np.integer)) else list(classes)
    if not chosen or not all(isinstance(c, (int, np.integer)) and 0 <= c < num_classes
                             for c in chosen):
        raise invalid_value("classes", classes, f"una lista de clases entre 0 y {num_classes - 1}")
    return [int(c) for c in chosen]


def _format(value: float) -> str:
    return f"{value:.4g}"


def explain_dice(y_true, y_pred, num_classes: int, classes=None) -> str:
    """Escribe paso a paso el Dice de cada clase elegida y su media, como en la pizarra.

    ``classes=None`` elige todas las clases salvo la 0 (el fondo). Las clases sin píxeles en la
    verdad ni en la predicción se marcan como indefinidas y quedan fuera de la media, la misma
    política que ``coursekit.metrics``. Se calcula con NumPy, sin TensorFlow.

    Ejemplo (el binario de la clase)::

        >>> print(explain_dice([[1, 0, 0], [0, 1, 0], [1, 0, 1]],
        ...                    [[1, 0, 0], [1, 1, 0], [0, 0, 1]], num_classes=2))
        Clase 1: VP = 3, FP = 1, FN = 1; |G| = VP + FN = 4, |P| = VP + FP = 4
          DSC = 2·3 / (4 + 4) = 6/8 = 0.75
        Media de las clases [1]: 0.75
    """
    num_classes = check_positive_int("num_classes", num_classes, minimum=2)
    truth, prediction = _pair(y_true, y_pred, num_classes)
    chosen = _chosen_classes(classes, num_classes)
    lines, defined = [], []
    for class_id in chosen:
        outcomes = class_outcomes(truth, prediction, class_id)
        tp, fp, fn = (int(np.sum(outcomes == kind)) for kind in ("VP", "FP", "FN"))
        size_truth, size_prediction = tp + fn, tp + fp
        lines.append(f"Clase {class_id}: VP = {tp}, FP = {fp}, FN = {fn}; "
                     f"|G| = VP + FN = {size_truth}, |P| = VP + FP = {size_prediction}")
        denominator = size_truth + size_prediction
        if denominator == 0:
            lines.append("  DSC = 2·0 / (0 + 0) = 0/0: indefinido, fuera de la media")
            continue
        value = Fraction(2 * tp, denominator)
        defined.append(value)
        lines.append(f"  DSC = 2·{tp} / ({size_truth} + {size_prediction}) = "
                     f"{2 * tp}/{denominator} = {_format(float(value))}")
    if not defined:
        lines.append(f"Media de las clases {chosen}: indefinida (ninguna clase definida)")
    elif len(defined) == 1:
        lines.append(f"Media de las clases {chosen}: {_format(float(defined[0]))}")
    else:
        terms = " + ".join(_format(float(v)) for v in defined)
        mean = float(sum(defined) / len(defined))
        lines.append(f"Media de las clases {chosen}: ({terms}) / {len(defined)} = {_format(mean)}")
    return "\n".join(lines)


def _draw_grid(ax, colors: np.ndarray, texts: np.ndarray, title: str) -> None:
    rows, cols = texts.shape
    for r in range(rows):
        for c in range(cols):
            ax.add_patch(plt.Rectangle((c, r), 1, 1, facecolor=colors[r, c], edgecolor="white",
                                       linewidth=3))
            dark = colors[r, c] in (OUTCOME_COLORS["VP"], OUTCOME_COLORS["FN"],
                                    OUTCOME_COLORS["FP+FN"], OUTCOME_COLORS["FP"])
            ax.text(c + 0.5, r + 0.5, texts[r, c], ha="center", va="center",
                    color="white" if dark else "black", fontsize=16, fontweight="bold")
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)


def plot_dice_example(y_true, y_pred, num_classes: int, classes=None, show_outcomes: bool = True):
    """Dibuja verdad, predicción y, por cada clase elegida, sus VP/FP/FN con el Dice en el título.

    Pensada para máscaras pequeñas (hasta unas 12×12 celdas), con el número de clase escrito en
    cada celda. ``classes=None`` elige todas las clases salvo el fondo. Con
    ``show_outcomes=False`` dibuja solo verdad y predicción, sin la solución (para ejercicios).
    """
    num_classes = check_positive_int("num_classes", num_classes, minimum=2)
    truth, prediction = _pair(y_true, y_pred, num_classes)
    chosen = _chosen_classes(classes, num_classes) if show_outcomes else []
    palette = np.array(CLASS_COLORS * (num_classes // len(CLASS_COLORS) + 1), dtype=object)
    panels = 2 + len(chosen)
    side = 3.6 * max(1.0, truth.shape[1] / 4)
    with matplotlib.rc_context(CLASSROOM_STYLE):
        fig, axes = plt.subplots(1, panels, figsize=(side * panels, side + 1.2), squeeze=False)
        axes = axes[0]
        _draw_grid(axes[0], palette[truth], truth.astype(str), "Verdad de referencia")
        _draw_grid(axes[1], palette[prediction], prediction.astype(str), "Predicción")
        for ax, class_id in zip(axes[2:], chosen):
            outcomes = class_outcomes(truth, prediction, class_id)
            colors = np.vectorize(OUTCOME_COLORS.get, otypes=[object])(outcomes)
            texts = np.where(outcomes == "VN", "", outcomes)
            tp, fp, fn = (int(np.sum(outcomes == kind)) for kind in ("VP", "FP", "FN"))
            score = "indefinido" if 2 * tp + fp + fn == 0 else _format(2 * tp / (2 * tp + fp + fn))
            _draw_grid(ax, colors, texts, f"Clase {class_id}: DSC = {score}")
        if chosen:
            handles = [Patch(color=OUTCOME_COLORS[k], label=f"{k}: {OUTCOME_NAMES[k]}")
                       for k in ("VP", "FP", "FN")]
            fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False)
        fig.tight_layout(rect=(0, 0.1 if chosen else 0, 1, 1))
    plt.close(fig)
    return fig


def plot_dice_vs_iou(iou_values=None, dice_values=None):
    """Dibuja la curva Dice = 2·IoU / (1 + IoU) y, si se dan, puntos medidos encima."""
    grid = np.linspace(0, 1, 101)
    with matplotlib.rc_context(CLASSROOM_STYLE):
        fig, ax = plt.subplots(figsize=(7, 6))
        ax.plot(grid, 2 * grid / (1 + grid), label="Dice = 2·IoU / (1 + IoU)")
        ax.plot(grid, grid, linestyle="--", color="grey", label="Dice = IoU")
        if iou_values is not None:
            ax.scatter(np.ravel(iou_values), np.ravel(dice_values), color="#ef6c00", zorder=3,
                       label="máscaras aleatorias")
        ax.set_xlabel("IoU")
        ax.set_ylabel("Dice")
        ax.set_title("Dice frente a IoU")
        ax.legend(loc="lower right")
        fig.tight_layout()
    plt.close(fig)
    return fig


def plot_probability_map(probability, y_true, threshold: float = 0.5):
    """Dibuja la probabilidad de la clase 1, la máscara tras el umbral y la verdad de referencia."""
    probability = np.asarray(probability, dtype=float)
    truth = _label_map("y_true", y_true)
    if probability.shape != truth.shape:
        raise invalid_value("probability", probability, f"la forma de `y_true` {truth.shape}")
    with matplotlib.rc_context(CLASSROOM_STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(15, 5.2))
        image = axes[0].imshow(probability, cmap="viridis", vmin=0, vmax=1)
        fig.colorbar(image, ax=axes[0], fraction=0.046)
        axes[0].set_title("Probabilidad de la clase 1")
        binary = ListedColormap([CLASS_COLORS[0], CLASS_COLORS[1]])
        axes[1].imshow(probability > threshold, cmap=binary, vmin=0, vmax=1)
        axes[1].set_title(f"Predicción con umbral {threshold:g}")
        axes[2].imshow(truth, cmap=binary, vmin=0, vmax=1)
        axes[2].set_title("Verdad de referencia")
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        fig.tight_layout()
    plt.close(fig)
    return fig
