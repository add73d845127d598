"""Bucle de entrenamiento compartido por todos los cuadernos: ``train`` y ``evaluate``.

``train`` recibe un modelo Keras y arrays de NumPy (o un ``tf.data.Dataset`` de pares ``(x, y)``).
Comprueba los errores habituales (objetivos one-hot con una pérdida *sparse*, imágenes con los canales
delante, etiquetas de texto, píxeles en 0-255), construye la tubería ``tf.data`` de
:mod:`coursekit.input_pipeline` (caché, barajado con semilla, lotes, aumento de datos solo en
entrenamiento, precarga) y entrena con ``model.fit`` en la estrategia de distribución con la
que se construyó el modelo (ver :func:`coursekit.runtime.distribution_strategy`). Devuelve un
:class:`TrainingHistory`.

``evaluate`` predice un conjunto entero y devuelve un :class:`Evaluation` con la exactitud
(``accuracy``), la pérdida, la matriz de confusión y la precisión, sensibilidad y F1 por clase.

Este módulo importa TensorFlow al importarse; ``import coursekit`` no lo importa.
"""

from __future__ import annotations

import logging
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from coursekit._errors import CourseKitWarning, check_positive_int, invalid_value
from coursekit.input_pipeline import _check_dataset, _is_batched, _model_shape, make_dataset
from coursekit.runtime import default_seed, gpu_names

logger = logging.getLogger(__name__)

# Nombres en español de las métricas que muestra la línea de progreso y las figuras.
METRIC_NAMES_ES = {
    "loss": "pérdida",
    "accuracy": "exactitud",
    "sparse_categorical_accuracy": "exactitud",
    "categorical_accuracy": "exactitud",
    "compile_metrics": "métricas",
}
_LOWER_IS_BETTER = ("loss", "error", "mse", "mae")


class ImageScaleWarning(CourseKitWarning):
    """Aviso de imágenes en la escala 0-255 que llegan a un modelo sin capa de reescalado."""


class SingleDeviceWarning(CourseKitWarning):
    """Aviso de que hay varias GPU pero el modelo se entrenará en una sola."""


def spanish_metric_name(name: str) -> str:
    """Traduce un nombre de métrica de Keras (``val_accuracy`` → ``val_exactitud``)."""
    prefix = "val_" if name.startswith("val_") else ""
    base = name[len(prefix):]
    return prefix + METRIC_NAMES_ES.get(base, base)


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


# --------------------------------------------------------------------------- progreso e historial


class SpanishProgress(keras.callbacks.Callback):
    """Escribe una línea en español por época: ``Época 3/10 — pérdida 0.1234 — exactitud 0.9712``.

    Es el único sitio de coursekit que escribe en ``sys.stdout`` directamente: la salida de un cuaderno
    debe mostrar el progreso aunque no se haya configurado ``logging``. La línea no lleva tiempos ni
    nada que cambie entre ejecuciones con la misma semilla.
    """

    def __init__(self, epochs: int, stream=None):
        super().__init__()
        self.epochs = epochs
        self.stream = stream

    def on_epoch_end(self, epoch, logs=None):
        stream = self.stream or sys.stdout
        stream.write(format_epoch_line(epoch + 1, self.epochs, logs or {}) + "\n")
        stream.flush()


def format_epoch_line(epoch: int, epochs: int, logs: dict) -> str:
    """Devuelve la línea de progreso de una época; las métricas de validación van al final."""
    def order(name):
        base = name[4:] if name.startswith("val_") else name
        return (name.startswith("val_"), base != "loss")

    names = sorted(logs, key=order)
    parts = [f"Época {epoch}/{epochs}"]
    parts += [f"{spanish_metric_name(n)} {float(logs[n]):.4f}" for n in names
              if np.ndim(logs[n]) == 0 and n != "learning_rate"]
    return " — ".join(parts)


class _Timer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()
        self.elapsed = 0.0

    def on_train_end(self, logs=None):
        self.elapsed = time.perf_counter() - self.start


class BestEpoch(NamedTuple):
    """Mejor época de una métrica (numerada desde 1) y su valor."""

    epoch: int
    value: float


