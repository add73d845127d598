"""VGG en Keras 3: configuraciones A, B, D y E (VGG11, VGG13, VGG16 y VGG19).

Fuente: K. Simonyan y A. Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition", ICLR 2015 (arXiv:1409.1556), tabla 1.

Con entrada 224×224×3 y 1000 clases, VGG16 tiene 138 357 544 parámetros y VGG19 143 667 240,
las mismas cifras que ``keras.applications.VGG16/VGG19(weights=None)``. De ellos, 102 764 544
(74 %) están en la primera capa densa: (7·7·512 + 1)·4096.

Diferencias con el artículo:

- ``batch_norm=True`` añade normalización por lotes (Ioffe y Szegedy, 2015, posterior a VGG) tras
  cada convolución (momento 0,9, como ``resnet``); entonces la convolución va sin sesgo, porque
  la normalización lo anula.
- ``base_filters`` y ``dense_units`` permiten una versión estrecha para entradas pequeñas
  (el artículo usa 64 y 4096).
- Inicialización de Keras (Glorot uniforme) en lugar de entrenar primero la configuración A y
  copiar sus pesos a las más profundas.
"""

from __future__ import annotations

import keras
from keras import layers

from coursekit._errors import check_choice, check_positive_int
from coursekit.models._common import (BATCH_NORM_MOMENTUM, check_input_shape, check_num_classes,
                                      check_rate, minimum_input_size)

# Convoluciones 3×3 por bloque (cada bloque termina en un agrupamiento máximo 2×2/2); el número
# de filtros del bloque i es base_filters · 2^i, con tope en 8 · base_filters (512 en el artículo).
_CONVS_PER_BLOCK = {
    11: (1, 1, 2, 2, 2),
    13: (2, 2, 2, 2, 2),
    16: (2, 2, 3, 3, 3),
    19: (2, 2, 4, 4, 4),
}

# Cinco agrupamientos 2×2/2: la imagen debe medir al menos 2^5 = 32 píxeles de lado.
MIN_INPUT_SIZE = minimum_input_size([(2, 2, "valid")] * 5)


def vgg(depth: int = 16, input_shape=(224, 224, 3), num_classes: int = 1000, *,
        batch_norm: bool = False, dropout: float = 0.5, base_filters: int = 64,
        dense_units: int = 4096, name: str | None = None) -> keras.Model:
    """Construye una red VGG (Simonyan y Zisserman, 2014) como modelo funcional de Keras.

    Solo convoluciones 3×3 con relleno "same" y paso 1, cinco agrupamientos máximos 2×2/2, dos
    capas densas de ``dense_units`` con abandono y una salida softmax; activación ReLU.

    Args:
        depth: capas con pesos: 11, 13, 16 (13 convoluciones + 3 densas) o 19 (16 + 3).
        input_shape: (alto, ancho, canales), al menos 32×32.
        num_classes: número de clases de la salida.
        batch_norm: añade ``BatchNormalization`` tras cada convolución (no está en el artículo).
        dropout: tasa de abandono tras las dos primeras capas densas (0,5 en el artículo).
        base_filters: filtros del primer bloque (64 en el artículo); los siguientes duplican.
        dense_units: neuronas de las dos capas densas ocultas (4096 en el artículo).
        name: nombre del modelo; por defecto ``"vgg16"``, ``"vgg19"``...

    Returns:
        Un ``keras.Model`` sin compilar.

    Raises:
        ValueError: si ``depth`` no es 11, 13, 16 o 19, o la entrada mide menos de 32×32.
    """
    check_choice("depth", depth, tuple(_CONVS_PER_BLOCK))
    shape = check_input_shape(input_shape, model_name=f"VGG{depth}", min_size=MIN_INPUT_SIZE)
    num_classes = check_num_classes(num_classes)
    dropout = check_rate("dropout", dropout)
    base_filters = check_positive_int("base_filters", base_filters)
    dense_units = check_positive_int("dense_units", dense_units)

    inputs = keras.Input(shape=shape, name="imagen")
    x = inputs
    for block, convs in enumerate(_CONVS_PER_BLOCK[depth], 1):
        filters = base_filters * min(2 ** (block - 1), 8)
        for index in range(1, convs + 1):
            prefix = f"bloque{block}_conv{index}"
            x = layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm,
                              activation=None if batch_norm else "relu", name=prefix)(x)
            if batch_norm:
                x = layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM,
                                              name=f"{prefix}_bn")(x)
                x = layers.ReLU(name=f"{prefix}_relu")(x)
        x = layers.MaxPooling2D(pool_size=2, strides=2, name=f"bloque{block}_pool")(x)
    x = layers.Flatten(name="aplanar")(x)
    for index in (1, 2):
        x = layers.Dense(dense_units, activation="relu", name=f"fc{index}")(x)
        x = layers.Dropout(dropout, name=f"dropout{index}")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predicciones")(x)
    return keras.Model(inputs, outputs, name=name or f"vgg{depth}")
