"""Comprobaciones de lo que recibe ``train`` o ``evaluate`` antes de que llegue a Keras.

Formas de las imágenes frente a la entrada del modelo, tipo de etiquetas frente a la pérdida y a
las salidas, etiquetas de texto, píxeles en la escala 0-255 y elección de la pérdida por defecto.
Cada problema sale como error o aviso en español con la solución. Importa Keras al importarse.
"""

from __future__ import annotations

import warnings

import keras
import numpy as np

from coursekit._errors import CourseKitWarning, invalid_value
from coursekit.input_pipeline import _is_batched, _model_shape


class ImageScaleWarning(CourseKitWarning):
    """Aviso de imágenes en la escala 0-255 que llegan a un modelo sin capa de reescalado."""


# --------------------------------------------------------------------------- comprobaciones


def _loss_name(loss) -> str:
    if loss is None:
        return ""
    if isinstance(loss, str):
        return loss.lower()
    name = getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__
    return str(name).lower()


def _labels_kind(y: np.ndarray) -> str:
    """Clasifica las etiquetas: ``"sparse"`` (enteros), ``"onehot"`` (filas de probabilidades) u ``"other"``."""
    if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
        return "sparse" if np.issubdtype(y.dtype, np.integer) or np.all(np.mod(y, 1) == 0) else "other"
    if y.ndim == 2 and y.shape[1] > 1 and np.all((y >= 0) & (y <= 1)) and np.allclose(y.sum(axis=1), 1):
        return "onehot"
    return "other"


def _check_labels_against_loss(y, loss, kind: str | None = None) -> None:
    """Rechaza etiquetas one-hot con una pérdida *sparse* y etiquetas enteras con una categórica.

    ``y`` es el array de etiquetas, o el ``TensorSpec`` de las de un dataset junto con su ``kind``.
    """
    kind = kind or _labels_kind(y)
    name = _loss_name(loss).replace("_", "")
    if "sparsecategorical" in name and kind == "onehot":
        raise invalid_value(
            "y", y, "etiquetas enteras (N,) con la pérdida sparse_categorical_crossentropy",
            "Las etiquetas están en one-hot: usa `loss='categorical_crossentropy'` o conviértelas con "
            "`y.argmax(axis=1)`.")
    if "sparse" not in name and "categorical" in name and kind == "sparse":
        raise invalid_value(
            "y", y, "etiquetas one-hot (N, clases) con la pérdida categorical_crossentropy",
            "Las etiquetas son enteros: usa `loss='sparse_categorical_crossentropy'` o conviértelas con "
            "`keras.utils.to_categorical(y)`.")


def _check_labels_against_model(y: np.ndarray, model) -> None:
    shape = _model_shape(model, "output_shape")
    units = shape[-1] if shape else None
    if units is None:
        return
    kind = _labels_kind(y)
    if kind == "onehot" and y.shape[1] != units:
        raise invalid_value("y", y, f"{units} columnas one-hot, una por salida del modelo",
                            "Revisa `num_classes` al construir el modelo.")
    if kind == "sparse" and units > 1 and (y.min() < 0 or y.max() >= units):
        raise invalid_value("y", y, f"etiquetas entre 0 y {units - 1} (el modelo tiene {units} salidas)",
                            f"Las etiquetas van de {int(y.min())} a {int(y.max())}: ajusta `num_classes` "
                            "del modelo o renumera las clases desde 0.")


def check_inputs(model, x, name: str = "x") -> None:
    """Comprueba que la forma de ``x`` (sin la dimensión del lote) encaja con la entrada del modelo.

    Detecta los dos errores más comunes: imágenes con los canales delante (``(N, 1, 28, 28)``, como
    en PyTorch) y la dimensión de canales olvidada (``(N, 28, 28)`` para un modelo ``(28, 28, 1)``).
    """
    expected = _model_shape(model, "input_shape")
    if expected is None or x.ndim == 0:
        return
    expected = expected[1:]
    received = tuple(x.shape[1:])
    if len(received) == len(expected) and all(e is None or e == r for e, r in zip(expected, received)):
        return
    expected_shape = "(N, " + ", ".join("?" if e is None else str(e) for e in expected) + ")"
    if len(received) == 3 and len(expected) == 3 and received[0] in (1, 3) and received[-1] not in (1, 3):
        raise invalid_value(name, x, f"imágenes con los canales al final {expected_shape}",
                            "Parece que los canales van delante (formato de PyTorch): "
                            "usa `np.moveaxis(x, 1, -1)`.")
    if len(received) + 1 == len(expected) and expected[-1] == 1:
        raise invalid_value(name, x, f"un array de forma {expected_shape}",
                            "Falta la dimensión de canales: usa `x[..., None]`.")
    raise invalid_value(name, x, f"un array de forma {expected_shape}, la entrada del modelo",
                        "Redimensiona o rellena las imágenes (p. ej. `pad_to_32`) o construye el modelo "
                        "con `input_shape` igual a `x.shape[1:]`.")


