"""Particiones estratificadas, disjuntas y reproducibles en entrenamiento, validación y prueba.

Los conjuntos incluidos pueden venir ordenados por clase: cortar los últimos N ejemplos daría un
conjunto de prueba con una o dos clases. Aquí cada clase se reparte por separado con las mismas
proporciones.
"""

from __future__ import annotations

import numpy as np

from coursekit._errors import invalid_value

DEFAULT_NAMES = ("train", "validation", "test")


def stratified_split(labels, fractions=(0.7, 0.15, 0.15), *, seed: int = 0,
                     names=None) -> dict[str, np.ndarray]:
    """Reparte los índices de ``labels`` en particiones estratificadas y disjuntas.

    Args:
        labels: etiquetas enteras o de texto, forma ``(N,)``.
        fractions: proporción de cada partición; deben ser positivas y sumar 1.
        seed: semilla del barajado; la misma semilla da las mismas particiones.
        names: nombres de las particiones; por defecto ``("train", "validation", "test")`` para
            tres fracciones y ``("part0", "part1", ...)`` en otro caso.

    Returns:
        Diccionario nombre → índices ordenados (``int64``). Cada índice aparece en exactamente una
        partición y cada clase con al menos tantos ejemplos como particiones aparece en todas.

    Example::

        >>> parts = stratified_split([0] * 10 + [1] * 10, (0.6, 0.2, 0.2), seed=1)
        >>> {name: len(index) for name, index in parts.items()}
        {'train': 12, 'validation': 4, 'test': 4}
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise invalid_value("labels", labels, "un vector de etiquetas (N,)",
                            "Si son one-hot, conviértelas con `labels.argmax(axis=1)`.")
    fractions = tuple(float(f) for f in fractions)
    if len(fractions) < 2 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
        raise invalid_value("fractions", fractions, "dos o más proporciones positivas que sumen 1",
                            "Por ejemplo (0.7, 0.15, 0.15).")
    if names is None:
        names = DEFAULT_NAMES if len(fractions) == 3 else tuple(f"part{i}" for i in range(len(fractions)))
    if len(names) != len(fractions) or len(set(names)) != len(names):
        raise invalid_value("names", names, f"{len(fractions)} nombres distintos, uno por proporción")
    classes, counts = np.unique(labels, return_counts=True)
    if len(labels) < len(fractions):
        raise invalid_value("labels", labels, f"al menos {len(fractions)} ejemplos")

    rng = np.random.default_rng(seed)
    parts = {name: [] for name in names}
    for label in classes:
        members = np.flatnonzero(labels == label)
        rng.shuffle(members)
        bounds = _largest_remainder(len(members), fractions)
        start = 0
        for name, size in zip(names, bounds):
            parts[name].append(members[start:start + size])
            start += size
    return {name: np.sort(np.concatenate(chunks)).astype(np.int64) for name, chunks in parts.items()}


def _largest_remainder(total: int, fractions) -> list[int]:
    """Reparte ``total`` en enteros proporcionales a ``fractions`` que suman exactamente ``total``.

    Cuando hay al menos tantos elementos como partes, cada parte recibe al menos uno.
    """
    exact = [total * f for f in fractions]
    sizes = [int(np.floor(e)) for e in exact]
    order = sorted(range(len(exact)), key=lambda i: exact[i] - sizes[i], reverse=True)
    for i in order[: total - sum(sizes)]:
        sizes[i] += 1
    if total >= len(sizes) and all(f > 0 for f in fractions):
        for i, size in enumerate(sizes):
            if size == 0:
                donor = max(range(len(sizes)), key=lambda j: sizes[j])
                sizes[donor] -= 1
                sizes[i] = 1
    return sizes


def stratified_subsample(labels, size: int, *, seed: int = 0) -> np.ndarray:
    """Elige ``size`` índices con la misma proporción de cada clase que ``labels`` (ordenados)."""
    labels = np.asarray(labels)
    classes, counts = np.unique(labels, return_counts=True)
    if not 0 < size <= len(labels):
        raise invalid_value("size", size, f"un entero entre 1 y {len(labels)}")
    quotas = _largest_remainder(size, counts / counts.sum())
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(labels == label), quota, replace=False)
              for label, quota in zip(classes, quotas)]
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def split_arrays(x, y, fractions=(0.7, 0.15, 0.15), *, seed: int = 0):
    """Aplica :func:`stratified_split` a ``x`` e ``y`` y devuelve ``{nombre: (x_parte, y_parte)}``."""
    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y):
        raise invalid_value("x", x, f"tantos ejemplos como etiquetas ({len(y)})")
    parts = stratified_split(y, fractions, seed=seed)
    return {name: (x[index], y[index]) for name, index in parts.items()}
