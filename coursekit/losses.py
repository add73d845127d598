"""Pérdidas de segmentación: Dice suave y entropía cruzada + Dice, como ``keras.losses.Loss``.

Pérdida de Dice suave de cada imagen y clase, con probabilidades ``p`` y verdad *one-hot* ``g``::

    1 − (2·Σ p·g + s) / (Σ p + Σ g + s)

El suavizado ``s`` (``smooth``, 1.0 por defecto) va en el numerador y en el denominador. Así una
clase ausente de la imagen y no predicha da (0 + s) / (0 + s) = 1 y no aporta pérdida, y una
predicción perfecta da exactamente 0. Si ``s`` solo estuviera en el denominador (como el
``epsilon`` de ``keras.losses.Dice`` en Keras 3), esa misma clase ausente daría pérdida 1 aunque la
predicción fuese perfecta. Un ``s`` grande frente al número de píxeles de una clase suaviza tanto
que las clases pequeñas apenas cuentan; 1.0 es despreciable con miles de píxeles por imagen.

Formato: ``y_pred`` son probabilidades ``(N, ..., C)`` (salida ``softmax``), o un canal ``(N, ..., 1)``
con la probabilidad de la clase 1 (salida ``sigmoid``, problema binario). ``y_true`` son etiquetas
enteras ``(N, ...)`` o ``(N, ..., 1)``, o *one-hot* ``(N, ..., C)``. El primer eje es el lote: la
pérdida se calcula por imagen y Keras la promedia en el lote (``reduction``).
"""

from __future__ import annotations

import numbers

import keras
from keras import ops

from coursekit._errors import invalid_value
from coursekit.metrics import prepare_inputs


