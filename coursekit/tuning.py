"""Búsqueda de hiperparámetros en una rejilla pequeña, evaluada en la partición de validación.

Se eligió una rejilla propia en lugar de KerasTuner por tres razones. Cada prueba es una llamada
normal a :func:`coursekit.training.train` que el estudiante puede leer. El resultado es una tabla con
todas las pruebas, en el orden en que se hicieron, que va tal cual al fichero de resultados. Y no
escribe carpetas de estado que, al volver a ejecutar el cuaderno, recuperen pruebas antiguas en
lugar de repetirlas. Con ``max_trials`` se prueba un subconjunto aleatorio (con semilla) de la
rejilla, que es la búsqueda aleatoria de Bergstra y Bengio (2012) restringida a valores discretos.

El conjunto de prueba no interviene nunca: el mejor modelo se elige por exactitud de validación.
"""

from __future__ import annotations

import itertools
import logging
import time
from dataclasses import dataclass, field

import keras
import numpy as np

from coursekit._errors import check_positive_int, invalid_value

logger = logging.getLogger(__name__)

OPTIMIZERS = ("adam", "sgd", "rmsprop", "adamw")


def make_optimizer(name: str, learning_rate: float):
    """Crea un optimizador de Keras por nombre; ``"sgd"`` lleva momento 0,9, como es habitual."""
    if name not in OPTIMIZERS:
        raise invalid_value("optimizer", name, "uno de " + ", ".join(OPTIMIZERS),
                            "Escribe el nombre en minúsculas, p. ej. 'adam'.")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) or not 0 < learning_rate < 1:
        raise invalid_value("learning_rate", learning_rate, "un número entre 0 y 1 (sin incluirlos)",
                            "Valores típicos: 1e-3 para Adam, 1e-2 para SGD.")
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9)
    classes = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop,
               "adamw": keras.optimizers.AdamW}
    return classes[name](learning_rate=learning_rate)


def set_batchnorm_momentum(model, momentum: float) -> int:
    """Cambia el momento de las medias móviles de todas las capas ``BatchNormalization`` del modelo.

    Con el momento por defecto de Keras (0,99), las medias móviles que se usan en inferencia
    conservan un 0,99^n del valor inicial tras n pasos. Con unas decenas o cientos de pasos (un
    conjunto pequeño) van por detrás de los pesos, y en validación la red puede predecir una sola
    clase. Un momento de 0,9 o 0,5 las asienta en pocos pasos. Devuelve cuántas capas se cambiaron.
    """
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0 <= momentum < 1:
        raise invalid_value("batchnorm_momentum", momentum, "un número en [0, 1)", "Por ejemplo 0.5 o 0.9.")
    changed = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = float(momentum)
            changed += 1
        elif isinstance(layer, keras.Model):
            changed += set_batchnorm_momentum(layer, momentum)
    return changed


def grid(space: dict) -> list[dict]:
    """Devuelve todas las combinaciones de ``space`` (``{nombre: [valores]}``) en orden fijo.

    Ejemplo::

        >>> grid({"optimizer": ["adam", "sgd"], "learning_rate": [1e-3]})
        [{'optimizer': 'adam', 'learning_rate': 0.001}, {'optimizer': 'sgd', 'learning_rate': 0.001}]
    """
    if not isinstance(space, dict) or not space:
        raise invalid_value("space", space, "un diccionario {hiperparámetro: [valores]} no vacío",
                            "Por ejemplo {'optimizer': ['adam', 'sgd'], 'learning_rate': [1e-3, 1e-2]}.",
                            error=TypeError)
    for name, values in space.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)) or not values:
            raise invalid_value(f"space[{name!r}]", values, "una lista no vacía de valores",
                                f"Escribe los valores entre corchetes: {{'{name}': [{values!r}]}}.")
    names = list(space)
    return [dict(zip(names, combo)) for combo in itertools.product(*(space[n] for n in names))]


