"""Preparación de las entradas de las métricas de segmentación: formatos, comprobaciones y one-hot.

Convierte mapas de etiquetas, mapas *one-hot* o de probabilidades y salidas sigmoides en dos tensores
*one-hot* ``float32`` comparables, y rechaza con un mensaje en español las entradas mal formadas. Las
reglas de formato están en el docstring de :mod:`coursekit.metrics`.
"""

from __future__ import annotations


import keras
import numpy as np
from keras import ops

from coursekit._errors import check_positive_int, describe, invalid_value



def _is_concrete(x) -> bool:
    """Indica si ``x`` tiene valores a mano (NumPy o tensor en modo *eager*), no un grafo en traza."""
    if not ops.is_tensor(x):
        return True
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.executing_eagerly()
    if backend == "jax":
        import jax

        return not isinstance(x, jax.core.Tracer)
    return True


def _is_floating(x) -> bool:
    return "float" in str(x.dtype)


def _has_class_axis(x, other, num_classes: int) -> bool:
    rank, other_rank = len(x.shape), len(other.shape)
    last = x.shape[-1] if rank else None
    binary_probability = _is_floating(x) and last == 1 and num_classes == 2
    if rank == other_rank + 1:
        return last != 1 or binary_probability
    if rank + 1 == other_rank:
        return False
    if _is_floating(x):
        return last == num_classes or binary_probability
    other_last = other.shape[-1] if other_rank else None
    return (last == num_classes and _is_floating(other) and other_last == num_classes)


def _check_labels(values: np.ndarray, name: str, num_classes: int) -> None:
    if values.size == 0:
        return
    if np.issubdtype(values.dtype, np.floating):
        if np.isnan(values).any():
            raise invalid_value(name, values, "etiquetas sin NaN", "Revisa cómo se generó la máscara.")
        if not np.all(values == np.round(values)):
            raise invalid_value(
                name, values, f"etiquetas enteras de 0 a {num_classes - 1}",
                "Si son probabilidades, añade el eje de clases al final: forma (..., num_classes).")
    low, high = values.min(), values.max()
    if low >= 0 and high < num_classes:
        return
    if high == 255:
        hint = ("Parece una máscara guardada en escala 0–255: divide entre 255 si es binaria, o "
                "traduce cada color a su índice de clase.")
    elif low < 0:
        hint = "Las etiquetas negativas no son clases; si marcan píxeles a ignorar, quítalos antes."
    else:
        hint = (f"Hay etiquetas entre {int(low)} y {int(high)}: revisa `num_classes` (cuenta también "
                "el fondo, la clase 0).")
    raise invalid_value(name, values, f"etiquetas entre 0 y {num_classes - 1}", hint)


def _check_probabilities(values: np.ndarray, name: str) -> None:
    if values.size == 0:
        return
    if np.isnan(values).any():
        raise invalid_value(name, values, "probabilidades sin NaN",
                            "Un NaN suele venir de una tasa de aprendizaje demasiado alta.")
    low, high = values.min(), values.max()
    if low >= 0 and high <= 1:
        return
    integer_valued = bool(np.all(values == np.round(values)))
    if integer_valued and high == 255:
        hint = "Parece una máscara guardada en escala 0–255: divide entre 255."
    elif integer_valued and low >= 0:
        hint = ("Parecen etiquetas de clase: si es un mapa de etiquetas, pásalo como enteros "
                "(`x.astype(int)`) para que no se lea como one-hot.")
    else:
        hint = ("Los valores fuera de [0, 1] suelen ser logits: aplica `keras.ops.softmax` (o "
                "`sigmoid` con un canal) antes.")
    raise invalid_value(name, values, "probabilidades en [0, 1]",
                        f"Se encontraron valores entre {low:.4g} y {high:.4g}. {hint}")


