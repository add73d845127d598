"""Medida de imágenes por segundo de tres formas de aumentar el mismo lote de imágenes.

1. ``legacy``: el ``ImageDataGenerator`` de clase (NumPy/SciPy, una imagen cada vez).
2. ``keras_layers``: la cadena de capas de preprocesado de Keras 3 dentro de ``tf.data``.
3. ``coursekit``: :class:`~coursekit.augment.pipeline.ComposedAugmentation` (una deformación afín
   por imagen) dentro de ``tf.data``.
4. ``coursekit_xla``: la misma capa con ``jit_compile=True`` (deformación con ``tf.gather`` y XLA).

Las tres reciben las mismas imágenes, el mismo tamaño de lote y la misma geometría, en el mismo
proceso. Cada medida recorre el conjunto entero una vez después de un lote de calentamiento (que
traza la función de ``tf.data``) y se repite ``repeats`` veces; se informa la mediana.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from coursekit._errors import check_positive_int, invalid_value
from coursekit.augment.legacy import LECTURE_SETTINGS, lecture_config, legacy_batches
from coursekit.augment.pipeline import ComposedAugmentation

METHODS = ("legacy", "keras_layers", "coursekit", "coursekit_xla")


def _time_legacy(images, batch_size, seed):
    flow = legacy_batches(images, batch_size=batch_size, seed=seed, **LECTURE_SETTINGS)
    next(flow)
    steps = len(flow)
    start = time.perf_counter()
    seen = sum(len(next(flow)) for _ in range(steps))
    return seen / (time.perf_counter() - start)


def _time_dataset(images, batch_size, augment):
    import tensorflow as tf

    dataset = (tf.data.Dataset.from_tensor_slices(images).batch(batch_size)
               .map(augment, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE))
    for _ in dataset.take(1):
        pass
    start = time.perf_counter()
    seen = 0
    for batch in dataset:
        seen += int(batch.shape[0])
    return seen / (time.perf_counter() - start)


def measure_throughput(images, batch_size=32, repeats=3, seed=0, methods=METHODS) -> dict:
    """Mide imágenes por segundo de cada método sobre ``images`` con la geometría de clase.

    Args:
        images: float32 (N, alto, ancho, 3) en [0, 1]; N debería ser varias veces ``batch_size``.
        batch_size: tamaño de lote común.
        repeats: repeticiones por método; se devuelve la mediana y todas las medidas.
        methods: subconjunto de :data:`METHODS`.

    Returns:
        ``{método: {"median": img/s, "runs": [img/s, ...]}}``.
    """
    import keras

    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4:
        raise invalid_value("images", images, "un lote (N, alto, ancho, canales)")
    batch_size = check_positive_int("batch_size", batch_size)
    repeats = check_positive_int("repeats", repeats)
    for method in methods:
        if method not in METHODS:
            raise invalid_value("methods", methods, f"nombres de {METHODS}")

    config = lecture_config(literal=True)
    chain = keras.Sequential(config.to_keras_layers(seed=seed))
    composed = ComposedAugmentation(config, seed=seed)
    compiled = ComposedAugmentation(config, seed=seed, jit_compile=True)
    timers = {
        "legacy": lambda: _time_legacy(images, batch_size, seed),
        "keras_layers": lambda: _time_dataset(images, batch_size, lambda x: chain(x, training=True)),
        "coursekit": lambda: _time_dataset(images, batch_size, lambda x: composed(x, training=True)),
        "coursekit_xla": lambda: _time_dataset(images, batch_size, lambda x: compiled(x, training=True)),
    }
    results = {method: {"runs": []} for method in methods}
    # Alternamos los métodos en cada repetición para que una racha de carga ajena no caiga
    # entera sobre uno solo.
    for _ in range(repeats):
        for method in methods:
            results[method]["runs"].append(timers[method]())
    for method in methods:
        results[method]["median"] = statistics.median(results[method]["runs"])
    return results


def throughput_table(results: dict) -> list[dict]:
    """Convierte el resultado de :func:`measure_throughput` en filas con la razón frente a ``legacy``."""
    base = results.get("legacy", {}).get("median")
    rows = []
    for method, values in results.items():
        row = {"método": method, "imágenes/s (mediana)": round(values["median"]),
               "medidas": ", ".join(str(round(v)) for v in values["runs"])}
        if base:
            row["× legacy"] = round(values["median"] / base, 1)
        rows.append(row)
    return rows