@dataclass
class Trial:
    """Una prueba de la búsqueda: hiperparámetros, métricas de validación de la última época y tiempo."""

    hyperparameters: dict
    val_accuracy: float
    val_loss: float
    seconds: float
    history: object = field(repr=False, default=None)

    def as_record(self) -> dict:
        """Devuelve la prueba en el formato del fichero de resultados."""
        return {"hyperparameters": _plain(self.hyperparameters), "val_accuracy": self.val_accuracy,
                "val_loss": self.val_loss}


@dataclass
class SearchResult:
    """Resultado de :func:`grid_search`: todas las pruebas, la mejor y su modelo ya entrenado."""

    name: str
    trials: list[Trial]
    best_index: int
    best_model: object = field(repr=False, default=None)

    @property
    def best(self) -> Trial:
        return self.trials[self.best_index]

    @property
    def best_hyperparameters(self) -> dict:
        return dict(self.best.hyperparameters)

    def records(self) -> list[dict]:
        """Devuelve las pruebas en el formato del fichero de resultados."""
        return [trial.as_record() for trial in self.trials]

    def table(self) -> str:
        """Devuelve una tabla de texto con una fila por prueba; la mejor lleva una flecha."""
        names = list(self.trials[0].hyperparameters)
        widths = [max(len(n), *(len(_format(t.hyperparameters[n])) for t in self.trials)) for n in names]
        header = "   " + "  ".join(f"{n:<{w}}" for n, w in zip(names, widths)) + "  exactitud_val  pérdida_val"
        lines = [f"Búsqueda de {self.name}: {len(self.trials)} pruebas", header]
        for i, trial in enumerate(self.trials):
            mark = "→  " if i == self.best_index else "   "
            cells = "  ".join(f"{_format(trial.hyperparameters[n]):<{w}}" for n, w in zip(names, widths))
            lines.append(f"{mark}{cells}  {trial.val_accuracy:>13.4f}  {trial.val_loss:>11.4f}")
        return "\n".join(lines)


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _plain(hyperparameters: dict) -> dict:
    """Convierte tuplas y tipos de NumPy a tipos de JSON."""
    plain = {}
    for key, value in hyperparameters.items():
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, np.generic):
            value = value.item()
        plain[key] = value
    return plain


def grid_search(build_model, space: dict, train_data, validation_data, *, epochs: int = 5,
                batch_size: int = 32, max_trials: int | None = None, seed: int = 0, augment=None,
                name: str | None = None, batchnorm_momentum: float | None = None,
                verbose: int = 0) -> SearchResult:
    """Entrena un modelo por combinación de ``space`` y elige la mejor por exactitud de validación.

    Args:
        build_model: función ``build_model(hp) -> keras.Model`` (sin compilar) que lee de ``hp`` los
            hiperparámetros de arquitectura que necesite (p. ej. ``hp["dropout"]``).
        space: ``{nombre: [valores]}``. ``optimizer`` (por defecto ``"adam"``), ``learning_rate``
            (por defecto 1e-3) y ``batch_size`` los usa el entrenamiento; el resto, ``build_model``.
        train_data, validation_data: pares ``(x, y)``.
        epochs: épocas por prueba; las métricas son las de la última época.
        max_trials: si la rejilla tiene más combinaciones, se prueban ``max_trials`` elegidas al azar
            con ``seed`` (en el orden de la rejilla).
        seed: semilla de los pesos iniciales (la misma en cada prueba) y del barajado.
        augment: capa de aumento de datos que se aplica solo a los lotes de entrenamiento.
        batchnorm_momentum: si no es ``None``, momento de las capas ``BatchNormalization`` de cada
            modelo (ver :func:`set_batchnorm_momentum`); útil con entrenamientos de pocos pasos.
        verbose: 1 escribe una línea por época de cada prueba.

    El criterio es la mayor exactitud de validación; a igualdad, la menor pérdida de validación, y
    después la primera prueba. Se conserva entrenado solo el mejor modelo.
    """
    if not callable(build_model):
        raise invalid_value("build_model", build_model, "una función hp -> keras.Model", error=TypeError)
    epochs = check_positive_int("epochs", epochs)
    combos = grid(space)
    if max_trials is not None:
        max_trials = check_positive_int("max_trials", max_trials)
        if max_trials < len(combos):
            chosen = np.sort(np.random.default_rng(seed).choice(len(combos), max_trials, replace=False))
            combos = [combos[i] for i in chosen]
    name = name or "modelo"
    # Cada prueba construye un modelo nuevo, y TensorFlow avisa en inglés de que «retraza» sus
    # funciones; es lo esperado en una búsqueda, así que se silencia ese registro durante el bucle.
    tf_logger = logging.getLogger("tensorflow")
    previous_level = tf_logger.level
    tf_logger.setLevel(logging.ERROR)
    try:
        return _run_trials(build_model, combos, train_data, validation_data, epochs, batch_size, seed,
                           augment, name, batchnorm_momentum, verbose)
    finally:
        tf_logger.setLevel(previous_level)