@dataclass
class TrainingHistory:
    """Historial de un entrenamiento: una lista por métrica, una entrada por época.

    Atributos:
        metrics: ``{"loss": [...], "accuracy": [...], "val_loss": [...], ...}`` con los nombres de Keras.
        elapsed_seconds: tiempo de pared de ``model.fit`` (incluye la validación).
        images_per_second: imágenes de entrenamiento por época × épocas / ``elapsed_seconds``, así que
            el tiempo de validación cuenta en contra (``None`` si la entrada es un
            ``tf.data.Dataset``, cuyo número de imágenes no se conoce sin recorrerlo).
        train_images: imágenes de entrenamiento por época (``None`` si no se sabe).
    """

    metrics: dict[str, list[float]] = field(default_factory=dict)
    elapsed_seconds: float = 0.0
    images_per_second: float | None = None
    train_images: int | None = None

    @property
    def epochs(self) -> list[int]:
        """Números de época, desde 1."""
        lengths = [len(values) for values in self.metrics.values()]
        return list(range(1, max(lengths, default=0) + 1))

    def __getitem__(self, name: str) -> list[float]:
        if name not in self.metrics:
            raise invalid_value("metric", name, "una de " + ", ".join(self.metrics), error=KeyError)
        return self.metrics[name]

    def __contains__(self, name: str) -> bool:
        return name in self.metrics

    def best(self, metric: str = "val_loss") -> BestEpoch:
        """Devuelve la mejor época de ``metric``: mínimo para pérdidas y errores, máximo para el resto."""
        values = self[metric]
        lower = any(word in metric for word in _LOWER_IS_BETTER)
        index = int(np.argmin(values) if lower else np.argmax(values))
        return BestEpoch(index + 1, float(values[index]))

    def final(self, metric: str) -> float:
        """Devuelve el valor de ``metric`` en la última época."""
        return float(self[metric][-1])

    def plot(self, metrics=None):
        """Dibuja las curvas de aprendizaje con etiquetas en español y devuelve la figura."""
        from coursekit.plots.curves import plot_history

        return plot_history(self, metrics=metrics)

    def __str__(self) -> str:
        last = {name: values[-1] for name, values in self.metrics.items()}
        return format_epoch_line(len(self.epochs), len(self.epochs), last)


# --------------------------------------------------------------------------- train


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


