"""Figuras del cuaderno de arquitecturas: coste por red, normas del gradiente y curvas de error.

Usan el estilo de aula de ``coursekit.plots.curves`` (letra grande) y devuelven la figura cerrada
en ``pyplot``, así que un cuaderno la muestra una sola vez.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from coursekit._errors import invalid_value
from coursekit.plots.curves import CLASSROOM_STYLE


def _check_list(name: str, items, kind: type, hint: str) -> list:
    items = list(items) if isinstance(items, (list, tuple)) else items
    if not isinstance(items, list) or not items or not all(isinstance(i, kind) for i in items):
        raise invalid_value(name, items, f"una lista no vacía de {kind.__name__}", hint,
                            error=TypeError)
    return items


def plot_costs(costs, figsize=(18, 6)):
    """Dibuja tres barras por arquitectura: parámetros, GMACs por imagen y memoria de activaciones.

    Los ejes son logarítmicos porque LeNet-5 y VGG19 difieren en más de tres órdenes de magnitud.
    Si todas las filas traen tiempo medido, añade una cuarta gráfica con los milisegundos por lote.
    """
    from coursekit.cost import ArchitectureCost

    costs = _check_list("costs", costs, ArchitectureCost, "Créalos con `measure_cost(modelo)`.")
    panels = [
        ("Parámetros entrenables (millones)", [c.trainable_parameters / 1e6 for c in costs]),
        ("Multiplicaciones-acumulaciones\npor imagen (GMACs)", [c.macs / 1e9 for c in costs]),
        ("Memoria de activaciones\npor imagen (MB, float32)", [c.activation_megabytes for c in costs]),
    ]
    if all(c.seconds_per_batch is not None for c in costs):
        batch = costs[0].batch_size
        panels.append((f"Tiempo por lote de {batch} (ms)",
                       [c.seconds_per_batch * 1e3 for c in costs]))
    names = [c.name for c in costs]
    with matplotlib.rc_context(CLASSROOM_STYLE):
        fig, axes = plt.subplots(1, len(panels), figsize=(figsize[0] * len(panels) / 3, figsize[1]))
        for ax, (title, values) in zip(axes, panels):
            ax.barh(names, values, color="#3465a4")
            ax.set_xscale("log")
            ax.set_title(title)
            ax.invert_yaxis()
            ax.grid(axis="x", which="major", alpha=0.3)
        for ax in axes[1:]:
            ax.set_yticklabels([])
        fig.tight_layout()
    plt.close(fig)
    return fig


def plot_gradient_norms(profiles, title: str = "Norma del gradiente por capa", figsize=(13, 6)):
    """Dibuja la norma del gradiente de cada capa (eje logarítmico), de la entrada a la salida.

    Una línea que cae hacia la izquierda (primeras capas) indica desvanecimiento del gradiente; una
    que sube, explosión. Las normas exactamente nulas se dibujan en 10⁻³⁰ porque el eje es
    logarítmico.
    """
    from coursekit.gradients import GradientProfile

    profiles = _check_list("profiles", profiles, GradientProfile,
                           "Créalos con `compare_gradient_norms(...)`.")
    with matplotlib.rc_context(CLASSROOM_STYLE):
        fig, ax = plt.subplots(figsize=figsize)
        for profile in profiles:
            depth = np.arange(1, len(profile.norms) + 1)
            ax.semilogy(depth, np.maximum(profile.norms, 1e-30), marker="o", label=profile.label)
        ax.set_xlabel("Capa con pesos (1 = la más cercana a la entrada)")
        ax.set_ylabel("Norma L2 del gradiente")
        ax.set_title(title)
        ax.grid(which="major", alpha=0.3)
        # Leyenda fuera de los ejes: dentro tapa las curvas que se cruzan.
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.tight_layout()
    plt.close(fig)
    return fig


def plot_training_error(histories, figsize=(16, 6)):
    """Dibuja el error de entrenamiento y de validación (1 − exactitud) por época de cada red.

    ``histories`` es un diccionario {etiqueta: historial de ``coursekit.training.train``}; la
    figura imita la figura 1 de He et al. (2015), que compara redes planas de 20 y 56 capas.
    """
    from coursekit.plots.curves import _history_dict

    if not isinstance(histories, dict) or not histories:
        raise invalid_value("histories", histories, "un diccionario no vacío {etiqueta: historial}",
                            error=TypeError)
    with matplotlib.rc_context(CLASSROOM_STYLE):
        fig, axes = plt.subplots(1, 2, figsize=figsize, sharey=True)
        for label, history in histories.items():
            values = _history_dict(history)
            for ax, key in zip(axes, ("accuracy", "val_accuracy")):
                if key not in values:
                    raise invalid_value("histories", sorted(values), f"historiales con '{key}'",
                                        "Entrena con `metrics=['accuracy']` y `validation_data`.")
                error = 100 * (1 - np.asarray(values[key]))
                ax.plot(np.arange(1, len(error) + 1), error, marker="o", label=label)
        for ax, title in zip(axes, ("Error de entrenamiento", "Error de validación")):
            ax.set_title(title)
            ax.set_xlabel("Época")
            ax.grid(alpha=0.3)
        axes[0].set_ylabel("Error (%)")
        axes[0].legend()
        fig.tight_layout()
    plt.close(fig)
    return fig