def _run_trials(build_model, combos, train_data, validation_data, epochs, batch_size, seed, augment, name,
                batchnorm_momentum, verbose) -> SearchResult:
    from coursekit.training import train

    trials, best_index, best_model = [], None, None
    for number, hp in enumerate(combos, start=1):
        keras.utils.set_random_seed(seed)
        model = build_model(dict(hp))
        if not isinstance(model, keras.Model):
            raise invalid_value("build_model", type(model).__name__, "una función que devuelva un keras.Model",
                                "¿Falta el `return model` al final de la función?", error=TypeError)
        if batchnorm_momentum is not None:
            set_batchnorm_momentum(model, batchnorm_momentum)
        optimizer = make_optimizer(hp.get("optimizer", "adam"), hp.get("learning_rate", 1e-3))
        start = time.perf_counter()
        batches = even_batches(*train_data, hp.get("batch_size", batch_size), seed)
        history = train(model, batches, validation_data=validation_data, epochs=epochs, optimizer=optimizer,
                        augment=augment, seed=seed, verbose=verbose)
        trial = Trial(dict(hp), history.final("val_accuracy"), history.final("val_loss"),
                      time.perf_counter() - start, history)
        trials.append(trial)
        logger.info("%s, prueba %d/%d: %s → exactitud de validación %.4f", name, number, len(combos),
                    hp, trial.val_accuracy)
        if best_index is None or _better(trial, trials[best_index]):
            best_index, best_model = len(trials) - 1, model
    return SearchResult(name, trials, best_index, best_model)


def even_batches(x, y, batch_size: int, seed: int = 0):
    """Devuelve un ``tf.data.Dataset`` de entrenamiento, barajado en cada época, con lotes de tamaño par.

    En TensorFlow 2.21 sobre CPU con oneDNN, el gradiente de una convolución 1×1 con paso 2 (la
    proyección de los bloques residuales) aborta el proceso con un lote de tamaño impar, y con él el
    núcleo de Jupyter. Para evitarlo, si el último lote de la época saldría impar, se deja fuera un
    ejemplo por época (uno distinto cada vez, porque se elige tras barajar).
    """
    import tensorflow as tf

    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise invalid_value("y", y, f"una etiqueta por imagen ({len(x)})")
    batch_size = check_positive_int("batch_size", batch_size)
    if batch_size % 2:
        raise invalid_value("batch_size", batch_size, "un tamaño de lote par (16, 32, 64...)",
                            "Con lotes impares TensorFlow 2.21 en CPU puede abortar al entrenar una ResNet.")
    examples_per_epoch = len(x) - (len(x) % batch_size) % 2
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True).take(examples_per_epoch)
    return dataset.batch(batch_size)


def _better(candidate: Trial, incumbent: Trial) -> bool:
    if candidate.val_accuracy != incumbent.val_accuracy:
        return candidate.val_accuracy > incumbent.val_accuracy
    return candidate.val_loss < incumbent.val_loss