def train(model, x, y=None, *, validation_data=None, epochs=5, batch_size=32, optimizer="adam",
          learning_rate=1e-3, loss=None, metrics=None, callbacks=None, augment=None, shuffle=True,
          seed=None, steps_per_execution=16, verbose=1) -> TrainingHistory:
    """Entrena ``model`` y devuelve su :class:`TrainingHistory`.

    Args:
        model: modelo Keras 3. Si no está compilado, se compila con ``optimizer`` (nombre o instancia)
            a la tasa de aprendizaje ``learning_rate``, con ``loss`` (por defecto la entropía cruzada
            *sparse* para etiquetas enteras y la categórica para one-hot) y con ``metrics`` (por
            defecto la exactitud). Si ya está compilado, se respeta su compilación.
        x, y: arrays de NumPy con las imágenes ``(N, alto, ancho, canales)`` y las etiquetas; o ``x``
            es un ``tf.data.Dataset`` de pares ``(x, y)`` e ``y`` queda en ``None``.
        validation_data: ``(x_val, y_val)`` o un ``tf.data.Dataset``; nunca se aumenta ni se baraja.
        epochs, batch_size: épocas y tamaño del lote (lote global si hay varias GPU).
        augment: capa de Keras o función aplicada a cada lote de entrenamiento (nunca a validación).
            Una función de un argumento recibe las imágenes; una de dos recibe ``(x, y)`` y devuelve
            ``(x, y)``, útil para aumentar imagen y máscara a la vez.
        shuffle, seed: barajado en cada época con semilla (por defecto ``COURSEKIT_SEED`` o 42). Para
            que los pesos iniciales también sean reproducibles, llama a ``seed_everything`` antes de
            construir el modelo.
        steps_per_execution: lotes que ejecuta cada llamada a la función compilada de TensorFlow al
            compilar aquí el modelo. Con modelos pequeños y lotes de 32 el coste fijo de cada llamada
            desde Python pesa tanto como el cálculo, y agrupar 16 lotes lo reparte (ver
            ``benchmarks/bench_training.py``). Los resultados no cambian; las retrollamadas por lote
            se llaman una vez por grupo.
        verbose: 1 escribe una línea en español por época (sin tiempos); 0 no escribe nada; 2 se
            acepta por compatibilidad con ``model.fit`` y equivale a 1.

    Varias GPU: construye el modelo dentro de ``coursekit.runtime.distribution_strategy().scope()``
    (una ``MirroredStrategy``) para que sus variables se repliquen. ``train`` compila y entrena en la
    estrategia con la que se creó el modelo. Si hay varias GPU y el modelo se creó fuera de ella,
    avisa con :class:`SingleDeviceWarning`. Con la precisión mixta activada (``enable_mixed_precision``),
    Keras envuelve el optimizador en un ``LossScaleOptimizer`` al compilar.

    Raises:
        ValueError: etiquetas one-hot con una pérdida *sparse* (o al revés), imágenes con los canales
            delante o de otra forma que la entrada del modelo, etiquetas fuera de rango.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    steps_per_execution = check_positive_int("steps_per_execution", steps_per_execution)
    if verbose not in (0, 1, 2):
        raise invalid_value("verbose", verbose, "0 (silencio) o 1 (una línea por época)")
    seed = default_seed() if seed is None else seed
    train_images = None

    if isinstance(x, tf.data.Dataset):
        if y is not None:
            raise invalid_value("y", y, "None cuando `x` es un tf.data.Dataset",
                                "El dataset ya trae las etiquetas en pares (x, y).")
        _check_dataset(x)
        labels_for_checks = None
    else:
        x, y = _prepare(model, x, y)
        labels_for_checks = y
        train_images = len(x)

    if not model.compiled:
        output_shape = _model_shape(model, "output_shape")
        output_units = output_shape[-1] if output_shape else None
        if loss is None:
            if labels_for_checks is None:
                loss = _default_loss_for_kind(_dataset_labels_kind(x.element_spec, model), output_units)
            else:
                loss = default_loss(labels_for_checks, output_units)
        if metrics is None:
            metrics = ["accuracy"] if "crossentropy" in _loss_name(loss) else []
        if isinstance(optimizer, str):
            optimizer = keras.optimizers.get({"class_name": optimizer,
                                              "config": {"learning_rate": learning_rate}})
        with _strategy_scope(model):
            model.compile(optimizer=optimizer, loss=loss, metrics=metrics,
                          steps_per_execution=steps_per_execution)
    elif loss is not None:
        logger.info("El modelo ya estaba compilado; se ignora `loss=%s`.", loss)
    if labels_for_checks is None:
        _check_labels_against_loss(x.element_spec[1], model.loss, _dataset_labels_kind(x.element_spec, model))
    else:
        _check_labels_against_loss(labels_for_checks, model.loss)
        if "crossentropy" in _loss_name(model.loss):
            _check_labels_against_model(labels_for_checks, model)

    train_ds = make_dataset(x, y, batch_size=batch_size, shuffle=shuffle, seed=seed, augment=augment,
                            model=model)
    val_ds = None
    if validation_data is not None:
        if isinstance(validation_data, tf.data.Dataset):
            val_ds = make_dataset(validation_data, batch_size=batch_size, model=model)
        else:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise invalid_value("validation_data", validation_data, "una tupla (x_val, y_val)",
                                    error=TypeError)
            x_val, y_val = _prepare(model, *validation_data, name="x_val")
            _check_labels_against_loss(y_val, model.loss)
            val_ds = make_dataset(x_val, y_val, batch_size=batch_size, model=model)

    timer = _Timer()
    all_callbacks = [timer] + list(callbacks or [])
    if verbose:
        all_callbacks.append(SpanishProgress(epochs))
    keras_history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, callbacks=all_callbacks,
                              shuffle=False, verbose=0)
    metrics_per_epoch = {name: [float(v) for v in values] for name, values in keras_history.history.items()
                         if name != "learning_rate"}
    ran_epochs = max((len(v) for v in metrics_per_epoch.values()), default=0)
    speed = None
    if train_images is not None and timer.elapsed > 0:
        speed = train_images * ran_epochs / timer.elapsed
    return TrainingHistory(metrics_per_epoch, timer.elapsed, speed, train_images)


def _strategy_scope(model):
    """Devuelve el ámbito de la estrategia con la que se crearon las variables del modelo.

    Keras 3 guarda en ``model.distribute_strategy`` la estrategia activa al construir el modelo; el
    optimizador debe crearse en la misma. Si hay varias GPU y el modelo se construyó fuera de
    ``distribution_strategy().scope()``, avisa de que solo se usará una.
    """
    strategy = getattr(model, "distribute_strategy", None) or tf.distribute.get_strategy()
    if strategy.num_replicas_in_sync == 1 and len(gpu_names()) > 1:
        warnings.warn(
            "Hay varias GPU, pero el modelo se construyó fuera de una estrategia de distribución y "
            "se entrenará en una sola. Constrúyelo dentro de "
            "`with coursekit.runtime.distribution_strategy().scope():`.", SingleDeviceWarning, stacklevel=3)
    return strategy.scope()


def __getattr__(name):
    # `evaluate` y `Evaluation` viven en coursekit.evaluation; se reexportan aquí porque los cuadernos
    # los importan de training. La importación es perezosa porque evaluation importa este módulo.
    if name in ("evaluate", "Evaluation"):
        from coursekit import evaluation

        return getattr(evaluation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
