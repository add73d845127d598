"""Coeficiente de Dice e IoU por clase para segmentación, escritos con ``keras.ops``.

Funcionan con arrays de NumPy y con tensores de cualquier *backend* de Keras. Si las dos entradas son
NumPy (o listas), el resultado también es NumPy; si alguna es un tensor, el resultado es un tensor.

Formato de las entradas. Cada entrada puede ser un mapa de etiquetas (un entero de clase por píxel,
forma ``(H, W)``, ``(N, H, W)`` o ``(N, H, W, 1)``) o un mapa con eje de clases al final
(*one-hot* o probabilidades, forma ``(..., num_classes)``). La regla para distinguirlos:

* si una entrada tiene un eje más que la otra, ese último eje es el de clases;
* con el mismo número de ejes, un array de coma flotante cuyo último eje mide ``num_classes`` tiene
  eje de clases. Uno entero también lo tiene si el otro lo tiene; si no, es un mapa de etiquetas.
  Por eso conviene pasar los mapas de etiquetas como enteros: ``[[0, 1], [1, 0]]`` en coma flotante
  y con ``num_classes=2`` se leería como dos píxeles *one-hot*;
* con ``num_classes=2``, un array de coma flotante con último eje 1 es la probabilidad de la clase 1
  (salida sigmoide). Las etiquetas 0/1 guardadas como ``float`` caben en el mismo caso.

Una predicción con probabilidades se convierte en etiquetas con ``argmax`` (Dice "duro"), salvo con
``soft=True``, que usa las probabilidades tal cual (Dice "suave", el de la pérdida).

Política para los casos límite (igual en Dice e IoU):

* verdad de referencia y predicción vacías para una clase: el valor no está definido (0/0). Se
  devuelve ``undefined_value`` (NaN por defecto), las medias lo dejan fuera y se emite un
  :class:`DiceUndefinedWarning`. Con otro ``undefined_value`` (p. ej. 1.0) no hay aviso y ese valor
  entra en la media;
* verdad vacía y predicción no vacía (o al revés): Dice = 0, un error completo que nunca se omite.

Todos los conteos se hacen en ``float32``: una máscara de 256×256 unos en ``float16`` sumaría 65 536,
por encima del máximo de ``float16`` (65 504), y daría ``inf``/NaN.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import NamedTuple

import keras
import numpy as np
from keras import ops

from coursekit._errors import CourseKitWarning, check_positive_int, invalid_value
from coursekit._mask_inputs import _is_concrete, prepare_inputs  # noqa: F401


class DiceUndefinedWarning(CourseKitWarning):
    """Aviso de un Dice o IoU indefinido: la clase falta en la verdad de referencia y en la predicción."""


class SegmentationCounts(NamedTuple):
    """Verdaderos positivos, falsos positivos y falsos negativos por clase (``float32``)."""

    tp: object
    fp: object
    fn: object


# --------------------------------------------------------------------------------------------------
# Conteos y puntuaciones


def counts_from_one_hot(truth, prediction, per_image: bool = False,
                        weight=None) -> SegmentationCounts:
    """Suma TP, FP y FN por clase de dos mapas *one-hot* (o de probabilidad) ``float32``.

    Con ``per_image=False`` suma sobre todos los píxeles de todas las imágenes (nivel de conjunto de
    datos) y devuelve vectores ``(C,)``. Con ``per_image=True`` el primer eje son las imágenes y
    devuelve ``(N, C)``. ``weight``, si se da, pondera cada píxel (forma ``(..., 1)``).
    """
    truth = ops.cast(truth, "float32")
    prediction = ops.cast(prediction, "float32")
    if weight is not None:
        truth = truth * weight
    rank = len(truth.shape)
    first = 1 if per_image else 0
    axes = tuple(range(first, rank - 1))
    tp = ops.sum(truth * prediction, axis=axes)
    if weight is not None:
        prediction = prediction * weight
    fp = ops.sum(prediction, axis=axes) - tp
    fn = ops.sum(truth, axis=axes) - tp
    return SegmentationCounts(tp, fp, fn)


def _safe_ratio(numerator, denominator, undefined_value: float):
    defined = denominator > 0
    ratio = numerator / ops.where(defined, denominator, ops.ones_like(denominator))
    return ops.where(defined, ratio, ops.full_like(ratio, undefined_value))


def dice_from_counts(tp, fp, fn, undefined_value: float = math.nan):
    """Calcula Dice = 2·TP / (2·TP + FP + FN); con denominador 0 devuelve ``undefined_value``."""
    inputs = (tp, fp, fn)
    tp, fp, fn = (ops.cast(ops.convert_to_tensor(v), "float32") for v in inputs)
    return _to_output(_safe_ratio(2.0 * tp, 2.0 * tp + fp + fn, undefined_value), *inputs)


def iou_from_counts(tp, fp, fn, undefined_value: float = math.nan):
    """Calcula IoU = TP / (TP + FP + FN); con denominador 0 devuelve ``undefined_value``."""
    inputs = (tp, fp, fn)
    tp, fp, fn = (ops.cast(ops.convert_to_tensor(v), "float32") for v in inputs)
    return _to_output(_safe_ratio(tp, tp + fp + fn, undefined_value), *inputs)


def confusion_counts(y_true, y_pred, num_classes: int, *, per_image: bool = False,
                     soft: bool = False) -> SegmentationCounts:
    """Cuenta TP, FP y FN por clase entre la verdad de referencia y la predicción.

    Ejemplo (el binario de la clase: 3 aciertos, 1 falso positivo, 1 falso negativo)::

        >>> counts = confusion_counts([[1, 0, 0], [0, 1, 0], [1, 0, 1]],
        ...                           [[1, 0, 0], [1, 1, 0], [0, 0, 1]], num_classes=2)
        >>> counts.tp[1], counts.fp[1], counts.fn[1]
        (np.float32(3.0), np.float32(1.0), np.float32(1.0))
    """
    truth, prediction = prepare_inputs(y_true, y_pred, num_classes, soft=soft)
    if per_image and len(truth.shape) < 3:
        raise invalid_value("per_image", per_image, "un lote con eje de imágenes (N, ...)",
                            "Con una sola imagen usa `per_image=False` o añade el eje con x[None].")
    counts = counts_from_one_hot(truth, prediction, per_image=per_image)
    return SegmentationCounts(*(_to_output(c, y_true, y_pred) for c in counts))


def _to_output(value, *inputs):
    """Devuelve ``value`` como NumPy si ninguna entrada era un tensor o una variable de Keras."""
    if any(ops.is_tensor(x) or isinstance(x, keras.Variable) for x in inputs):
        return value
    return ops.convert_to_numpy(value)


def _check_undefined_value(undefined_value) -> float:
    if isinstance(undefined_value, bool) or not isinstance(undefined_value, numbers.Real):
        raise invalid_value("undefined_value", undefined_value, "un número (NaN, 0.0 o 1.0)",
                            error=TypeError)
    return float(undefined_value)


def _warn_undefined(scores, metric: str, undefined_value: float, classes=None,
                    stacklevel: int = 3) -> None:
    """Avisa de clases indefinidas; ``stacklevel`` apunta a la línea del estudiante que llamó."""
    if not math.isnan(undefined_value) or not _is_concrete(scores):
        return
    values = ops.convert_to_numpy(scores)
    undefined = np.isnan(values)
    if values.ndim == 2:
        undefined = undefined.any(axis=0)
    found = [c for c in np.flatnonzero(undefined) if classes is None or c in classes]
    if found:
        warnings.warn(
            f"{metric} indefinido (0/0) para las clases {[int(c) for c in found]}: no aparecen ni en "
            "la verdad de referencia ni en la predicción. Se devuelve NaN y la media lo deja fuera; "
            "elige otro valor con `undefined_value`.", DiceUndefinedWarning, stacklevel=stacklevel)


def _scores(y_true, y_pred, num_classes, from_counts, per_image, soft, undefined_value):
    undefined_value = _check_undefined_value(undefined_value)
    counts = confusion_counts(y_true, y_pred, num_classes, per_image=per_image, soft=soft)
    scores = from_counts(*counts, undefined_value=undefined_value)
    return _to_output(scores, y_true, y_pred), undefined_value


def dice_per_class(y_true, y_pred, num_classes: int, *, per_image: bool = False,
                   soft: bool = False, undefined_value: float = math.nan):
    """Calcula el coeficiente de Dice, 2|A∩B| / (|A| + |B|), de cada clase (fondo incluido).

    Args:
        y_true: verdad de referencia: mapa de etiquetas o *one-hot* (ver la regla del módulo).
        y_pred: predicción: mapa de etiquetas, *one-hot* o probabilidades.
        num_classes: número de clases contando el fondo (2 en una segmentación binaria).
        per_image: ``False`` (por defecto) suma TP/FP/FN de todas las imágenes antes de dividir
            (Dice del conjunto de datos). ``True`` da un Dice por imagen, forma ``(N, C)``.
        soft: usa las probabilidades sin ``argmax`` (Dice suave).
        undefined_value: valor para una clase ausente de verdad y predicción (NaN por defecto,
            con :class:`DiceUndefinedWarning`).

    Returns:
        Un vector ``(C,)`` (o ``(N, C)``) en ``float32``; el índice es la clase.

    Ejemplo (el de tres clases de la clase)::

        >>> truth = [[0, 1, 1], [0, 2, 0], [2, 0, 1]]
        >>> pred = [[0, 1, 0], [2, 2, 0], [2, 0, 1]]
        >>> dice_per_class(truth, pred, num_classes=3)  # clase 1: 2·2/(3+2); clase 2: 2·2/(2+3)
        array([0.8, 0.8, 0.8], dtype=float32)
    """
    scores, undefined_value = _scores(y_true, y_pred, num_classes, dice_from_counts, per_image,
                                      soft, undefined_value)
    _warn_undefined(scores, "Dice", undefined_value)
    return scores


def iou_per_class(y_true, y_pred, num_classes: int, *, per_image: bool = False,
                  soft: bool = False, undefined_value: float = math.nan):
    """Calcula la IoU (índice de Jaccard), |A∩B| / |A∪B|, de cada clase; argumentos de :func:`dice_per_class`."""
    scores, undefined_value = _scores(y_true, y_pred, num_classes, iou_from_counts, per_image,
                                      soft, undefined_value)
    _warn_undefined(scores, "IoU", undefined_value)
    return scores


def _check_classes(classes, num_classes: int) -> list[int]:
    if classes is None:
        return list(range(1, num_classes))
    chosen = [classes] if isinstance(classes, (int, np.integer)) else list(classes)
    valid = all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in chosen)
    if not chosen or not valid or len(set(chosen)) != len(chosen) \
            or not all(0 <= c < num_classes for c in chosen):
        raise invalid_value("classes", classes,
                            f"una lista no vacía de clases distintas entre 0 y {num_classes - 1}",
                            "Para dejar fuera el fondo usa `classes=None` o range(1, num_classes).")
    return [int(c) for c in chosen]


def mean_over_classes(scores, classes=None):
    """Promedia puntuaciones por clase dejando fuera las indefinidas (NaN).

    ``scores`` es ``(C,)`` o ``(N, C)``; ``classes`` elige las columnas (por defecto, todas). Con
    ``(N, C)`` promedia primero las clases de cada imagen y después las imágenes. Si todo es NaN,
    devuelve NaN.

    Ejemplo::

        >>> mean_over_classes(np.array([0.8, np.nan, 0.6]))  # (0,8 + 0,6) / 2
        np.float32(0.7)
    """
    values = ops.cast(ops.convert_to_tensor(scores), "float32")
    if classes is not None:
        values = ops.take(values, ops.convert_to_tensor(list(classes), dtype="int32"), axis=-1)
    defined = ops.logical_not(ops.isnan(values))
    total = ops.sum(ops.where(defined, values, ops.zeros_like(values)), axis=-1)
    count = ops.sum(ops.cast(defined, "float32"), axis=-1)
    means = _safe_ratio(total, count, math.nan)
    if len(means.shape) == 1:
        mean_defined = ops.logical_not(ops.isnan(means))
        means = _safe_ratio(ops.sum(ops.where(mean_defined, means, ops.zeros_like(means))),
                            ops.sum(ops.cast(mean_defined, "float32")), math.nan)
    return _to_output(means, scores)


def _mean_score(y_true, y_pred, num_classes, classes, from_counts, metric, per_image, soft,
                undefined_value):
    scores, undefined_value = _scores(y_true, y_pred, num_classes, from_counts, per_image, soft,
                                      undefined_value)
    chosen = _check_classes(classes, num_classes)
    _warn_undefined(scores, metric, undefined_value, classes=chosen, stacklevel=4)
    return _to_output(mean_over_classes(scores, chosen), y_true, y_pred)


def mean_dice(y_true, y_pred, num_classes: int, *, classes=None, per_image: bool = False,
              soft: bool = False, undefined_value: float = math.nan):
    """Calcula la media del Dice sobre ``classes``, dejando fuera las clases indefinidas.

    ``classes=None`` promedia todas las clases salvo la 0 (el fondo), como en la clase. El fondo se
    excluye eligiendo clases, nunca enmascarando píxeles: un píxel de fondo predicho como clase 1
    sigue contando como falso positivo de la clase 1. Los demás argumentos son los de
    :func:`dice_per_class`.

    Ejemplo::

        >>> mean_dice([[0, 1, 1], [0, 2, 0], [2, 0, 1]],
        ...           [[0, 1, 0], [2, 2, 0], [2, 0, 1]], num_classes=3)  # (0,8 + 0,8) / 2
        np.float32(0.8)
    """
    return _mean_score(y_true, y_pred, num_classes, classes, dice_from_counts, "Dice", per_image,
                       soft, undefined_value)


def mean_iou(y_true, y_pred, num_classes: int, *, classes=None, per_image: bool = False,
             soft: bool = False, undefined_value: float = math.nan):
    """Calcula la media de la IoU sobre ``classes``; argumentos de :func:`mean_dice`."""
    return _mean_score(y_true, y_pred, num_classes, classes, iou_from_counts, "IoU", per_image,
                       soft, undefined_value)


# --------------------------------------------------------------------------------------------------
# Métrica de Keras para el entrenamiento


@keras.saving.register_keras_serializable(package="coursekit")
class DiceMetric(keras.metrics.Metric):
    """Dice medio de las clases elegidas, acumulado en toda la época, para ``model.compile``.

    Suma TP, FP y FN de cada lote en variables ``float32`` y divide al pedir el resultado, así que el
    valor de la época es el Dice del conjunto de datos visto (no la media de los Dice por lote).
    Acepta etiquetas ``(N, H, W)``/``(N, H, W, 1)`` o *one-hot* en ``y_true`` y probabilidades
    ``(N, H, W, C)`` (o un canal sigmoide con ``num_classes=2``) en ``y_pred``. Las clases
    indefinidas en toda la época quedan fuera de la media; si lo están todas, devuelve
    ``undefined_value``.

    Args:
        num_classes: número de clases contando el fondo.
        classes: clases promediadas; ``None`` = todas salvo la 0 (el fondo).
        undefined_value: resultado cuando ninguna clase elegida está definida (NaN por defecto).
        name, dtype: los de ``keras.metrics.Metric``.

    Ejemplo::

        model.compile(optimizer="adam", loss=CrossEntropyDiceLoss(),
                      metrics=[DiceMetric(num_classes=3)])
    """

    def __init__(self, num_classes: int, classes=None, undefined_value: float = math.nan,
                 name: str = "dice", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = check_positive_int("num_classes", num_classes, minimum=2)
        self.classes = None if classes is None else _check_classes(classes, self.num_classes)
        self.undefined_value = _check_undefined_value(undefined_value)
        self._chosen = _check_classes(classes, self.num_classes)
        self.tp = self.add_variable(shape=(self.num_classes,), initializer="zeros", name="tp",
                                    dtype="float32")
        self.fp = self.add_variable(shape=(self.num_classes,), initializer="zeros", name="fp",
                                    dtype="float32")
        self.fn = self.add_variable(shape=(self.num_classes,), initializer="zeros", name="fn",
                                    dtype="float32")

    def update_state(self, y_true, y_pred, sample_weight=None):
        truth, prediction = prepare_inputs(y_true, y_pred, self.num_classes)
        weight = None
        if sample_weight is not None:
            weight = ops.cast(ops.convert_to_tensor(sample_weight), "float32")
            while len(weight.shape) < len(truth.shape):
                weight = ops.expand_dims(weight, axis=-1)
        counts = counts_from_one_hot(truth, prediction, weight=weight)
        self.tp.assign_add(counts.tp)
        self.fp.assign_add(counts.fp)
        self.fn.assign_add(counts.fn)

    def result(self):
        scores = dice_from_counts(self.tp, self.fp, self.fn, undefined_value=math.nan)
        mean = mean_over_classes(scores, self._chosen)
        if math.isnan(self.undefined_value):
            return mean
        return ops.where(ops.isnan(mean), self.undefined_value, mean)

    def reset_state(self):
        for variable in (self.tp, self.fp, self.fn):
            variable.assign(ops.zeros(variable.shape, dtype="float32"))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "classes": self.classes,
                "undefined_value": self.undefined_value}
