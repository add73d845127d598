"""Figuras de la plantilla del proyecto: búsqueda de hiperparámetros, comparación de modelos y casos.

Como en ``coursekit.plots.curves``, cada función devuelve la figura ya cerrada en ``pyplot``.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from coursekit._errors import invalid_value
from coursekit.plots.curves import CLASSROOM_STYLE

KIND_NAMES = {"correcto_seguro": "acierto seguro", "error_seguro": "error seguro", "dudoso": "dudoso"}
METHOD_TITLES = {"gradcam": "Grad-CAM", "saliency": "Saliencia", "occlusion": "Oclusión"}


def _short(hyperparameters: dict) -> str:
    parts = []
    for key, value in hyperparameters.items():
        label = {"optimizer": "opt", "learning_rate": "lr"}.get(key, key)
        parts.append(f"{label}={value:g}" if isinstance(value, float) else f"{label}={value}")
    return "\n".join(parts)


def plot_search_results(searches):
    """Dibuja la exactitud de validación de cada prueba, un panel por modelo; la mejor en otro color.

    Args:
        searches: lista de resultados de :func:`coursekit.tuning.grid_search`.
    """
    searches = list(searches)
    if not searches:
        raise invalid_value("searches", searches, "al menos un resultado de grid_search")
    widest = max(len(s.trials) for s in searches)
    with matplotlib.rc_context(CLASSROOM_STYLE):
        fig, axes = plt.subplots(1, len(searches), figsize=(max(6, 1.6 * widest) * len(searches) / 1.4, 6),
                                 squeeze=False, sharey=True)
        for ax, search in zip(axes[0], searches):
            accuracy = [t.val_accuracy if np.isfinite(t.val_accuracy) else 0.0 for t in search.trials]
            colours = ["tab:orange" if i == search.best_index else "tab:blue" for i in range(len(accuracy))]
            ax.bar(range(len(accuracy)), accuracy, color=colours)
            ax.set_xticks(range(len(accuracy)))
            ax.set_xticklabels([_short(t.hyperparameters) for t in search.trials], fontsize=10)
            ax.set_title(search.name)
            ax.set_ylim(0, 1.05)
            for i, value in enumerate(accuracy):
                ax.text(i, value + 0.01, f"{value:.2f}", ha="center", fontsize=11)
        axes[0, 0].set_ylabel("Exactitud de validación")
        fig.suptitle("Búsqueda de hiperparámetros (naranja: la elegida)")
        fig.tight_layout()
    plt.close(fig)
    return fig


def plot_model_comparison(models: list[dict]):
    """Compara exactitud de validación, exactitud de prueba y F1 macro de prueba de cada modelo.

    Args:
        models: las entradas ``"models"`` del fichero de resultados (``record.to_dict()["models"]``).
    """
    if not models:
        raise invalid_value("models", models, "al menos un modelo evaluado")
    names = [m["name"] for m in models]
    series = {
        "validación (exactitud)": [m["validation"]["accuracy"] or 0.0 for m in models],
        "prueba (exactitud)": [(m["test"] or {}).get("accuracy") or 0.0 for m in models],
        "prueba (F1 macro)": [(m["test"] or {}).get("macro_f1") or 0.0 for m in models],
    }
    positions = np.arange(len(names))
    width = 0.8 / len(series)
    with matplotlib.rc_context(CLASSROOM_STYLE):
        fig, ax = plt.subplots(figsize=(max(7, 2.8 * len(names)), 5.5))
        for k, (label, values) in enumerate(series.items()):
            bars = ax.bar(positions + (k - 1) * width, values, width, label=label)
            ax.bar_label(bars, fmt="%.2f", fontsize=11)
        ax.set_xticks(positions)
        ax.set_xticklabels(names)
        ax.set_ylim(0, 1.12)
        ax.set_ylabel("Valor")
        ax.set_title("Comparación de modelos")
        ax.legend(loc="lower right")
        fig.tight_layout()
    plt.close(fig)
    return fig


def plot_case(image, maps: dict, title: str):
    """Dibuja una imagen y sus mapas de atribución superpuestos, un panel por método.

    Args:
        image: imagen ``(alto, ancho, canales)`` en [0, 1].
        maps: ``{método: AttributionMap}`` de :meth:`coursekit.interpret.Explainer.explain`. Un mapa
            sin valores (Grad-CAM en un MLP) muestra su nota en el panel.
        title: título de la figura (clase real, predicha y confianza).
    """
    image = np.asarray(image)
    if image.ndim != 3:
        raise invalid_value("image", image, "una imagen (alto, ancho, canales)")
    shown = image[..., 0] if image.shape[-1] == 1 else image
    cmap = "gray" if image.shape[-1] == 1 else None
    with matplotlib.rc_context(CLASSROOM_STYLE):
        fig, axes = plt.subplots(1, 1 + len(maps), figsize=(3.6 * (1 + len(maps)), 4.2))
        axes[0].imshow(shown, cmap=cmap, vmin=0, vmax=1)
        axes[0].set_title("Imagen")
        for ax, (method, attribution) in zip(axes[1:], maps.items()):
            ax.set_title(METHOD_TITLES.get(method, method))
            if attribution.values is None:
                ax.text(0.5, 0.5, "No aplicable:\nel modelo no tiene\ncapas convolucionales",
                        ha="center", va="center", fontsize=12, transform=ax.transAxes)
            else:
                ax.imshow(shown, cmap=cmap, vmin=0, vmax=1)
                ax.imshow(attribution.values, cmap="jet", alpha=0.5, vmin=0, vmax=1)
                if attribution.note:
                    ax.set_xlabel("mapa vacío", fontsize=12)
        for ax in axes:
            ax.set_xticks([])
            ax.set_yticks([])
        fig.suptitle(title, fontsize=15)
        fig.tight_layout()
    plt.close(fig)
    return fig


def case_title(case, class_names) -> str:
    """Devuelve el título de un caso: tipo, clase real, predicha y confianza."""
    return (f"{KIND_NAMES.get(case.kind, case.kind)} — real: {class_names[case.true]} · "
            f"predicha: {class_names[case.predicted]} ({case.confidence:.2f})")


def save_case_figures(explainer, images, cases, class_names, files, folder="figuras",
                      methods=("gradcam", "saliency", "occlusion")):
    """Explica cada caso con la clase predicha, guarda su figura en ``folder`` y la devuelve.

    Args:
        explainer: :class:`coursekit.interpret.Explainer` del mejor modelo.
        images: imágenes de prueba; ``cases`` indexa en ellas.
        cases: resultado de :func:`coursekit.interpret.select_cases`.
        class_names: nombres de las clases.
        files: rutas relativas de ``images`` en la carpeta del conjunto (para el fichero de resultados).

    Returns:
        ``(figuras, registros)``: ``{ruta relativa del PNG: figura}`` y una lista de dicts con el
        formato de ``interpretability.cases`` del fichero de resultados.
    """
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    figures, records = {}, []
    for number, case in enumerate(cases, start=1):
        maps = explainer.explain(images[case.index], case.predicted, methods=methods)
        fig = plot_case(images[case.index], maps, case_title(case, class_names))
        path = (folder / f"caso_{number}.png").as_posix()
        fig.savefig(path, dpi=80)
        figures[path] = fig
        records.append({"file": files[case.index], "true": class_names[case.true],
                        "predicted": class_names[case.predicted], "confidence": case.confidence,
                        "kind": case.kind})
    return figures, records
