"""Figuras de segmentación: imagen, verdad de referencia, predicción y errores superpuestos.

Colores de las clases: fondo transparente, núcleo (clase 1) verde, borde (clase 2) naranja y, para
más clases, los siguientes de ``tab10``. En el panel de errores, verde = acierto de primer plano,
rojo = falso positivo (se predijo primer plano donde hay fondo), azul = falso negativo.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap, to_rgba

from coursekit._errors import invalid_value

_CLASS_COLORS = ["#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
_ERROR_COLORS = {"acierto": "#2ca02c", "falso positivo": "#d62728", "falso negativo": "#1f77b4"}


def class_colormap(num_classes: int) -> ListedColormap:
    """Devuelve un mapa de colores con el fondo transparente y un color por clase de primer plano."""
    if num_classes - 1 > len(_CLASS_COLORS):
        raise invalid_value("num_classes", num_classes, f"como mucho {len(_CLASS_COLORS) + 1} clases")
    colors = [(0.0, 0.0, 0.0, 0.0)] + [to_rgba(c) for c in _CLASS_COLORS[:num_classes - 1]]
    return ListedColormap(colors)


def error_map(truth, prediction) -> np.ndarray:
    """Clasifica cada píxel: 0 = fondo bien predicho, 1 = acierto, 2 = falso positivo, 3 = falso negativo.

    Compara primer plano (cualquier clase > 0) contra fondo; con 3 clases, un píxel de núcleo
    predicho como borde cuenta como acierto de primer plano.
    """
    truth = np.asarray(truth) > 0
    prediction = np.asarray(prediction) > 0
    if truth.shape != prediction.shape:
        raise invalid_value("prediction", prediction, f"la forma de la verdad, {truth.shape}",
                            "Recorta la verdad al tamaño de la salida si la red usa padding='valid'.")
    out = np.zeros(truth.shape, dtype=np.uint8)
    out[truth & prediction] = 1
    out[~truth & prediction] = 2
    out[truth & ~prediction] = 3
    return out


def _show_image(ax, image, title):
    ax.imshow(np.squeeze(image), cmap="gray")
    ax.set_title(title)
    ax.set_axis_off()


def _show_mask(ax, image, mask, num_classes, title, alpha=0.6):
    ax.imshow(np.squeeze(image), cmap="gray")
    artist = ax.imshow(np.squeeze(mask), cmap=class_colormap(num_classes), vmin=-0.5,
                       vmax=num_classes - 0.5, alpha=alpha, interpolation="nearest")
    ax.set_title(title)
    ax.set_axis_off()
    return artist


def plot_segmentation(image, truth, prediction=None, num_classes: int = 2, class_names=None,
                      title: str | None = None, errors: bool = True, size: float = 3.6,
                      prediction_title: str = "Predicción"):
    """Dibuja imagen, verdad de referencia, predicción y (si ``errors``) el mapa de errores.

    ``image`` es 2-D o (alto, ancho, 1); ``truth`` y ``prediction`` son mapas de etiquetas de la
    misma forma. ``size`` es el ancho de cada panel en pulgadas. Devuelve la figura de Matplotlib.
    """
    image = np.squeeze(np.asarray(image))
    truth = np.asarray(truth)
    if image.shape[:2] != truth.shape[:2]:
        raise invalid_value("truth", truth, f"el alto y ancho de la imagen, {image.shape[:2]}")
    panels = 2 if prediction is None else (4 if errors else 3)
    aspect = image.shape[0] / image.shape[1]
    fig, axes = plt.subplots(1, panels, figsize=(size * panels, size * aspect + 1.0),
                             layout="constrained")
    _show_image(axes[0], image, "Imagen")
    _show_mask(axes[1], image, truth, num_classes, "Verdad de referencia")
    handles = _class_handles(num_classes, class_names)
    if prediction is not None:
        _show_mask(axes[2], image, prediction, num_classes, prediction_title)
        if errors:
            _show_errors(axes[3], image, truth, prediction)
            handles += [plt.Line2D([], [], marker="s", linestyle="", color=c, label=n)
                        for n, c in _ERROR_COLORS.items()]
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles),
                   fontsize="small", frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def _show_errors(ax, image, truth, prediction):
    colors = [(0, 0, 0, 0)] + [to_rgba(c) for c in _ERROR_COLORS.values()]
    ax.imshow(image, cmap="gray")
    ax.imshow(error_map(truth, prediction), cmap=ListedColormap(colors), vmin=-0.5, vmax=3.5,
              alpha=0.6, interpolation="nearest")
    ax.set_title("Errores")
    ax.set_axis_off()


def _class_handles(num_classes, class_names) -> list:
    if class_names is None:
        return []
    return [plt.Line2D([], [], marker="s", linestyle="", color=_CLASS_COLORS[i - 1],
                       label=class_names[i]) for i in range(1, num_classes)]


def preview_figure(image, truth, num_classes: int = 2, size: float = 3.0):
    """Prepara la figura de la vista previa en vivo y devuelve ``(fig, update)``.

    ``update(prediction, title)`` cambia solo los datos del panel de predicción y el título, para
    redibujar la misma figura en cada época en lugar de añadir una nueva.
    """
    image = np.squeeze(np.asarray(image))
    fig, axes = plt.subplots(1, 3, figsize=(3 * size, size + 0.5))
    _show_image(axes[0], image, "Imagen (reservada)")
    _show_mask(axes[1], image, truth, num_classes, "Verdad de referencia")
    artist = _show_mask(axes[2], image, np.zeros_like(truth), num_classes, "Predicción")
    heading = fig.suptitle("Antes de entrenar")
    fig.tight_layout()

    def update(prediction, title: str) -> None:
        artist.set_data(np.squeeze(prediction))
        heading.set_text(title)
        fig.canvas.draw_idle()

    return fig, update


def plot_tiles(image, rows, cols, tile_size: int, title: str = "Teselas con solapamiento"):
    """Dibuja la imagen con el contorno de cada tesela (``rows`` y ``cols`` son sus orígenes)."""
    fig, ax = plt.subplots(figsize=(5, 5 * np.shape(image)[0] / np.shape(image)[1]))
    _show_image(ax, image, title)
    for index, (r, c) in enumerate((r, c) for r in rows for c in cols):
        color = plt.cm.tab10(index % 10)
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), tile_size, tile_size, fill=False,
                                   edgecolor=color, linewidth=1.5))
    fig.tight_layout()
    return fig


def plot_memory(table, title: str = "Memoria de activaciones por imagen"):
    """Dibuja la memoria de activaciones (MiB) frente al lado de la imagen, en ejes log-log.

    ``table`` es la lista de diccionarios de :func:`coursekit.segmentation.memory_table`.
    """
    sides = [row["side"] for row in table]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(sides, [row["activations_mib"] for row in table], "o-", label="activaciones (1 imagen)")
    ax.loglog(sides, [row["weights_mib"] for row in table], "s--", label="pesos")
    ax.set_xticks(sides, [str(s) for s in sides])
    ax.minorticks_off()
    ax.set_xlabel("lado de la imagen (píxeles)")
    ax.set_ylabel("memoria (MiB)")
    ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_scores(names, scores, ylabel: str = "Dice de primer plano (zona reservada)",
                title: str = "Comparación con el mismo presupuesto"):
    """Dibuja un diagrama de barras con una puntuación por nombre (p. ej. por pérdida)."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    bars = ax.bar(list(names), list(scores), color=_CLASS_COLORS[:len(names)])
    ax.bar_label(bars, fmt="%.3f")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.tight_layout()
    return fig
