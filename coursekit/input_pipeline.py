"""Tubería ``tf.data`` de entrenamiento: caché, barajado con semilla, lotes, aumento y precarga.

:func:`make_dataset` la construye a partir de arrays de NumPy o de un ``tf.data.Dataset`` de pares
``(x, y)``. La usa :func:`coursekit.training.train` y también ``benchmarks/bench_augment.py``, que mide
el aumento de datos dentro de ella. Este módulo importa TensorFlow al importarse.
"""

from __future__ import annotations

import inspect

import keras
import tensorflow as tf

from coursekit._errors import invalid_value


def _model_shape(model, attribute: str):
    """Devuelve ``model.input_shape`` u ``output_shape``, o ``None`` si el modelo no está construido."""
    try:
        shape = getattr(model, attribute)
    except (AttributeError, ValueError):
        return None
    return shape if isinstance(shape, tuple) else None


def _augment_takes_labels(augment) -> bool:
    """Indica si ``augment`` recibe ``(x, y)`` (p. ej. imagen y máscara) en vez de solo ``x``."""
    if isinstance(augment, keras.layers.Layer):
        return False
    try:
        parameters = inspect.signature(augment).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.default is p.empty]
    return len(positional) >= 2


def _apply_augment(dataset, augment):
    _check_augment_input(dataset, augment)
    if isinstance(augment, keras.layers.Layer):
        parallel = None if _compiles_with_xla(augment) else tf.data.AUTOTUNE
        return dataset.map(lambda x, y: (augment(x, training=True), y), num_parallel_calls=parallel)
    if _augment_takes_labels(augment):
        return dataset.map(augment, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.map(lambda x, y: (augment(x), y), num_parallel_calls=tf.data.AUTOTUNE)


def _check_augment_input(dataset, augment) -> None:
    """Comprueba la forma de los lotes antes del ``map``, para que el error no llegue envuelto en inglés.

    Un error lanzado mientras ``tf.data`` traza la función del ``map`` sale dentro de un texto de
    TensorFlow en inglés. Con la forma de ``element_spec`` el mensaje en español sale antes.
    """
    from coursekit.augment import ComposedAugmentation, JointAugment
    from coursekit.augment.inputs import check_image_input

    if isinstance(augment, (ComposedAugmentation, JointAugment)):
        check_image_input(dataset.element_spec[0], augment.config)


def _compiles_with_xla(augment) -> bool:
    """Indica si ``augment`` es una capa de aumento de coursekit compilada con XLA.

    XLA ya reparte cada lote entre todos los núcleos, y dos lotes a la vez competirían por ellos. Por
    eso la tubería aumenta un lote cada vez con esta capa. También apaga el ajuste automático de
    ``tf.data``, que con ella alternaba entre dos regímenes de velocidad. Medido en la máquina
    de docs/benchmarks.md (2 núcleos, 1 024 fotos de 150×150, lotes de 32). Con ``AUTOTUNE`` en el
    ``map`` salieron unas 6 300 imágenes/s. Con un lote cada vez, pasadas de unas 6 000 o unas 10 000
    según el ajuste. Sin ajuste automático y con la máquina en reposo, entre 9 500 y 10 800.
    """
    from coursekit.augment.pipeline import ComposedAugmentation

    return isinstance(augment, ComposedAugmentation) and augment.jit_compile


def _check_dataset(dataset):
    """Comprueba que ``dataset`` da pares ``(x, y)`` y devuelve su ``element_spec``."""
    spec = dataset.element_spec
    if not isinstance(spec, tuple) or len(spec) != 2:
        raise invalid_value("x", spec, "un tf.data.Dataset de pares (imágenes, etiquetas)",
                            "Usa `dataset.map(lambda d: (d['image'], d['label']))`.", error=TypeError)
    return spec


def _is_batched(spec, model) -> bool:
    """Indica si las imágenes del dataset ya traen el eje del lote (su rango es el de la entrada)."""
    input_shape = _model_shape(model, "input_shape") if model is not None else None
    return input_shape is None or spec[0].shape.rank == len(input_shape)


def _drop_odd_remainder(count: int, batch_size: int, shuffle: bool) -> bool:
    """Indica si se descarta el último lote incompleto de entrenamiento porque su tamaño es impar.

    NOTE: TensorFlow 2.21 en CPU con oneDNN activado abortó el proceso entero (sin excepción) al
    calcular gradientes de una convolución 1×1 con paso 2, el atajo de los bloques ResNet, sobre un
    lote de tamaño impar. Con ``TF_ENABLE_ONEDNN_OPTS=0`` no ocurre, pero el entrenamiento va la mitad
    de rápido. El fallo no se reprodujo en un segundo intento (small_resnet con lotes de 15, y un
    modelo de tres capas con lotes de 1 a 31), así que puede depender de la carga o de la memoria; la
    guarda se mantiene. Como el barajado cambia en cada época, descartar ese resto no deja ningún
    ejemplo sin ver.
    """
    remainder = count % batch_size
    return shuffle and count > batch_size and remainder % 2 == 1


def make_dataset(x, y=None, *, batch_size=32, shuffle=False, seed=None, augment=None, cache=True,
                 model=None):
    """Construye la tubería ``tf.data``: caché → barajado con semilla → lotes → aumento → precarga.

    ``x`` puede ser un array (con ``y``) o un ``tf.data.Dataset`` de pares ``(x, y)``, con lotes o
    sin ellos: si sus elementos tienen el rango de la entrada del modelo sin la dimensión del lote, se
    agrupan en lotes aquí. El aumento se aplica a lotes enteros, después de la caché, para que cada
    época vea variaciones nuevas.
    """
    if isinstance(x, tf.data.Dataset):
        dataset = x
        spec = _check_dataset(dataset)
        if not _is_batched(spec, model):
            if shuffle:
                dataset = dataset.shuffle(4096, seed=seed, reshuffle_each_iteration=True)
            dataset = dataset.batch(batch_size)
    else:
        dataset = tf.data.Dataset.from_tensor_slices((x, y))
        if cache:
            dataset = dataset.cache()
        if shuffle:
            dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        dataset = dataset.batch(batch_size, drop_remainder=_drop_odd_remainder(len(x), batch_size, shuffle))
    if augment is not None:
        dataset = _apply_augment(dataset, augment)
    dataset = dataset.prefetch(tf.data.AUTOTUNE)
    if augment is not None and _compiles_with_xla(augment):
        options = tf.data.Options()
        options.autotune.enabled = False
        dataset = dataset.with_options(options)
    return dataset
