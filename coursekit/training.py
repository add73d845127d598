"""Bucle de entrenamiento compartido por todos los cuadernos: ``train`` y ``evaluate``.

``train`` recibe un modelo Keras y arrays de NumPy (o un ``tf.data.Dataset`` de pares ``(x, y)``).
Comprueba los errores habituales con :mod:`coursekit.input_checks` (objetivos one-hot con una
pérdida *sparse*, imágenes con los canales delante, etiquetas de texto, píxeles en 0-255),
construye la tubería ``tf.data`` de :mod:`coursekit.input_pipeline` (caché, barajado con semilla,
lotes, aumento de datos solo en entrenamiento, precarga) y entrena con ``model.fit`` en la
estrategia de distribución con la que se construyó el modelo (ver :func:`coursekit.runtime.distribution_strategy`). Devuelve un
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
# ImageScaleWarning, check_inputs y default_loss se reexportan: los cuadernos y las pruebas los
# importan de aquí.
from coursekit.input_checks import (  # noqa: F401
    ImageScaleWarning,
    _check_labels_against_loss,
    _check_labels_against_model,
    _dataset_labels_kind,
    _default_loss_for_kind,
    _loss_name,
    _prepare,
    check_inputs,
    default_loss,
)
from coursekit.input_pipeline import _check_dataset, _model_shape, make_dataset
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


class SingleDeviceWarning(CourseKitWarning):
    """Aviso de que hay varias GPU pero el modelo se entrenará en una sola."""


def spanish_metric_name(name: str) -> str:
    """Traduce un nombre de métrica de Keras (``val_accuracy`` → ``val_exactitud``)."""
    prefix = "val_" if name.startswith("val_") else ""
    base = name[len(prefix):]
    return prefix + METRIC_NAMES_ES.get(base, base)


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


# `evaluate` y `Evaluation` viven en coursekit.evaluation; se reexportan aquí porque los cuadernos
# los importan de training. Va al final porque evaluation importa coursekit.input_checks, no este
# módulo, así que no hay ciclo.
from coursekit.evaluation import Evaluation, evaluate  # noqa: E402, F401