def _check_non_negative(name: str, value, strictly: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise invalid_value(name, value, "un número real", error=TypeError)
    if value < 0 or (strictly and value == 0):
        expected = "un número mayor que 0" if strictly else "un número mayor o igual que 0"
        raise invalid_value(name, value, expected)
    return float(value)


def _probabilities(y_true, y_pred, from_logits: bool):
    """Devuelve verdad *one-hot* y probabilidades ``(N, ..., C)`` en ``float32``."""
    y_pred = ops.convert_to_tensor(y_pred)
    if len(y_pred.shape) < 2:
        raise invalid_value("y_pred", y_pred, "probabilidades con eje de lote y de clases (N, ..., C)")
    y_pred = ops.cast(y_pred, "float32")
    channels = y_pred.shape[-1]
    if from_logits:
        y_pred = ops.sigmoid(y_pred) if channels == 1 else ops.softmax(y_pred, axis=-1)
    num_classes = 2 if channels == 1 else channels
    return prepare_inputs(y_true, y_pred, num_classes, soft=True)


def _chosen_classes(classes, num_classes: int):
    if classes is None:
        return list(range(num_classes))
    chosen = list(classes)
    if not chosen or not all(isinstance(c, numbers.Integral) and 0 <= c < num_classes
                             for c in chosen):
        raise invalid_value("classes", classes, f"clases entre 0 y {num_classes - 1}")
    return [int(c) for c in chosen]


def soft_dice_loss(y_true, y_pred, *, smooth: float = 1.0, classes=None, from_logits: bool = False):
    """Calcula la pérdida de Dice suave de cada imagen, promediada sobre ``classes``.

    Args:
        y_true: etiquetas o *one-hot* (ver el módulo).
        y_pred: probabilidades (o logits con ``from_logits=True``).
        smooth: suavizado ``s`` > 0, el mismo en numerador y denominador.
        classes: clases promediadas; ``None`` = todas, fondo incluido.
        from_logits: aplica ``softmax`` (o ``sigmoid`` con un canal) antes.

    Returns:
        Un vector ``(N,)`` en ``float32``: la pérdida de cada imagen.

    Ejemplo (una imagen de dos píxeles, clases 0 y 1)::

        >>> soft_dice_loss([[0, 1]], [[[0.9, 0.1], [0.2, 0.8]]])
        # clase 0: (2·0.9 + 1)/(1.1 + 1 + 1) = 0.9032; clase 1: (2·0.8 + 1)/(0.9 + 1 + 1) = 0.8966
        # pérdida = 1 − (0.9032 + 0.8966) / 2 ≈ 0.1001
    """
    smooth = _check_non_negative("smooth", smooth, strictly=True)
    truth, probabilities = _probabilities(y_true, y_pred, from_logits)
    axes = tuple(range(1, len(truth.shape) - 1))
    intersection = ops.sum(truth * probabilities, axis=axes)
    total = ops.sum(truth, axis=axes) + ops.sum(probabilities, axis=axes)
    dice = (2.0 * intersection + smooth) / (total + smooth)
    chosen = _chosen_classes(classes, truth.shape[-1])
    dice = ops.take(dice, ops.convert_to_tensor(chosen, dtype="int32"), axis=-1)
    return 1.0 - ops.mean(dice, axis=-1)


def crossentropy_per_image(y_true, y_pred, *, from_logits: bool = False):
    """Calcula la entropía cruzada categórica media por píxel de cada imagen, forma ``(N,)``."""
    truth, probabilities = _probabilities(y_true, y_pred, from_logits)
    per_pixel = ops.categorical_crossentropy(truth, probabilities)
    return ops.mean(per_pixel, axis=tuple(range(1, len(per_pixel.shape))))


@keras.saving.register_keras_serializable(package="coursekit")
class SoftDiceLoss(keras.losses.Loss):
    """Pérdida de Dice suave ``1 − (2·Σp·g + s)/(Σp + Σg + s)`` por imagen, para ``model.compile``.

    Args:
        smooth: suavizado ``s`` > 0 en numerador y denominador (1.0 por defecto).
        classes: clases promediadas; ``None`` = todas, fondo incluido.
        from_logits: si ``y_pred`` son logits en vez de probabilidades.
        reduction, name, dtype: los de ``keras.losses.Loss``.
    """

    def __init__(self, smooth: float = 1.0, classes=None, from_logits: bool = False,
                 reduction="sum_over_batch_size", name: str = "soft_dice_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.smooth = _check_non_negative("smooth", smooth, strictly=True)
        self.classes = None if classes is None else [int(c) for c in classes]
        self.from_logits = bool(from_logits)

    def call(self, y_true, y_pred):
        return soft_dice_loss(y_true, y_pred, smooth=self.smooth, classes=self.classes,
                              from_logits=self.from_logits)

    def get_config(self):
        return {**super().get_config(), "smooth": self.smooth, "classes": self.classes,
                "from_logits": self.from_logits}


@keras.saving.register_keras_serializable(package="coursekit")
class CrossEntropyDiceLoss(keras.losses.Loss):
    """Suma ponderada de entropía cruzada categórica y pérdida de Dice suave, por imagen.

    La entropía cruzada aporta una señal en cada píxel. El Dice compensa el desequilibrio de clases,
    porque cada clase pesa lo mismo aunque ocupe pocos píxeles.

    Args:
        smooth: suavizado ``s`` de la parte de Dice.
        dice_weight: peso de la pérdida de Dice (1.0).
        crossentropy_weight: peso de la entropía cruzada (1.0).
        classes: clases de la parte de Dice; ``None`` = todas.
        from_logits: si ``y_pred`` son logits.
        reduction, name, dtype: los de ``keras.losses.Loss``.
    """

    def __init__(self, smooth: float = 1.0, dice_weight: float = 1.0,
                 crossentropy_weight: float = 1.0, classes=None, from_logits: bool = False,
                 reduction="sum_over_batch_size", name: str = "crossentropy_dice_loss",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.smooth = _check_non_negative("smooth", smooth, strictly=True)
        self.dice_weight = _check_non_negative("dice_weight", dice_weight)
        self.crossentropy_weight = _check_non_negative("crossentropy_weight", crossentropy_weight)
        if self.dice_weight == 0 and self.crossentropy_weight == 0:
            raise invalid_value("dice_weight", dice_weight, "algún peso mayor que 0",
                                "Con los dos pesos a 0 la pérdida sería siempre 0.")
        self.classes = None if classes is None else [int(c) for c in classes]
        self.from_logits = bool(from_logits)

    def call(self, y_true, y_pred):
        dice = soft_dice_loss(y_true, y_pred, smooth=self.smooth, classes=self.classes,
                              from_logits=self.from_logits)
        crossentropy = crossentropy_per_image(y_true, y_pred, from_logits=self.from_logits)
        return self.dice_weight * dice + self.crossentropy_weight * crossentropy

    def get_config(self):
        return {**super().get_config(), "smooth": self.smooth, "dice_weight": self.dice_weight,
                "crossentropy_weight": self.crossentropy_weight, "classes": self.classes,
                "from_logits": self.from_logits}
