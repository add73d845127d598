"""Modelos pequeños de clasificación: perceptrón multicapa, LeNet-5 y una CNN pequeña con BatchNorm.

Todos devuelven un ``keras.Sequential`` sin compilar cuya última capa es un softmax en ``float32``
(así la salida no pierde precisión cuando la precisión mixta está activada).
"""

from __future__ import annotations

import numbers

import keras
from keras import layers

from coursekit._errors import check_choice, check_positive_int, invalid_value

LENET5_PARAMETERS = 61_706  # 32×32×1 y 10 clases, con C3 conectada a los 6 mapas de S2
LENET5_MIN_SIZE = 32


def _check_input_shape(input_shape, min_size: int = 1) -> tuple[int, int, int]:
    """Valida ``(alto, ancho, canales)`` y detecta formas con los canales delante."""
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else None
    valid = shape is not None and len(shape) == 3 and all(
        isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0 for d in shape)
    if not valid:
        raise invalid_value("input_shape", input_shape, "una tupla (alto, ancho, canales) de enteros positivos",
                            "Para dígitos en escala de grises usa (32, 32, 1).")
    if shape[0] in (1, 3) and shape[2] not in (1, 3):
        raise invalid_value("input_shape", input_shape, "los canales al final (alto, ancho, canales)",
                            f"Parece que los canales van delante: usa {(shape[1], shape[2], shape[0])}.")
    if min(shape[:2]) < min_size:
        raise invalid_value("input_shape", input_shape, f"imágenes de al menos {min_size}×{min_size}",
                            f"Rellena con ceros hasta {min_size}×{min_size} (p. ej. `pad_to_32` para MNIST) "
                            "o usa una red con menos reducciones.")
    return tuple(int(d) for d in shape)


def _softmax_output(num_classes: int, name: str = "salida"):
    return layers.Dense(num_classes, activation="softmax", dtype="float32", name=name)


def _check_activation(activation):
    """Comprueba que Keras conoce ``activation`` y la devuelve; un nombre mal escrito da un error en español."""
    try:
        keras.activations.get(activation)
    except (ValueError, TypeError):
        raise invalid_value("activation", activation, "una activación de Keras",
                            "Por ejemplo 'tanh', 'relu' o 'sigmoid' (revisa la ortografía).") from None
    return activation


def lenet5(input_shape=(32, 32, 1), num_classes: int = 10, activation: str = "tanh",
           pooling: str = "average", name: str = "lenet5") -> keras.Sequential:
    """Construye LeNet-5 con las capas C1–F6 del artículo original.

    LeCun, Bottou, Bengio y Haffner (1998), «Gradient-based learning applied to document
    recognition», *Proceedings of the IEEE* 86(11), 2278–2324.

    Capas y formas para una entrada de 32×32×1::

        C1  conv 6 núcleos 5×5, 'valid'     → 28×28×6      156 parámetros
        S2  agrupamiento promedio 2×2/2     → 14×14×6        0
        C3  conv 16 núcleos 5×5, 'valid'    → 10×10×16    2 416
        S4  agrupamiento promedio 2×2/2     →  5×5×16        0
        C5  conv 120 núcleos 5×5, 'valid'   →  1×1×120   48 120
        F6  densa de 84 unidades            → 84         10 164
        salida  densa softmax               → 10            850   (total 61 706)

    Diferencias con el artículo:

    - Salida softmax con entropía cruzada en lugar de las 10 unidades RBF (distancia euclídea a
      patrones fijos de 7×12) y su pérdida.
    - C3 conecta cada uno de sus 16 mapas con los 6 de S2. El artículo usa una tabla de conexiones
      parcial (60 de las 96 combinaciones, 1 516 parámetros) para romper la simetría y ahorrar
      cómputo. Por eso aquí hay 61 706 parámetros y no los 60 000 aproximados del artículo.
    - Activación ``tanh`` normal; el artículo usa la tanh escalada 1,7159·tanh(2/3·x).
    - S2 y S4 son promedios sin parámetros. En el artículo cada mapa suma sus 4 entradas, multiplica
      por un coeficiente entrenable, suma un sesgo y aplica la sigmoide (12 y 32 parámetros).
    - Inicialización de Keras (Glorot uniforme) en lugar de la uniforme ±2,4/entradas del artículo,
      y optimizador a elegir en ``train`` en lugar del descenso de gradiente diagonal de Levenberg-Marquardt.

    Args:
        input_shape: ``(alto, ancho, canales)``, como mínimo 32×32. Con entradas mayores C5 deja un
            mapa mayor que 1×1, que se aplana antes de F6 (cambia el número de parámetros).
        num_classes: número de clases de la salida.
        activation: activación de C1, C3, C5 y F6 (``"tanh"`` como el original; ``"relu"`` para comparar).
        pooling: ``"average"`` (original) o ``"max"``.

    Raises:
        ValueError: entrada menor de 32×32 (nombra el tamaño mínimo), canales delante, clases < 2.

    Example::

        >>> model = lenet5()
        >>> model.count_params()
        61706
    """
    shape = _check_input_shape(input_shape, min_size=LENET5_MIN_SIZE)
    num_classes = check_positive_int("num_classes", num_classes, minimum=2)
    check_choice("pooling", pooling, ("average", "max"))
    _check_activation(activation)
    pool = layers.AveragePooling2D if pooling == "average" else layers.MaxPooling2D
    model = keras.Sequential([
        keras.Input(shape=shape, name="entrada"),
        layers.Conv2D(6, 5, activation=activation, name="C1"),
        pool(2, strides=2, name="S2"),
        layers.Conv2D(16, 5, activation=activation, name="C3"),
        pool(2, strides=2, name="S4"),
        layers.Conv2D(120, 5, activation=activation, name="C5"),
        layers.Flatten(name="aplanar"),
        layers.Dense(84, activation=activation, name="F6"),
        _softmax_output(num_classes),
    ], name=name)
    if shape == (32, 32, 1) and num_classes == 10 and model.count_params() != LENET5_PARAMETERS:
        raise RuntimeError(f"LeNet-5 debería tener {LENET5_PARAMETERS} parámetros y tiene {model.count_params()}.")
    return model


