"""Dónde están los datos que trae el repositorio y dónde se guarda lo que se descarga."""

from __future__ import annotations

import os
from pathlib import Path

from coursekit._errors import invalid_value

DATA_ENV = "COURSEKIT_DATA"
CACHE_ENV = "COURSEKIT_CACHE"


def data_dir() -> Path:
    """Devuelve la carpeta ``data/`` con los conjuntos que trae el repositorio.

    Orden de búsqueda: la variable ``COURSEKIT_DATA``; después la carpeta ``data/`` junto al paquete,
    que existe en una copia del repositorio instalada con ``pip install -e .``.
    """
    override = os.environ.get(DATA_ENV, "").strip()
    candidate = Path(override) if override else Path(__file__).resolve().parents[2] / "data"
    if not candidate.is_dir():
        raise invalid_value(
            DATA_ENV if override else "data_dir", str(candidate),
            "la carpeta data/ del repositorio coursekit",
            "Instala coursekit desde una copia del repositorio (`pip install -e .`) o apunta "
            f"`{DATA_ENV}` a la carpeta data/ del repositorio.")
    return candidate


def cache_dir() -> Path:
    """Devuelve (y crea) la carpeta de caché de descargas.

    ``COURSEKIT_CACHE`` si está definida; si no, ``~/.cache/coursekit``. Las pruebas apuntan la
    variable a una carpeta temporal.
    """
    override = os.environ.get(CACHE_ENV, "").strip()
    path = Path(override) if override else Path.home() / ".cache" / "coursekit"
    path.mkdir(parents=True, exist_ok=True)
    return path
