"""Rejillas de imágenes: antes y después del aumento, máscaras superpuestas y recuentos por clase."""

from __future__ import annotations

import math

import numpy as np

MASK_COLORS = ("none", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


def _show(axis, image, title=None):
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    axis.imshow(np.clip(image, 0, 1) if image.dtype.kind == "f" else image,
                cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=1 if image.dtype.kind == "f" else None)
    axis.set_xticks([])
    axis.set_yticks([])
    if title:
        axis.set_title(title, fontsize=10)


def show_images(images, titles=None, ncols=6, size=2.0, suptitle=None):
    """Dibuja una rejilla de imágenes (en gris o RGB, flotantes en [0, 1] o enteras) y devuelve la figura."""
    import matplotlib.pyplot as plt

    images = list(images)
    ncols = max(1, min(ncols, len(images)))
    nrows = math.ceil(len(images) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if suptitle else 0)),
                             squeeze=False)
    for index, axis in enumerate(axes.ravel()):
        if index < len(images):
            _show(axis, images[index], titles[index] if titles else None)
        else:
            axis.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_before_after(original, augmented, suptitle=None, size=2.0):
    """Dibuja la imagen original seguida de sus versiones aumentadas, en una fila."""
    titles = ["original"] + [f"aumentada {i + 1}" for i in range(len(augmented))]
    return show_images([original, *augmented], titles, ncols=len(titles), size=size, suptitle=suptitle)


def show_technique_rows(rows, size=1.6):
    """Dibuja una fila por técnica: ``rows`` es una lista de ``(nombre, original, aumentadas)``."""
    import matplotlib.pyplot as plt

    ncols = 1 + max(len(augmented) for _, _, augmented in rows)
    fig, axes = plt.subplots(len(rows), ncols, figsize=(size * ncols, size * len(rows)), squeeze=False)
    for row_axes, (name, original, augmented) in zip(axes, rows):
        _show(row_axes[0], original, "original")
        row_axes[0].set_ylabel(name, fontsize=10, rotation=0, ha="right", va="center")
        for axis, image in zip(row_axes[1:], augmented):
            _show(axis, image)
        for axis in row_axes[1 + len(augmented):]:
            axis.axis("off")
    fig.tight_layout()
    return fig


def overlay_mask(axis, image, mask, title=None, alpha=0.45):
    """Dibuja ``image`` con ``mask`` coloreada encima (la clase 0, el fondo, queda transparente)."""
    from matplotlib.colors import ListedColormap

    _show(axis, image, title)
    mask = np.asarray(mask)
    colors = MASK_COLORS[:max(2, int(mask.max()) + 1)]
    cmap = ListedColormap(["#00000000"] + list(colors[1:]))
    axis.imshow(mask, cmap=cmap, vmin=0, vmax=len(colors) - 1, alpha=alpha, interpolation="nearest")


def show_mask_overlays(images, masks, titles, suptitle=None, size=2.6):
    """Dibuja en una fila cada imagen con su máscara superpuesta y el conjunto de etiquetas en el título."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(images), figsize=(size * len(images), size + 0.6), squeeze=False)
    for axis, image, mask, title in zip(axes[0], images, masks, titles):
        labels = sorted(int(v) for v in np.unique(mask))
        overlay_mask(axis, image, mask, f"{title}\netiquetas {labels}")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def show_class_counts(before: dict, after: dict, title="Ejemplos por clase"):
    """Dibuja barras de ejemplos por clase antes y después de equilibrar."""
    import matplotlib.pyplot as plt

    classes = sorted(set(before) | set(after))
    positions = np.arange(len(classes))
    fig, axis = plt.subplots(figsize=(7, 3))
    axis.bar(positions - 0.2, [before.get(c, 0) for c in classes], 0.4, label="antes")
    axis.bar(positions + 0.2, [after.get(c, 0) for c in classes], 0.4, label="después")
    axis.set_xticks(positions, [str(c) for c in classes])
    axis.set_xlabel("clase")
    axis.set_ylabel("ejemplos")
    axis.set_title(title)
    axis.legend()
    fig.tight_layout()
    return fig


def table_markdown(rows) -> str:
    """Convierte una lista de diccionarios con las mismas claves en una tabla Markdown de texto."""
    rows = list(rows)
    if not rows:
        return ""
    headers = list(rows[0])
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(row.get(h, "")) for h in headers) + " |" for row in rows]
    return "\n".join(lines)