def default_loss(y, output_units: int | None = None) -> str:
    """Elige la pérdida según las etiquetas: enteros → sparse, one-hot → categórica.

    Con una sola unidad de salida (sigmoide) y etiquetas 0/1 elige la entropía cruzada binaria.
    """
    return _default_loss_for_kind(_labels_kind(np.asarray(y)), output_units, y)


def _default_loss_for_kind(kind: str, output_units: int | None, y=None) -> str:
    if kind == "sparse" and output_units == 1:
        return "binary_crossentropy"
    if kind == "sparse":
        return "sparse_categorical_crossentropy"
    if kind == "onehot":
        return "categorical_crossentropy"
    raise invalid_value("y", y if y is not None else kind, "etiquetas enteras (N,) o one-hot (N, clases)",
                        "Para otros problemas (regresión, segmentación) pasa `loss=` explícitamente.")


# --------------------------------------------------------------------------- etiquetas de un dataset


def _dataset_labels_kind(spec, model) -> str:
    """Clasifica las etiquetas de un dataset como ``_labels_kind``, mirando solo su forma y tipo."""
    label = spec[1]
    rank = label.shape.rank
    if rank is None:
        return "other"
    rank -= 1 if _is_batched(spec, model) else 0
    if rank == 0 or (rank == 1 and label.shape[-1] == 1):
        return "sparse"
    if rank == 1 and not label.dtype.is_integer:
        return "onehot"
    return "other"


def _as_array(name, value):
    if isinstance(value, (list, tuple)):
        value = np.asarray(value)
    if not isinstance(value, np.ndarray):
        raise invalid_value(name, value, "un array de NumPy o un tf.data.Dataset",
                            f"Convierte `{name}` con `np.asarray(...)`.", error=TypeError)
    return value


def _prepare(model, x, y, name="x"):
    """Valida un par ``(x, y)`` de arrays y devuelve ``(x, y)`` listos para ``tf.data``."""
    x = _as_array(name, x)
    if y is None:
        raise invalid_value("y", y, "las etiquetas de `x`",
                            "Pasa `train(model, x, y)` o un tf.data.Dataset de pares (x, y).")
    y = _as_array("y", y)
    if len(x) != len(y):
        raise invalid_value("y", y, f"una etiqueta por imagen ({len(x)})",
                            "Comprueba que `x` e `y` salen de los mismos índices.")
    if len(x) == 0:
        raise invalid_value(name, x, "al menos una imagen")
    y = _numeric_labels(y)
    check_inputs(model, x, name)
    _warn_if_0_255(model, x, name)
    return x, y


def _numeric_labels(y):
    """Devuelve ``y`` como array numérico o rechaza etiquetas de texto con una solución."""
    if y.dtype.kind == "O":
        try:
            y = np.asarray(y.tolist())
        except (TypeError, ValueError):
            pass
    if y.dtype.kind in "OUS":
        raise invalid_value("y", y, "un array de etiquetas numéricas (enteros de 0 a clases − 1, o filas one-hot)",
                            "Convierte los nombres de clase en números con "
                            "`clases, y = np.unique(y, return_inverse=True)`.", error=TypeError)
    return y


# Un máximo por encima de este valor con mínimo ≥ 0 no sale de normalizar a [0, 1] ni de
# estandarizar (media 0, desviación 1): son píxeles en la escala 0-255.
_PIXEL_SCALE_THRESHOLD = 25.0


def _warn_if_0_255(model, x, name):
    """Avisa si ``x`` trae píxeles en 0-255 y el modelo no tiene ninguna capa de reescalado."""
    if not np.issubdtype(x.dtype, np.number) or x.size == 0 or _has_rescaling(model):
        return
    low, high = float(np.min(x)), float(np.max(x))
    if low >= 0 and high > _PIXEL_SCALE_THRESHOLD:
        warnings.warn(
            f"Los valores de `{name}` van de {low:g} a {high:g}: parecen píxeles de 0 a 255, y el modelo "
            "no tiene una capa Rescaling ni Normalization. Los modelos de coursekit esperan valores "
            f"en [0, 1]: divide antes de entrenar (`{name} = {name} / 255.0`) o pon "
            "`keras.layers.Rescaling(1 / 255)` como primera capa.", ImageScaleWarning, stacklevel=4)


def _has_rescaling(model) -> bool:
    """Indica si ``model`` (o un submodelo suyo) contiene una capa Rescaling o Normalization."""
    pending = list(getattr(model, "layers", []))
    while pending:
        layer = pending.pop()
        if isinstance(layer, (keras.layers.Rescaling, keras.layers.Normalization)):
            return True
        pending.extend(getattr(layer, "layers", []))
    return False
