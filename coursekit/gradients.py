"""Desvanecimiento del gradiente, medido: normas del gradiente capa a capa en redes profundas.

Dos familias de redes de juguete, pensadas para compararse entre sí con la misma profundidad:

- ``deep_mlp``: capas densas apiladas con sigmoide, tanh o ReLU (la comparación de activaciones).
- ``deep_cnn``: convoluciones 3×3 apiladas, planas o con conexiones de salto (*skip connections*)
  cada dos capas, con o sin normalización por lotes (la comparación de He et al., 2015).

``gradient_norms`` calcula, para un lote, la norma L2 del gradiente de la pérdida respecto al
núcleo de cada capa con pesos, ordenadas de la entrada a la salida. Si la norma cae varios órdenes
de magnitud hacia las primeras capas, esas capas apenas aprenden: es el desvanecimiento del
gradiente.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from coursekit._errors import check_choice, check_positive_int, invalid_value
from coursekit.models._common import BATCH_NORM_MOMENTUM

ACTIVATIONS = ("sigmoid", "tanh", "relu")


def _check_activation(activation: object) -> str:
    return check_choice("activation", activation, ACTIVATIONS)


def deep_mlp(depth: int = 20, activation: str = "sigmoid", *, width: int = 64,
             input_shape=(28, 28, 1), num_classes: int = 10,
             kernel_initializer: str = "glorot_uniform", name: str | None = None) -> keras.Model:
    """Construye un perceptrón de ``depth`` capas densas ocultas de ``width`` neuronas.

    Las capas ocultas se llaman ``densa01``, ``densa02``... para que las gráficas sigan su orden.
    Todas usan el mismo inicializador, de modo que la única diferencia entre dos redes sea la
    activación.
    """
    depth = check_positive_int("depth", depth)
    width = check_positive_int("width", width)
    activation = _check_activation(activation)
    inputs = keras.Input(shape=tuple(input_shape), name="imagen")
    x = layers.Flatten(name="aplanar")(inputs)
    for index in range(1, depth + 1):
        x = layers.Dense(width, activation=activation, kernel_initializer=kernel_initializer,
                         name=f"densa{index:02d}")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="salida")(x)
    return keras.Model(inputs, outputs, name=name or f"mlp{depth}_{activation}")


def _conv(x, width: int, batch_norm: bool, activation: str | None, name: str):
    """Convolución 3×3 "same" (sin sesgo si la sigue normalización), normalización y activación."""
    x = layers.Conv2D(width, 3, padding="same", use_bias=not batch_norm,
                      kernel_initializer="he_normal", name=name)(x)
    if batch_norm:
        x = layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name=f"{name}_bn")(x)
    if activation:
        x = layers.Activation(activation, name=f"{name}_{activation}")(x)
    return x


def deep_cnn(depth: int = 20, *, residual: bool = False, batch_norm: bool = True,
             activation: str = "relu", width: int = 16, input_shape=(28, 28, 1),
             num_classes: int = 10, name: str | None = None) -> keras.Model:
    """Construye una CNN con ``depth`` capas con pesos, plana o residual, como en He et al. (2015).

    Tallo: convolución 3×3 y agrupamiento máximo 2×2. Cuerpo: ``depth − 2`` convoluciones 3×3 de
    ``width`` filtros (``conv01``, ``conv02``...). Con ``residual=True`` cada par forma un bloque
    básico ``relu(x + F(x))``. Salida: agrupamiento promedio global y una capa densa, así que la
    red tiene ``depth`` capas con pesos, contadas como en el artículo.

    Args:
        depth: capas con pesos; par y al menos 4 (con ``residual=True`` el cuerpo va por pares).
        residual: añade conexiones de salto de identidad cada dos convoluciones.
        batch_norm: normalización por lotes tras cada convolución.
        activation: ``"relu"``, ``"tanh"`` o ``"sigmoid"``.
        width: filtros de todas las convoluciones.

    Raises:
        ValueError: si ``depth`` es impar o menor que 4.
    """
    depth = check_positive_int("depth", depth, minimum=4)
    if depth % 2:
        raise invalid_value("depth", depth, "un número par ≥ 4",
                            f"Las convoluciones del cuerpo van por pares; usa {depth + 1}.")
    width = check_positive_int("width", width)
    activation = _check_activation(activation)
    inputs = keras.Input(shape=tuple(input_shape), name="imagen")
    x = _conv(inputs, width, batch_norm, activation, "conv00")
    x = layers.MaxPooling2D(2, name="pool")(x)
    for pair in range((depth - 2) // 2):
        first, second = f"conv{2 * pair + 1:02d}", f"conv{2 * pair + 2:02d}"
        y = _conv(x, width, batch_norm, activation, first)
        if residual:
            y = _conv(y, width, batch_norm, None, second)
            y = layers.Add(name=f"{second}_suma")([x, y])
            x = layers.Activation(activation, name=f"{second}_salida")(y)
        else:
            x = _conv(y, width, batch_norm, activation, second)
    x = layers.GlobalAveragePooling2D(name="promedio_global")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="salida")(x)
    kind = "residual" if residual else "plana"
    return keras.Model(inputs, outputs, name=name or f"cnn{depth}_{kind}")


@dataclass
class GradientProfile:
    """Normas L2 del gradiente por capa con pesos, de la entrada a la salida."""

    label: str
    layer_names: list[str]
    norms: np.ndarray

    @property
    def first_to_last_ratio(self) -> float:
        """Norma de la primera capa entre la de la última: ≪ 1 indica desvanecimiento."""
        return float(self.norms[0] / self.norms[-1])


def gradient_norms(model, x, y, label: str | None = None, training: bool = True) -> GradientProfile:
    """Calcula la norma del gradiente de la entropía cruzada respecto al núcleo de cada capa.

    Usa un solo lote ``(x, y)`` con etiquetas enteras. Con ``training=True`` la normalización por
    lotes usa las estadísticas del lote, como durante el entrenamiento. Solo cuenta los núcleos
    (no sesgos ni parámetros de normalización) de las capas ``Conv2D`` y ``Dense``.
    """
    import tensorflow as tf

    if not isinstance(model, keras.Model):
        raise invalid_value("model", model, "un keras.Model", error=TypeError)
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y)
    if len(x) != len(y):
        raise invalid_value("y", y, f"{len(x)} etiquetas, una por imagen de `x`")
    weighted = [layer for layer in model.layers
                if isinstance(layer, (layers.Conv2D, layers.Dense))]
    kernels = [layer.kernel for layer in weighted]
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=training))
    grads = tape.gradient(loss, kernels)
    norms = np.array([float(tf.norm(g)) for g in grads])
    return GradientProfile(label or model.name, [layer.name for layer in weighted], norms)


def compare_gradient_norms(builders, x, y, seed: int = 0) -> list[GradientProfile]:
    """Construye cada modelo de ``builders`` ({etiqueta: función sin argumentos}) y mide sus normas.

    Antes de cada construcción fija la semilla de Keras, para que las diferencias vengan de la
    arquitectura y no de la inicialización.
    """
    if not isinstance(builders, dict) or not builders:
        raise invalid_value("builders", builders, "un diccionario no vacío {etiqueta: constructor}",
                            error=TypeError)
    profiles = []
    for label, build in builders.items():
        keras.utils.set_random_seed(seed)
        profiles.append(gradient_norms(build(), x, y, label=label))
    return profiles


def format_gradient_summary(profiles) -> str:
    """Escribe una fila por red: norma en la primera capa, en la última y su cociente."""
    lines = [f"{'red':<28}{'primera capa':>14}{'última capa':>14}{'primera/última':>16}"]
    for profile in profiles:
        lines.append(f"{profile.label:<28}{profile.norms[0]:>14.2e}{profile.norms[-1]:>14.2e}"
                     f"{profile.first_to_last_ratio:>16.2e}")
    return "\n".join(lines)


@dataclass
class TrainingResult:
    """Resultado de entrenar una red en una comparación con el mismo presupuesto."""

    name: str
    parameters: int
    history: object
    test_accuracy: float
    seconds: float


def train_comparison(builders, train_data, validation_data, test_data, *, epochs: int,
                     batch_size: int = 64, learning_rate: float = 1e-3,
                     seed: int = 0) -> list[TrainingResult]:
    """Entrena cada red de ``builders`` con los mismos datos, épocas, lote y optimizador (Adam).

    ``builders`` es {nombre: función sin argumentos que devuelve el modelo}; cada modelo se
    construye tras fijar la semilla. Devuelve, por red, su historial, la exactitud en ``test_data``
    y los segundos de entrenamiento (tiempo de pared de ``model.fit``, que depende de la máquina).
    """
    if not isinstance(builders, dict) or not builders:
        raise invalid_value("builders", builders, "un diccionario no vacío {nombre: constructor}",
                            error=TypeError)
    results = []
    # Cada modelo nuevo traza sus propias funciones de entrenamiento y predicción. A partir del
    # quinto, TensorFlow avisa de «retracing» aunque aquí es lo esperado, así que silenciamos ese
    # aviso solo durante el bucle.
    tf_logger = logging.getLogger("tensorflow")
    previous_level = tf_logger.level
    tf_logger.setLevel(logging.ERROR)
    try:
        for name, build in builders.items():
            results.append(_train_one(name, build, train_data, validation_data, test_data,
                                      epochs, batch_size, learning_rate, seed))
    finally:
        tf_logger.setLevel(previous_level)
    return results


def _train_one(name, build, train_data, validation_data, test_data, epochs, batch_size,
               learning_rate, seed) -> TrainingResult:
    """Construye y entrena una red de ``train_comparison`` y la evalúa en test."""
    from coursekit.training import evaluate, train

    keras.utils.set_random_seed(seed)
    model = build()
    history = train(model, *train_data, validation_data=validation_data, epochs=epochs,
                    batch_size=batch_size, learning_rate=learning_rate, seed=seed, verbose=0)
    accuracy = evaluate(model, *test_data).accuracy
    parameters = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    return TrainingResult(name, parameters, history, accuracy, history.elapsed_seconds)


def format_training_results(results, include_time: bool = True) -> str:
    """Escribe una fila por red: parámetros, exactitud de entrenamiento y de test, y segundos."""
    header = f"{'red':<24}{'parámetros':>12}{'exact. entren.':>16}{'exact. test':>13}"
    if include_time:
        header += f"{'segundos':>10}"
    lines = [header]
    for result in results:
        line = (f"{result.name:<24}{result.parameters:>12,}"
                f"{result.history.final('accuracy'):>16.3f}{result.test_accuracy:>13.3f}")
        if include_time:
            line += f"{result.seconds:>10.1f}"
        lines.append(line)
    return "\n".join(lines)
