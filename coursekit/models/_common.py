"""Piezas comunes de los constructores de modelos: validación de entradas y tamaño mínimo.

Los constructores describen su camino de reducción espacial como una lista de pasos
``(núcleo, paso, relleno)`` y este módulo calcula con ella el lado mínimo de entrada, de modo que
el mensaje de error nombra siempre el tamaño más pequeño que funciona en lugar de dejar que Keras
falle con una forma negativa en mitad de la red.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from coursekit._errors import check_positive_int, invalid_value

# Momento de las medias móviles de la normalización por lotes: 0,9 es el valor por defecto de
# PyTorch (``momentum=0.1`` en su convención), con el que se publican los pesos de torchvision.
# El 0,99 de Keras necesita cientos de pasos para que las estadísticas de inferencia se estabilicen
# y, en entrenamientos cortos, la red evalúa muy por debajo de lo que entrena.
BATCH_NORM_MOMENTUM = 0.9

# Un paso espacial: (núcleo, paso, relleno). El relleno es "valid", "same" o un entero de ceros
# añadidos a cada lado antes de una operación "valid" (como ``ZeroPadding2D``).
SpatialStep = tuple[int, int, "str | int"]


def spatial_output_size(size: int, kernel: int, stride: int, padding: str | int) -> int:
    """Devuelve el lado de salida de una convolución o agrupamiento con las reglas de Keras.

    ``"valid"``: ⌊(n − k)/s⌋ + 1; ``"same"``: ⌈n/s⌉; un entero p: ⌊(n + 2p − k)/s⌋ + 1.
    Devuelve 0 o un número negativo cuando el núcleo no cabe, para que quien llama lo detecte.
    """
    if padding == "same":
        return math.ceil(size / stride)
    pad = 0 if padding == "valid" else int(padding)
    span = size + 2 * pad - kernel
    if span < 0:
        return span
    return span // stride + 1


def trace_spatial_size(size: int, steps: Sequence[SpatialStep]) -> list[int]:
    """Devuelve el lado tras cada paso de ``steps`` empezando en ``size`` (se corta al primer fallo)."""
    sizes = [size]
    for kernel, stride, padding in steps:
        size = spatial_output_size(size, kernel, stride, padding)
        sizes.append(size)
        if size < 1:
            break
    return sizes


def minimum_input_size(steps: Sequence[SpatialStep], final_size: int = 1,
                       limit: int = 4096) -> int:
    """Calcula el lado de entrada más pequeño con el que todos los pasos dan al menos ``final_size``.

    Recorre los lados 1, 2, 3... hasta ``limit``; el coste es despreciable para redes de decenas
    de capas.

    Ejemplo (AlexNet: convolución 11×11/4 y tres agrupamientos 3×3/2)::

        >>> minimum_input_size([(11, 4, "valid"), (3, 2, "valid"), (5, 1, "same"),
        ...                     (3, 2, "valid"), (3, 1, "same"), (3, 2, "valid")])
        67
    """
    for size in range(1, limit + 1):
        sizes = trace_spatial_size(size, steps)
        if len(sizes) == len(steps) + 1 and min(sizes) >= 1 and sizes[-1] >= final_size:
            return size
    raise invalid_value("steps", steps, f"pasos que admitan alguna entrada de lado ≤ {limit}")


def check_input_shape(input_shape: object, *, model_name: str, min_size: int,
                      channels: int | None = None) -> tuple[int, int, int]:
    """Valida ``input_shape`` = (alto, ancho, canales) para ``model_name`` y la devuelve como tupla.

    Detecta los errores habituales: olvidar el canal ((28, 28) en vez de (28, 28, 1)), pasar
    canales primero ((3, 224, 224)), incluir el tamaño de lote o dar una imagen menor que
    ``min_size``, el lado más pequeño con el que la red produce una salida.
    """
    example = f"({max(min_size, 224)}, {max(min_size, 224)}, 3)"
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, Sequence):
        raise invalid_value("input_shape", input_shape, "una tupla (alto, ancho, canales)",
                            f"Por ejemplo {example}.", error=TypeError)
    if len(input_shape) == 2:
        raise invalid_value("input_shape", input_shape, "una tupla de 3 elementos (alto, ancho, canales)",
                            f"Añade el canal: {tuple(input_shape) + (1,)} para imágenes en gris.")
    if len(input_shape) != 3:
        raise invalid_value("input_shape", input_shape, "una tupla de 3 elementos (alto, ancho, canales)",
                            "No incluyas el tamaño de lote: Keras lo añade solo.")
    for value in input_shape:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise invalid_value("input_shape", input_shape, "tres enteros positivos",
                                f"Por ejemplo {example}.")
    height, width, depth = (int(v) for v in input_shape)
    if depth > 4 and height <= 4:
        raise invalid_value("input_shape", input_shape, "canales al final (alto, ancho, canales)",
                            f"Parece que los canales van primero; usa {(width, depth, height)}.")
    if channels is not None and depth != channels:
        raise invalid_value("input_shape", input_shape, f"{channels} canales",
                            f"{model_name} necesita imágenes con {channels} canales.")
    if min(height, width) < min_size:
        raise invalid_value(
            "input_shape", input_shape,
            f"imágenes de al menos {min_size}×{min_size} píxeles para {model_name}",
            f"Con menos, algún núcleo o agrupamiento ya no cabe en el mapa de características. "
            f"Redimensiona o rellena las imágenes a {min_size}×{min_size} o más, "
            "o usa una variante para entradas pequeñas.")
    return height, width, depth


def check_num_classes(num_classes: object) -> int:
    """Valida el número de clases de la capa de salida (al menos 2)."""
    return check_positive_int("num_classes", num_classes, minimum=2,
                              hint="Usa el número de clases distintas de tus etiquetas, p. ej. 10.")


def check_rate(name: str, value: object) -> float:
    """Valida una tasa de abandono (*dropout*) en [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise invalid_value(name, value, "un número en [0, 1)", "Por ejemplo 0.5, como en el artículo.")
    return float(value)
