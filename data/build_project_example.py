"""Construye ``data/proyecto_ejemplo/``: el conjunto de ejemplo de la plantilla del proyecto.

Lee Fashion-MNIST (Xiao, Rasul y Vollgraf, 2017; Zalando Research, licencia MIT) desde los
ficheros idx del paquete de Debian ``dataset-fashion-mnist`` y escribe 120 imágenes PNG en escala de
grises de 28×28 por cada una de cuatro clases, en una carpeta por clase. La selección es fija
(semilla 2017), así que volver a ejecutar el script reproduce los mismos ficheros.

Uso::

    python3 data/build_project_example.py [--source /usr/share/datasets/fashion-mnist]

Los cuadernos no necesitan el paquete de Debian: usan los PNG que ya están en el repositorio.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

# Índice de la clase en Fashion-MNIST → nombre de la carpeta. Camiseta y jersey se confunden a
# menudo entre sí, así que el ejemplo tiene errores que interpretar.
CLASSES = {0: "camiseta", 2: "jersey", 5: "sandalia", 8: "bolso"}
PER_CLASS = 120
SEED = 2017


def read_idx(path: Path) -> np.ndarray:
    """Lee un fichero idx comprimido con gzip (formato de MNIST) y devuelve un array uint8."""
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def build(source: Path, target: Path) -> dict[str, int]:
    """Escribe las imágenes elegidas en ``target/<clase>/`` y devuelve cuántas hay por clase."""
    images = read_idx(source / "train-images-idx3-ubyte.gz")
    labels = read_idx(source / "train-labels-idx1-ubyte.gz")
    rng = np.random.default_rng(SEED)
    if target.exists():
        shutil.rmtree(target)
    counts = {}
    for label, name in CLASSES.items():
        chosen = np.sort(rng.choice(np.flatnonzero(labels == label), PER_CLASS, replace=False))
        folder = target / name
        folder.mkdir(parents=True)
        for index in chosen:
            Image.fromarray(images[index]).save(folder / f"fmnist_{index:05d}.png", optimize=True)
        counts[name] = len(chosen)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("/usr/share/datasets/fashion-mnist"),
                        help="carpeta con los ficheros idx de Fashion-MNIST")
    parser.add_argument("--target", type=Path, default=Path(__file__).resolve().parent / "proyecto_ejemplo",
                        help="carpeta de salida (se reemplaza entera)")
    args = parser.parse_args()
    for name, count in build(args.source, args.target).items():
        print(f"{name}: {count} imágenes")


if __name__ == "__main__":
    main()
