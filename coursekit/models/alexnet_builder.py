"""AlexNet en Keras 3, con la disposición de 2012 en una sola torre.

Fuente: A. Krizhevsky, I. Sutskever y G. E. Hinton, "ImageNet Classification with Deep
Convolutional Neural Networks", NeurIPS 2012.

Cuenta de parámetros con entrada 227×227×3 y 1000 clases, capa a capa ((k·k·C_in + 1)·C_out en
las convoluciones, (entradas + 1)·salidas en las densas):

=========  ==========================  ===========
capa       cálculo                     parámetros
=========  ==========================  ===========
conv1      (11·11·3 + 1)·96                 34 944
conv2      (5·5·96 + 1)·256                614 656
conv3      (3·3·256 + 1)·384               885 120
conv4      (3·3·384 + 1)·384             1 327 488
conv5      (3·3·384 + 1)·256               884 992
fc6        (6·6·256 + 1)·4096           37 752 832
fc7        (4096 + 1)·4096              16 781 312
fc8        (4096 + 1)·1000               4 097 000
total                                   62 378 344
=========  ==========================  ===========

El artículo habla de "60 millones" porque repartía la red entre dos GPU: conv2, conv4 y conv5
solo veían la mitad de los canales de la capa anterior (convolución agrupada, ``groups=2``), lo que
ahorra 307 200 + 663 552 + 442 368 parámetros y deja 60 965 224. ``grouped=True`` reproduce esa
variante. La normalización de respuesta local (LRN) no tiene parámetros, así que no cambia la cuenta.

Diferencias con el artículo:

- Entrada por defecto 227×227×3. El artículo dice 224×224, pero con 224 y la convolución 11×11/4
  sin relleno sale un mapa de 54×54 (no 55×55) y, al final, 5×5×256 = 6 400 entradas para fc6 en
  lugar de 6×6×256 = 9 216. Con 227 salen las cifras del artículo.
- Una sola torre (``grouped=False``) en lugar de las dos torres en dos GPU.
- Sin normalización de respuesta local tras conv1 y conv2 (Keras 3 no la trae y el artículo de
  VGG, Simonyan y Zisserman 2014, no encontró mejora con ella).
- Inicialización de Keras (Glorot uniforme, sesgos a cero) en lugar de gaussianas con σ = 0,01 y
  sesgos a 1 en algunas capas.
"""

from __future__ import annotations

import keras
from keras import layers

from coursekit._errors import check_positive_int
from coursekit.models._common import (check_input_shape, check_num_classes, check_rate,
                                      minimum_input_size)

# Camino espacial de AlexNet: conv1 11×11/4 sin relleno, tres agrupamientos máximos 3×3/2 con
# solapamiento y convoluciones "same" entre medias.
_SPATIAL_STEPS = [(11, 4, "valid"), (3, 2, "valid"), (5, 1, "same"), (3, 2, "valid"),
                  (3, 1, "same"), (3, 1, "same"), (3, 1, "same"), (3, 2, "valid")]

MIN_INPUT_SIZE = minimum_input_size(_SPATIAL_STEPS)

# Filtros de conv1..conv5 (96-256-384-384-256) y si cada una está agrupada en la versión de 2 GPU.
_CONVOLUTIONS = [
    # (filtros, núcleo, paso, relleno, agrupada, agrupamiento máximo detrás)
    (96, 11, 4, "valid", False, True),
    (256, 5, 1, "same", True, True),
    (384, 3, 1, "same", False, False),
    (384, 3, 1, "same", True, False),
    (256, 3, 1, "same", True, True),
]


def alexnet(input_shape=(227, 227, 3), num_classes: int = 1000, *, dropout: float = 0.5,
            grouped: bool = False, dense_units: int = 4096, name: str = "alexnet") -> keras.Model:
    """Construye AlexNet (Krizhevsky et al., 2012) como modelo funcional de Keras.

    Cinco convoluciones (96-256-384-384-256 filtros; núcleos 11×11/4, 5×5 y 3×3), agrupamiento
    máximo 3×3 con paso 2 (solapado) tras conv1, conv2 y conv5, dos capas densas de
    ``dense_units`` con abandono (*dropout*) y una salida softmax. Todas las activaciones son ReLU.

    Args:
        input_shape: (alto, ancho, canales). Por defecto 227×227×3 (ver el docstring del módulo).
            El mínimo es 67×67.
        num_classes: número de clases de la salida softmax.
        dropout: tasa de abandono antes de fc6 y fc7 (0,5 en el artículo).
        grouped: ``True`` usa ``groups=2`` en conv2, conv4 y conv5, como las dos torres del
            artículo (60 965 224 parámetros en vez de 62 378 344).
        dense_units: neuronas de fc6 y fc7 (4096 en el artículo); menos sirve para pruebas.
        name: nombre del modelo.

    Returns:
        Un ``keras.Model`` sin compilar. Con 227×227×3 y 1000 clases tiene 62 378 344 parámetros.

    Raises:
        ValueError: si la entrada es menor que 67×67, no tiene 3 dimensiones o los demás
            argumentos no son válidos.
    """
    shape = check_input_shape(input_shape, model_name="AlexNet", min_size=MIN_INPUT_SIZE)
    num_classes = check_num_classes(num_classes)
    dropout = check_rate("dropout", dropout)
    dense_units = check_positive_int("dense_units", dense_units)

    inputs = keras.Input(shape=shape, name="imagen")
    x = inputs
    for index, (filters, kernel, stride, padding, is_grouped, pool) in enumerate(_CONVOLUTIONS, 1):
        groups = 2 if grouped and is_grouped else 1
        x = layers.Conv2D(filters, kernel, strides=stride, padding=padding, groups=groups,
                          activation="relu", name=f"conv{index}")(x)
        if pool:
            x = layers.MaxPooling2D(pool_size=3, strides=2, name=f"pool{index}")(x)
    x = layers.Flatten(name="aplanar")(x)
    x = layers.Dropout(dropout, name="dropout6")(x)
    x = layers.Dense(dense_units, activation="relu", name="fc6")(x)
    x = layers.Dropout(dropout, name="dropout7")(x)
    x = layers.Dense(dense_units, activation="relu", name="fc7")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="fc8")(x)
    return keras.Model(inputs, outputs, name=name)
