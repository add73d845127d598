"""Medida de imágenes por segundo de cuatro formas de aumentar las mismas imágenes.

1. ``legacy``: el ``ImageDataGenerator`` de clase con ``flow`` (NumPy/SciPy, una imagen cada vez,
   barajando).
2. ``keras_layers``: la cadena de capas de preprocesado de Keras 3 como aumento de
   :func:`coursekit.input_pipeline.make_dataset`.
3. ``coursekit``: :class:`~coursekit.augment.pipeline.ComposedAugmentation` (una deformación afín
   por imagen con el núcleo de TensorFlow) en la misma tubería.
4. ``coursekit_xla``: la misma capa con ``jit_compile=True`` (deformación con ``tf.gather``
   compilada con XLA), en la misma tubería.

Los cuatro reciben las mismas imágenes y etiquetas, el mismo tamaño de lote y la misma geometría,
en el mismo proceso, y entregan lotes barajados de imágenes aumentadas. Cada método se prepara una
vez y recorre el conjunto entero una vez para calentar (trazado, compilación XLA, reservas de
memoria); después se mide ``repeats`` veces, alternando los métodos, y se informa la mediana.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from coursekit._errors import check_positive_int, invalid_value
from coursekit.augment.legacy import LECTURE_SETTINGS, lecture_config, legacy_batches
from coursekit.augment.pipeline import ComposedAugmentation

METHODS = ("legacy", "keras_layers", "coursekit", "coursekit_xla")


def _legacy_pass(images, labels, batch_size, seed):
    """Prepara el generador y devuelve una función que recorre el conjunto una vez."""
    flow = legacy_batches(images, labels, batch_size=batch_size, seed=seed, **LECTURE_SETTINGS)

    def one_pass():
        return sum(len(next(flow)[0]) for _ in range(len(flow)))

    return one_pass


def _dataset_pass(images, labels, batch_size, seed, augment):
    """Prepara la tubería de entrenamiento de coursekit con ``augment`` y la función que la recorre."""
    from coursekit.input_pipeline import make_dataset

    dataset = make_dataset(images, labels, batch_size=batch_size, shuffle=True, seed=seed,
                           augment=augment)

    def one_pass():
        return sum(int(batch.shape[0]) for batch, _ in dataset)

    return one_pass


def _images_per_second(one_pass):
    start = time.perf_counter()
    seen = one_pass()
    return seen / (time.perf_counter() - start)


def measure_throughput(images, batch_size=32, repeats=3, seed=0, methods=METHODS) -> dict:
    """Mide imágenes por segundo de cada método sobre ``images`` con la geometría de clase.

    Args:
        images: (N, alto, ancho, 3), float32 en [0, 1] o uint8 en [0, 255] (otros tipos se
            convierten a float32); N debería ser varias veces ``batch_size``. Todos los métodos
            reciben el mismo array. El generador lo copia a float32 al crear ``flow``, y la capa
            XLA lee uint8 tal cual y convierte a float32 después de deformar.
        batch_size: tamaño de lote común.
        repeats: repeticiones medidas por método, después de una pasada de calentamiento; se
            devuelve la mediana y todas las medidas.
        methods: subconjunto de :data:`METHODS`.

    Returns:
        ``{método: {"median": img/s, "runs": [img/s, ...]}}``.
    """
    import keras

    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = images.astype(np.float32)
    if images.ndim != 4:
        raise invalid_value("images", images, "un lote (N, alto, ancho, canales)")
    batch_size = check_positive_int("batch_size", batch_size)
    repeats = check_positive_int("repeats", repeats)
    for method in methods:
        if method not in METHODS:
            raise invalid_value("methods", methods, f"nombres de {METHODS}")

    labels = np.zeros(len(images), dtype=np.int64)
    config = lecture_config(literal=True)
    augmenters = {
        "keras_layers": lambda: keras.Sequential(config.to_keras_layers(seed=seed)),
        "coursekit": lambda: ComposedAugmentation(config, seed=seed),
        "coursekit_xla": lambda: ComposedAugmentation(config, seed=seed, jit_compile=True),
    }
    passes = {}
    for method in methods:
        if method == "legacy":
            passes[method] = _legacy_pass(images, labels, batch_size, seed)
        else:
            passes[method] = _dataset_pass(images, labels, batch_size, seed, augmenters[method]())
        passes[method]()  # calentamiento
    results = {method: {"runs": []} for method in methods}
    # Alternamos los métodos en cada repetición para que una racha de carga ajena no caiga
    # entera sobre uno solo.
    for _ in range(repeats):
        for method in methods:
            results[method]["runs"].append(_images_per_second(passes[method]))
    for method in methods:
        results[method]["median"] = statistics.median(results[method]["runs"])
    return results


def throughput_table(results: dict) -> list[dict]:
    """Convierte el resultado de :func:`measure_throughput` en filas con la razón frente a ``legacy``.

    Las cifras salen como texto en formato español ("10 274", "14,6×"), listas para una tabla.
    """
    base = results.get("legacy", {}).get("median")
    rows = []
    for method, values in results.items():
        row = {"método": method, "imágenes/s (mediana)": _thousands(values["median"]),
               "medidas": "; ".join(_thousands(v) for v in values["runs"])}
        if base:
            row["× legacy"] = f"{values['median'] / base:.1f}×".replace(".", ",")
        rows.append(row)
    return rows


def _thousands(value: float) -> str:
    """Escribe un entero con espacio de millares, como en español: 10274 → "10 274"."""
    return f"{round(value):,}".replace(",", " ")
