"""Compara imágenes por segundo del ImageDataGenerator de clase y del aumento de coursekit.

Uso: ``python3 benchmarks/bench_augment.py [--images 1024] [--batch-size 32] [--repeats 5]
[--dtype float32|uint8]``.
Las imágenes son fotos reales de scikit-image a 150×150 RGB, repetidas hasta ``--images``.
Escribe una tabla en Markdown para docs/benchmarks.md, con la descripción de la máquina. Para medir
con un solo núcleo: ``taskset -c 0 python3 benchmarks/bench_augment.py``.
"""

import argparse
import os
import platform

import numpy as np

from coursekit.augment.throughput import measure_throughput, throughput_table
from coursekit.data.photos import load_photos


def machine_description() -> str:
    import keras
    import tensorflow as tf

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    gpus = tf.config.list_physical_devices("GPU")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{cpu}; {cores} de {os.cpu_count()} núcleos disponibles para el proceso; "
            f"{'GPU: ' + ', '.join(g.name for g in gpus) if gpus else 'sin GPU'}; "
            f"TensorFlow {tf.__version__}, Keras {keras.__version__}, Python {platform.python_version()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1024, help="número de imágenes por pasada")
    parser.add_argument("--batch-size", type=int, default=32, help="imágenes por lote")
    parser.add_argument("--repeats", type=int, default=5, help="repeticiones por método")
    parser.add_argument("--size", type=int, default=150, help="lado de las imágenes en píxeles")
    parser.add_argument("--dtype", choices=("float32", "uint8"), default="float32",
                        help="tipo de las imágenes que reciben todos los métodos: float32 en [0, 1] "
                             "o uint8 en [0, 255], como las cargan los cargadores de coursekit")
    args = parser.parse_args()

    photos = load_photos(size=(args.size, args.size))
    images = np.resize(photos, (args.images,) + photos.shape[1:])
    if args.dtype == "uint8":
        images = np.round(images * 255).astype(np.uint8)
    results = measure_throughput(images, batch_size=args.batch_size, repeats=args.repeats)
    rows = throughput_table(results)

    print(f"Máquina: {machine_description()}")
    print(f"{args.images} imágenes {args.size}×{args.size} RGB {args.dtype}, lote {args.batch_size}, "
          f"{args.repeats} repeticiones tras una pasada de calentamiento (mediana)\n")
    headers = list(rows[0])
    print("| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for row in rows:
        print("| " + " | ".join(str(row.get(h, "")) for h in headers) + " |")


if __name__ == "__main__":
    main()