def mlp(input_shape, num_classes: int, hidden=(256, 128), dropout: float = 0.2, activation: str = "relu",
        name: str = "mlp") -> keras.Sequential:
    """Construye un perceptrón multicapa: aplanar → capas densas con dropout → softmax.

    Sirve de referencia sin convoluciones: trata cada píxel como una variable independiente y no
    aprovecha la vecindad espacial.

    Args:
        input_shape: forma de una imagen (cualquier rango), p. ej. ``(28, 28)`` o ``(32, 32, 1)``.
        num_classes: número de clases.
        hidden: unidades de cada capa oculta, en orden.
        dropout: fracción de unidades apagadas tras cada capa oculta durante el entrenamiento (0 a < 1).
    """
    if not isinstance(input_shape, (tuple, list)) or not input_shape or not all(
            isinstance(d, numbers.Integral) and d > 0 for d in input_shape):
        raise invalid_value("input_shape", input_shape, "una tupla de enteros positivos, p. ej. (28, 28)")
    num_classes = check_positive_int("num_classes", num_classes, minimum=2)
    _check_activation(activation)
    hidden = tuple(hidden)
    for units in hidden:
        check_positive_int("hidden", units)
    if not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
        raise invalid_value("dropout", dropout, "un número en [0, 1)", "Usa 0 para no apagar unidades.")
    stack = [keras.Input(shape=tuple(input_shape), name="entrada"), layers.Flatten(name="aplanar")]
    for i, units in enumerate(hidden, start=1):
        stack.append(layers.Dense(units, activation=activation, name=f"densa{i}"))
        if dropout > 0:
            stack.append(layers.Dropout(dropout, name=f"dropout{i}"))
    stack.append(_softmax_output(num_classes))
    return keras.Sequential(stack, name=name)


def small_cnn(input_shape, num_classes: int, filters=(32, 64, 128), dropout: float = 0.3,
              name: str = "cnn_pequena") -> keras.Sequential:
    """Construye una CNN pequeña y robusta para la plantilla del proyecto.

    Cada bloque es conv 3×3 → BatchNorm → ReLU dos veces; tras cada bloque salvo el último, un
    agrupamiento máximo 2×2 divide el tamaño por dos. Al final, agrupamiento promedio global
    (independiente del tamaño de la imagen), dropout y softmax en ``float32``. Las convoluciones no
    llevan sesgo porque BatchNorm ya añade uno.

    Args:
        input_shape: ``(alto, ancho, canales)``; el lado mínimo es 2**(bloques − 1).
        num_classes: número de clases.
        filters: filtros de cada bloque.
        dropout: fracción de dropout antes de la salida, en [0, 1).
    """
    filters = tuple(filters)
    if not filters:
        raise invalid_value("filters", filters, "al menos un bloque, p. ej. (32, 64)")
    for count in filters:
        check_positive_int("filters", count)
    shape = _check_input_shape(input_shape, min_size=2 ** (len(filters) - 1))
    num_classes = check_positive_int("num_classes", num_classes, minimum=2)
    if not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
        raise invalid_value("dropout", dropout, "un número en [0, 1)", "Usa 0 para no apagar unidades.")
    stack = [keras.Input(shape=shape, name="entrada")]
    for block, count in enumerate(filters, start=1):
        for repeat in (1, 2):
            stack += [layers.Conv2D(count, 3, padding="same", use_bias=False, name=f"conv{block}_{repeat}"),
                      layers.BatchNormalization(name=f"bn{block}_{repeat}"),
                      layers.ReLU(name=f"relu{block}_{repeat}")]
        if block < len(filters):
            stack.append(layers.MaxPooling2D(2, name=f"agrupamiento{block}"))
    stack.append(layers.GlobalAveragePooling2D(name="promedio_global"))
    if dropout > 0:
        stack.append(layers.Dropout(dropout, name="dropout"))
    stack.append(_softmax_output(num_classes))
    return keras.Sequential(stack, name=name)
