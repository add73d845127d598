"""Compara el ritmo de entrenamiento de ``coursekit.training.train`` con ``model.fit`` sobre arrays.

Los dos caminos entrenan la misma LeNet-5 (mismos pesos iniciales) con los mismos dígitos MNIST
reales incluidos en el repositorio, lotes de 32, en el mismo proceso. Un tercer camino,
``model.fit`` con ``steps_per_execution=16`` (lo que ``train`` pone al compilar), separa la ganancia
de agrupar lotes de la de la tubería ``tf.data``. Los caminos se alternan en cada repetición para
que una carga externa en la máquina afecte a todos por igual. El ritmo de cada ejecución es la
mediana de imágenes/s de las épocas 2 en adelante: la primera incluye el trazado de la función de
entrenamiento y se descarta.

Uso::

    python benchmarks/bench_training.py                # 7 000 imágenes, 4 épocas, 3 repeticiones
    python benchmarks/bench_training.py --epochs 3 --repeats 2
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from coursekit.data import load_digits, pad_to_32, stratified_split  # noqa: E402
from coursekit.models import lenet5  # noqa: E402
from coursekit.runtime import seed_everything  # noqa: E402
from coursekit.training import train  # noqa: E402


class EpochTimer(keras.callbacks.Callback):
    """Guarda la duración de cada época en segundos."""

    def on_train_begin(self, logs=None):
        self.durations = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.durations.append(time.perf_counter() - self.start)


def cpu_model() -> str:
    """Devuelve el nombre del procesador (de /proc/cpuinfo en Linux)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def images_per_second(durations: list[float], images: int) -> float:
    """Mediana de imágenes/s de las épocas tras la primera."""
    steady = durations[1:] or durations
    return images / statistics.median(steady)


def run_fit(x, y, epochs: int, seed: int, steps_per_execution: int = 1) -> float:
    seed_everything(seed)
    model = lenet5()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], steps_per_execution=steps_per_execution)
    timer = EpochTimer()
    model.fit(x, y, batch_size=32, epochs=epochs, shuffle=True, callbacks=[timer], verbose=0)
    return images_per_second(timer.durations, len(x))


def run_train(x, y, epochs: int, seed: int) -> float:
    seed_everything(seed)
    model = lenet5()
    timer = EpochTimer()
    train(model, x, y, epochs=epochs, batch_size=32, learning_rate=1e-3, seed=seed, callbacks=[timer],
          verbose=0)
    return images_per_second(timer.durations, len(x))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=7000, help="imágenes de entrenamiento (máx. 10 000)")
    parser.add_argument("--epochs", type=int, default=4, help="épocas por ejecución (la 1.ª se descarta)")
    parser.add_argument("--repeats", type=int, default=3, help="ejecuciones de cada camino, alternadas")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    digits = load_digits(source="embedded")
    fraction = min(args.images / len(digits), 1.0)
    if fraction < 1.0:
        index = stratified_split(digits.labels, fractions=(fraction, 1 - fraction), names=("use", "rest"),
                                 seed=args.seed)["use"]
    else:
        index = np.arange(len(digits))
    x = pad_to_32(digits.images[index])[..., None].astype("float32") / 255.0
    y = digits.labels[index]

    fit_rates, grouped_rates, train_rates = [], [], []
    for repeat in range(args.repeats):
        fit_rates.append(run_fit(x, y, args.epochs, args.seed))
        train_rates.append(run_train(x, y, args.epochs, args.seed))
        grouped_rates.append(run_fit(x, y, args.epochs, args.seed, steps_per_execution=16))
        print(f"repetición {repeat + 1}: model.fit {fit_rates[-1]:.0f} · coursekit.train "
              f"{train_rates[-1]:.0f} · model.fit con steps_per_execution=16 {grouped_rates[-1]:.0f} imágenes/s")

    fit_rate = statistics.median(fit_rates)
    grouped_rate = statistics.median(grouped_rates)
    train_rate = statistics.median(train_rates)
    print(f"Máquina: {cpu_model()} · {os.cpu_count()} núcleos · TensorFlow {tf.__version__} · "
          f"Keras {keras.__version__} · GPU: {len(tf.config.list_physical_devices('GPU'))}")
    print(f"Datos: LeNet-5, {len(x)} dígitos MNIST reales de 32×32, lotes de 32, {args.epochs} épocas, "
          f"{args.repeats} repeticiones")
    print(f"model.fit (arrays NumPy): {fit_rate:.0f} imágenes/s (mediana)")
    print(f"coursekit.training.train: {train_rate:.0f} imágenes/s (mediana)")
    print(f"model.fit con steps_per_execution=16: {grouped_rate:.0f} imágenes/s (mediana)")
    print(f"Cociente train / fit: {train_rate / fit_rate:.2f}")
    print(f"Cociente (fit con steps_per_execution=16) / fit: {grouped_rate / fit_rate:.2f}")


if __name__ == "__main__":
    main()
