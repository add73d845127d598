"""Coste de una arquitectura: parámetros, multiplicaciones-acumulaciones, memoria y tiempo por lote.

Todo sale de recorrer las capas de un ``keras.Model`` ya construido, así que sirve también para
los modelos de ``build_symbolic``, que declaran sus pesos sin reservar memoria ni inicializarlos:
así VGG16 se construye en centésimas de segundo en lugar de segundos y sin ocupar 553 MB. Solo
``time_per_batch`` necesita pesos reales.

Convenciones: una multiplicación-acumulación (MAC) es ``a + w · x``; las FLOPs que se citan para
redes convolucionales son 2 · MACs. Se cuentan las convoluciones y las capas densas, que son casi
todo el cómputo; la normalización, las activaciones, los agrupamientos y las sumas residuales se
ignoran (en ResNet-50 añaden menos del 1 %).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from coursekit._errors import check_positive_int, invalid_value

_WEIGHT_LAYERS = ("Conv2D", "Dense", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose")
# Capas cuya salida no es un tensor nuevo en inferencia (vistas o identidad).
_NO_NEW_ACTIVATION = ("InputLayer", "Flatten", "Reshape", "Dropout")


def build_symbolic(builder, *args, **kwargs):
    """Llama a ``builder(*args, **kwargs)`` sin reservar ni inicializar los pesos.

    Construye dentro de ``keras.StatelessScope(initialize_variables=False)``: las formas de capas y
    pesos existen, así que se pueden contar parámetros, MACs y activaciones, pero el modelo no se
    puede ejecutar ni entrenar.
    """
    import keras

    if not callable(builder):
        raise invalid_value("builder", builder, "una función que construya un modelo",
                            "Por ejemplo `build_symbolic(vgg, 16)`.", error=TypeError)
    with keras.StatelessScope(initialize_variables=False):
        return builder(*args, **kwargs)


def _check_model(model) -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise invalid_value("model", model, "un keras.Model construido",
                            "Pasa el modelo que devuelve un constructor, p. ej. `vgg(16)`.",
                            error=TypeError)


def _leaf_layers(model):
    """Devuelve las capas de ``model`` en orden, entrando en los submodelos anidados."""
    import keras

    result = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            result.extend(_leaf_layers(layer))
        else:
            result.append(layer)
    return result


def _per_image(shape) -> int:
    """Número de valores de una salida sin la dimensión de lote."""
    return math.prod(int(d) for d in shape[1:])


def parameter_counts(model) -> dict[str, int]:
    """Devuelve ``{"entrenables", "no_entrenables", "total"}`` contando las formas de los pesos.

    Las estadísticas móviles de ``BatchNormalization`` caen en ``no_entrenables``.
    """
    _check_model(model)
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    frozen = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    return {"entrenables": int(trainable), "no_entrenables": int(frozen),
            "total": int(trainable + frozen)}


def count_weight_layers(model, include_projections: bool = False) -> int:
    """Cuenta las capas convolucionales y densas, que son las "capas" del nombre ResNet-50 o VGG16.

    Las proyecciones 1×1 de los atajos de ResNet (capas cuyo nombre contiene ``"proyeccion"``) no
    cuentan en la convención del artículo; ``include_projections=True`` las suma.
    """
    _check_model(model)
    count = 0
    for layer in _leaf_layers(model):
        if type(layer).__name__ not in _WEIGHT_LAYERS:
            continue
        if not include_projections and "proyeccion" in layer.name:
            continue
        count += 1
    return count


def _pool_description(layer) -> str:
    """Describe un agrupamiento: ``"máx 3×3/2"``, ``"prom 2×2/2"`` o ``"prom global"``."""
    kind = type(layer).__name__
    prefix = "máx" if "Max" in kind else "prom"
    if "Global" in kind:
        return f"{prefix} global"
    size = "×".join(str(s) for s in layer.pool_size)
    return f"{prefix} {size}/{layer.strides[0]}"


def _activation_names(layer) -> set[str]:
    """Devuelve las activaciones no lineales que aplica ``layer`` (sin contar softmax ni lineal)."""
    kind = type(layer).__name__
    if kind == "ReLU":
        return {"relu"}
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None)
    if name in (None, "linear", "softmax"):
        return set()
    return {name}


def architecture_summary(model) -> dict:
    """Resume lo que la tabla de la clase afirma de una red, medido en el modelo.

    Devuelve ``{"capas_con_pesos", "entrada", "nucleos", "agrupamientos", "activaciones",
    "parametros"}``: capas convolucionales y densas (sin proyecciones de atajo), forma de entrada,
    tamaños de núcleo de las convoluciones, tipos de agrupamiento, activaciones ocultas y
    parámetros entrenables.
    """
    _check_model(model)
    kernels, pools, activations = set(), set(), set()
    for layer in _leaf_layers(model):
        kind = type(layer).__name__
        if kind.startswith("Conv"):
            kernels.add(tuple(layer.kernel_size))
        if "Pooling" in kind:
            pools.add(_pool_description(layer))
        activations |= _activation_names(layer)
    return {
        "capas_con_pesos": count_weight_layers(model),
        "entrada": "×".join(str(int(d)) for d in model.input_shape[1:]),
        "nucleos": ", ".join(f"{h}×{w}" for h, w in sorted(kernels, reverse=True)),
        "agrupamientos": ", ".join(sorted(pools)),
        "activaciones": ", ".join(sorted(activations)),
        "parametros": parameter_counts(model)["entrenables"],
    }


def format_architecture_summaries(models) -> str:
    """Escribe ``architecture_summary`` de cada modelo de ``models`` ({nombre: modelo}) en filas."""
    if not isinstance(models, dict) or not models:
        raise invalid_value("models", models, "un diccionario no vacío {nombre: modelo}",
                            error=TypeError)
    lines = []
    for name, model in models.items():
        summary = architecture_summary(model)
        parameters = f"{summary['parametros']:,}".replace(",", " ")
        lines.append(f"{name}: {summary['capas_con_pesos']} capas con pesos · entrada "
                     f"{summary['entrada']} · núcleos {summary['nucleos']} · agrupamiento "
                     f"{summary['agrupamientos']} · activación {summary['activaciones']} · "
                     f"{parameters} parámetros")
    return "\n".join(lines)


def layer_macs(layer) -> int:
    """Devuelve las multiplicaciones-acumulaciones de ``layer`` para una imagen (0 si no tiene pesos).

    Conv2D: H_sal · W_sal · C_sal · (k_h · k_w · C_ent / grupos). Dense: entradas · salidas por
    cada posición (una vez si la entrada es un vector).
    """
    kind = type(layer).__name__
    if kind not in _WEIGHT_LAYERS:
        return 0
    in_shape = layer.input.shape
    out_shape = layer.output.shape
    positions = math.prod(int(d) for d in out_shape[1:-1])
    if kind == "Dense":
        return positions * int(in_shape[-1]) * int(out_shape[-1])
    kernel = math.prod(layer.kernel_size)
    in_channels = int(in_shape[-1])
    if kind == "DepthwiseConv2D":
        return positions * kernel * int(out_shape[-1])
    if kind == "SeparableConv2D":
        middle = in_channels * layer.depth_multiplier
        spatial = positions * kernel * middle
        return spatial + positions * middle * int(out_shape[-1])
    if kind == "Conv2DTranspose":
        in_positions = math.prod(int(d) for d in in_shape[1:-1])
        return in_positions * kernel * in_channels * int(out_shape[-1])
    groups = getattr(layer, "groups", 1)
    return positions * kernel * (in_channels // groups) * int(out_shape[-1])


def count_macs(model) -> int:
    """Suma las multiplicaciones-acumulaciones de todas las capas para una imagen."""
    _check_model(model)
    return sum(layer_macs(layer) for layer in _leaf_layers(model))


def activation_values(model) -> int:
    """Cuenta los valores de activación que produce una imagen en la pasada hacia delante.

    Suma las salidas de todas las capas salvo las que no crean un tensor nuevo (entrada, aplanar,
    abandono). Es una estimación de lo que el entrenamiento guarda para retropropagar por imagen:
    TensorFlow puede liberar o fusionar algunas salidas y guarda además algunos tensores internos.
    """
    _check_model(model)
    return sum(_per_image(layer.output.shape) for layer in _leaf_layers(model)
               if type(layer).__name__ not in _NO_NEW_ACTIVATION)


def time_per_batch(model, batch_size: int = 8, repeats: int = 3, training: bool = False,
                   seed: int = 0) -> float:
    """Mide los segundos de una pasada por un lote aleatorio (la mediana de ``repeats`` pasadas).

    Con ``training=False`` mide la inferencia (``predict_on_batch``); con ``training=True`` un paso
    de entrenamiento completo (hacia delante, gradientes y SGD) con ``train_on_batch``, que compila
    el modelo con entropía cruzada. Hace una pasada previa sin medir para que el trazado de
    TensorFlow no cuente. Necesita pesos reales: un modelo construido en ``StatelessScope`` falla.
    """
    import numpy as np

    _check_model(model)
    batch_size = check_positive_int("batch_size", batch_size)
    repeats = check_positive_int("repeats", repeats)
    rng = np.random.default_rng(seed)
    x = rng.random((batch_size, *model.input_shape[1:]), dtype=np.float32)
    classes = int(model.output_shape[-1])
    y = rng.integers(0, classes, size=batch_size)
    if training:
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")

        def step():
            return model.train_on_batch(x, y)
    else:

        def step():
            return model.predict_on_batch(x)

    step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


@dataclass
class ArchitectureCost:
    """Coste medido de una arquitectura para una imagen (y un lote, si se cronometró)."""

    name: str
    input_shape: tuple
    parameters: int
    trainable_parameters: int
    weight_layers: int
    macs: int
    activation_values: int
    seconds_per_batch: float | None = None
    batch_size: int | None = None

    @property
    def flops(self) -> int:
        """Operaciones en coma flotante por imagen, con la convención FLOPs = 2 · MACs."""
        return 2 * self.macs

    @property
    def parameter_megabytes(self) -> float:
        """Memoria de todos los pesos en float32, en MB (10^6 bytes)."""
        return self.parameters * 4 / 1e6

    @property
    def activation_megabytes(self) -> float:
        """Memoria de las activaciones de una imagen en float32, en MB (10^6 bytes)."""
        return self.activation_values * 4 / 1e6


def measure_cost(model, name: str | None = None) -> ArchitectureCost:
    """Reúne parámetros, capas con pesos, MACs y activaciones de ``model`` sin ejecutarlo."""
    counts = parameter_counts(model)
    return ArchitectureCost(
        name=name or model.name,
        input_shape=tuple(int(d) for d in model.input_shape[1:]),
        parameters=counts["total"],
        trainable_parameters=counts["entrenables"],
        weight_layers=count_weight_layers(model),
        macs=count_macs(model),
        activation_values=activation_values(model),
    )


def format_cost_table(costs, include_time: bool = True) -> str:
    """Escribe una tabla de texto con una fila por arquitectura (cifras en notación del código).

    Columnas: capas con pesos, parámetros entrenables, millones de MACs por imagen y MB de
    activaciones por imagen.

    ``include_time=False`` omite la columna de tiempo, que cambia de una ejecución a otra.
    """
    costs = list(costs)
    if not costs or not all(isinstance(c, ArchitectureCost) for c in costs):
        raise invalid_value("costs", costs, "una lista no vacía de ArchitectureCost",
                            "Créalos con `measure_cost(modelo)`.", error=TypeError)
    header = (f"{'modelo':<14}{'entrada':>14}{'capas':>7}{'parámetros':>14}"
              f"{'MMACs':>11}{'activ. MB':>11}")
    if include_time:
        header += f"{'ms/lote':>10}"
    lines = [header, "-" * len(header)]
    for cost in costs:
        shape = "×".join(str(d) for d in cost.input_shape)
        timing = "—" if cost.seconds_per_batch is None else f"{cost.seconds_per_batch * 1e3:.0f}"
        line = (f"{cost.name:<14}{shape:>14}{cost.weight_layers:>7}"
                f"{cost.trainable_parameters:>14,}{cost.macs / 1e6:>11,.1f}"
                f"{cost.activation_megabytes:>11.2f}")
        lines.append(line + (f"{timing:>10}" if include_time else ""))
    return "\n".join(lines)
