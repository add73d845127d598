"""Equilibrar clases aumentando solo las minoritarias."""

from __future__ import annotations

import numpy as np

from coursekit._errors import invalid_value
from coursekit.augment.pipeline import AugmentConfig, augment_batch


def balance_by_augmentation(images, labels, config: AugmentConfig, seed=0):
    """Añade copias aumentadas de las clases minoritarias hasta igualar a la mayoritaria.

    Las imágenes originales se conservan tal cual; cada copia nueva es una imagen de su misma clase,
    elegida al azar, pasada por ``config``. Hay que llamarla solo con el conjunto de
    entrenamiento: validación y prueba deben reflejar los datos reales.

    Args:
        images: float32 (N, alto, ancho, canales) en ``config.value_range``.
        labels: enteros (N,).
        config: aumento aplicado a las copias.
        seed: semilla de la elección de originales y del aumento.

    Returns:
        ``(images, labels, is_synthetic)``: arrays con las copias añadidas al final e
        ``is_synthetic`` (booleano por imagen) que marca las copias.
    """
    images = np.asarray(images, dtype=np.float32)
    labels = np.asarray(labels)
    if images.ndim != 4:
        raise invalid_value("images", images, "un lote (N, alto, ancho, canales)",
                            "Para dígitos (N, 28, 28) añade el canal: `x[..., None]`.")
    if labels.shape != (len(images),):
        raise invalid_value("labels", labels, f"un vector de {len(images)} etiquetas enteras")
    classes, counts = np.unique(labels, return_counts=True)
    target = counts.max()
    rng = np.random.default_rng(seed)
    new_images, new_labels = [images], [labels]
    for offset, (label, count) in enumerate(zip(classes, counts)):
        missing = int(target - count)
        if missing == 0:
            continue
        picks = rng.choice(np.flatnonzero(labels == label), missing, replace=True)
        new_images.append(augment_batch(images[picks], config, seed=seed + offset + 1))
        new_labels.append(np.full(missing, label, dtype=labels.dtype))
    synthetic = np.concatenate([np.zeros(len(images), bool)]
                               + [np.ones(len(part), bool) for part in new_labels[1:]])
    return np.concatenate(new_images), np.concatenate(new_labels), synthetic


def class_counts(labels) -> dict:
    """Devuelve ``{clase: número de ejemplos}`` ordenado por clase, con enteros de Python."""
    classes, counts = np.unique(np.asarray(labels), return_counts=True)
    return {int(c): int(n) for c, n in zip(classes, counts)}