def _to_one_hot(x, class_axis: bool, num_classes: int, name: str, soft: bool):
    if len(x.shape) == 0:
        raise invalid_value(name, x, "un mapa de etiquetas o de probabilidades, no un escalar")
    concrete = _is_concrete(x)
    if class_axis:
        if x.shape[-1] == 1:
            x = ops.cast(x, "float32")
            x = ops.concatenate([1.0 - x, x], axis=-1)
        elif x.shape[-1] != num_classes:
            if len(x.shape) >= 3 and x.shape[1] == num_classes:
                hint = ("Parece un array con las clases en el eje 1 (channels-first): muévelas al "
                        "final con `keras.ops.moveaxis(x, 1, -1)`.")
            else:
                hint = "Comprueba `num_classes` o si el último eje es de canales de imagen."
            raise invalid_value(name, x, f"un último eje de {num_classes} clases (`num_classes`)",
                                hint)
        if concrete:
            _check_probabilities(ops.convert_to_numpy(x), name)
        x = ops.cast(x, "float32")
        if soft:
            return x
        return ops.one_hot(ops.argmax(x, axis=-1), num_classes, dtype="float32")
    if len(x.shape) >= 2 and x.shape[-1] == 1:
        x = ops.squeeze(x, axis=-1)
    if concrete:
        _check_labels(ops.convert_to_numpy(x), name, num_classes)
    if _is_floating(x):
        x = ops.round(ops.cast(x, "float32"))
    return ops.one_hot(ops.cast(x, "int32"), num_classes, dtype="float32")


def _upcast_half(x):
    """Pasa a ``float32`` en NumPy los arrays ``float16``, antes de crear el tensor del backend."""
    if isinstance(x, np.ndarray) and x.dtype == np.float16:
        return x.astype(np.float32)
    return x


def _shapes_match(first, second) -> bool:
    """Compara formas; un eje desconocido (``None``, dentro de un grafo) encaja con cualquiera."""
    if len(first) != len(second):
        return False
    return all(a is None or b is None or a == b for a, b in zip(first, second))


def prepare_inputs(y_true, y_pred, num_classes: int, soft: bool = False):
    """Convierte verdad y predicción en mapas *one-hot* ``float32`` de la misma forma ``(..., C)``.

    Sigue la regla de formatos del módulo y valida los valores cuando están disponibles (NumPy o
    modo *eager*; dentro de un grafo de entrenamiento no se validan). Con ``soft=True`` las
    probabilidades se conservan; si no, se convierten en etiquetas con ``argmax``.

    Raises:
        ValueError: formas incompatibles, etiquetas fuera de ``0..num_classes-1``, máscaras en
            escala 0–255 o probabilidades fuera de [0, 1].
    """
    num_classes = check_positive_int("num_classes", num_classes, minimum=2,
                                     hint="Cuenta el fondo: una segmentación binaria tiene 2 clases.")
    y_true = ops.convert_to_tensor(_upcast_half(y_true))
    y_pred = ops.convert_to_tensor(_upcast_half(y_pred))
    if abs(len(y_true.shape) - len(y_pred.shape)) > 1:
        raise invalid_value(
            "y_pred", y_pred, f"una forma compatible con `y_true` {tuple(y_true.shape)}",
            "Las dos entradas deben tener los mismos ejes (la predicción puede añadir el de clases).")
    true_axis = _has_class_axis(y_true, y_pred, num_classes)
    pred_axis = _has_class_axis(y_pred, y_true, num_classes)
    truth = _to_one_hot(y_true, true_axis, num_classes, "y_true", soft)
    prediction = _to_one_hot(y_pred, pred_axis, num_classes, "y_pred", soft)
    if not _shapes_match(truth.shape, prediction.shape):
        raise invalid_value(
            "y_pred", y_pred,
            f"la misma forma espacial que `y_true` ({describe(y_true)})",
            "Si ambos son mapas de etiquetas, pásalos como enteros; si la predicción es un mapa de "
            "probabilidades, su último eje debe medir `num_classes`.")
    return truth, prediction
