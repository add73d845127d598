"""Curvas de aprendizaje, matriz de confusión y rejilla de ejemplos mal clasificados.

Las figuras llevan títulos y ejes en español y letra grande, para leerse proyectadas desde el fondo
del aula. Cada función devuelve la figura de Matplotlib ya cerrada en ``pyplot``: en un cuaderno se
muestra una sola vez si es la última expresión de la celda, y en un script se guarda con
``fig.savefig(...)``.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from coursekit._errors import invalid_value

# Tamaños pensados para un proyector: el texto más pequeño mide 13 puntos.
CLASSROOM_STYLE = {
    "font.size": 15,
    "axes.titlesize": 18,
    "axes.labelsize": 16,
    "xtick.labelsize": 14,
    "ytick.labelsize": 14,
    "legend.fontsize": 14,
    "lines.linewidth": 2.5,
    "lines.markersize": 7,
}
_TITLES = {"loss": "Pérdida", "accuracy": "Exactitud", "sparse_categorical_accuracy": "Exactitud",
           "categorical_accuracy": "Exactitud"}


def _history_dict(history) -> dict[str, list[float]]:
    """Acepta un ``TrainingHistory``, un ``keras.callbacks.History`` o un diccionario de listas."""
    if hasattr(history, "metrics") and isinstance(history.metrics, dict):
        return history.metrics
    if hasattr(history, "history") and isinstance(history.history, dict):
        return history.history
    if isinstance(history, dict):
        return history
    raise invalid_value("history", history, "un TrainingHistory, un keras History o un dict de listas",
                        error=TypeError)


def plot_history(history, metrics=None, figsize=None):
    """Dibuja una gráfica por métrica (pérdida, exactitud...) con entrenamiento y validación.

    Args:
        history: resultado de ``coursekit.training.train`` (o de ``model.fit``, o un dict).
        metrics: nombres base a dibujar (``["loss", "accuracy"]``); por defecto, todos los que haya.
        figsize: tamaño en pulgadas; por defecto 7 de ancho por gráfica.
    """
    values = _history_dict(history)
    if metrics is None:
        metrics = sorted((name for name in values if not name.startswith("val_") and name != "learning_rate"),
                         key=lambda name: name != "loss")
    missing = [name for name in metrics if name not in values]
    if missing or not metrics:
        raise invalid_value("metrics", metrics, "métricas del historial: " + ", ".join(values),
                            "Entrena al menos una época antes de dibujar.")
    with matplotlib.rc_context(CLASSROOM_STYLE):
        fig, axes = plt.subplots(1, len(metrics), figsize=figsize or (7 * len(metrics), 5), squeeze=False)
        for ax, name in zip(axes[0], metrics):
            epochs = np.arange(1, len(values[name]) + 1)
            ax.plot(epochs, values[name], marker="o", label="entrenamiento")
            if f"val_{name}" in values:
                ax.plot(epochs, values[f"val_{name}"], marker="s", linestyle="--", label="validación")
            title = _TITLES.get(name, name)
            ax.set_title(title)
            ax.set_xlabel("época")
            ax.set_ylabel(title.lower())
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
            ax.grid(alpha=0.3)
            ax.legend()
        fig.tight_layout()
    plt.close(fig)
    return fig


def plot_confusion_matrix(matrix, class_names=None, normalize: bool = False, title: str | None = None):
    """Dibuja una matriz de confusión: filas = clase real, columnas = clase predicha.

    Con ``normalize=True`` cada fila se divide por su total (la diagonal es la sensibilidad).
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise invalid_value("matrix", matrix, "una matriz cuadrada (clases, clases)")
    size = matrix.shape[0]
    names = [str(i) for i in range(size)] if class_names is None else list(class_names)
    if len(names) != size:
        raise invalid_value("class_names", class_names, f"{size} nombres, uno por fila")
    shown = matrix.astype(float)
    if normalize:
        totals = shown.sum(axis=1, keepdims=True)
        shown = np.divide(shown, totals, out=np.zeros_like(shown), where=totals > 0)
    with matplotlib.rc_context(CLASSROOM_STYLE):
        side = max(6.0, 0.65 * size + 3)
        fig, ax = plt.subplots(figsize=(side + 1, side))
        image = ax.imshow(shown, cmap="Blues")
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        ax.set_xticks(range(size), names)
        ax.set_yticks(range(size), names)
        ax.set_xlabel("clase predicha")
        ax.set_ylabel("clase real")
        ax.set_title(title or ("Matriz de confusión (proporción por fila)" if normalize else "Matriz de confusión"))
        threshold = shown.max() / 2 if shown.size else 0
        font = 13 if size <= 10 else 9
        for i in range(size):
            for j in range(size):
                text = f"{shown[i, j]:.2f}" if normalize else f"{int(matrix[i, j])}"
                ax.text(j, i, text, ha="center", va="center", fontsize=font,
                        color="white" if shown[i, j] > threshold else "black")
        fig.tight_layout()
    plt.close(fig)
    return fig


def plot_misclassified(images, y_true, y_pred, indices, probabilities=None, class_names=None, ncols: int = 6):
    """Dibuja una rejilla de imágenes mal clasificadas con «real: 3 · predicho: 5».

    ``indices`` elige qué imágenes mostrar (p. ej. ``evaluation.misclassified_indices()[:12]``). Con
    ``probabilities`` se añade la confianza de la predicción.
    """
    images = np.asarray(images)
    indices = np.asarray(indices, dtype=np.int64)
    names = class_names if class_names is not None else [str(i) for i in range(int(max(np.max(y_true), np.max(y_pred))) + 1)]
    with matplotlib.rc_context(CLASSROOM_STYLE):
        if len(indices) == 0:
            fig, ax = plt.subplots(figsize=(6, 2))
            ax.axis("off")
            ax.text(0.5, 0.5, "No hay ejemplos mal clasificados", ha="center", va="center")
            plt.close(fig)
            return fig
        ncols = min(ncols, len(indices))
        nrows = int(np.ceil(len(indices) / ncols))
        fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 3.0 * nrows), squeeze=False)
        for ax in axes.ravel():
            ax.axis("off")
        for ax, index in zip(axes.ravel(), indices):
            picture = images[index]
            if picture.ndim == 3 and picture.shape[-1] == 1:
                picture = picture[..., 0]
            ax.imshow(picture, cmap="gray_r" if picture.ndim == 2 else None)
            label = f"real: {names[y_true[index]]} · predicho: {names[y_pred[index]]}"
            if probabilities is not None:
                label += f"\n({probabilities[index, y_pred[index]]:.0%})"
            ax.set_title(label, fontsize=13)
        fig.suptitle("Ejemplos mal clasificados")
        fig.tight_layout()
    plt.close(fig)
    return fig
