"""ResNet en Keras 3: ResNet-18/34 (bloques básicos) y ResNet-50/101/152 (bloques de embotellamiento).

Fuente: K. He, X. Zhang, S. Ren y J. Sun, "Deep Residual Learning for Image Recognition",
CVPR 2016 (arXiv:1512.03385), tabla 1 y sección 3.3.

Parámetros entrenables con entrada 224×224×3 y 1000 clases (las cifras publicadas por
torchvision, que siguen el artículo): ResNet-18 11 689 512, ResNet-34 21 797 672, ResNet-50
25 557 032, ResNet-101 44 549 160 y ResNet-152 60 192 808. Las medias y varianzas móviles de la
normalización por lotes (*BatchNorm*) no se entrenan por gradiente; Keras las cuenta como pesos
no entrenables y ``model.count_params()`` las suma.

``keras.applications.ResNet50`` declara 25 636 712 pesos porque deja sesgo en cada convolución
aunque la siga una normalización por lotes (que lo anula al restar la media) y porque suma las
estadísticas móviles. ResNet-50 tiene 53 convoluciones seguidas de normalización con 26 560
canales de salida en total: 26 560 sesgos + 2 · 26 560 estadísticas = 79 680 = 25 636 712 − 25 557 032.

Diferencias con el artículo:

- En los bloques de embotellamiento el paso 2 va en la convolución 3×3 y no en la primera 1×1
  (la variante "v1.5" de torchvision); no cambia la cuenta de parámetros y mejora la exactitud.
- Los atajos usan identidad salvo cuando cambian el paso o los canales, donde se proyectan con una
  convolución 1×1 y normalización (opción B del artículo).
- Momento 0,9 en las medias móviles de la normalización (el valor de PyTorch) en lugar del 0,99
  de Keras; no afecta al entrenamiento, solo a lo rápido que se estabilizan las estadísticas de
  inferencia.
- ``small_resnet`` adapta ResNet-18 a imágenes de 32×32 (ver su docstring).
"""

from __future__ import annotations

import keras
from keras import layers

from coursekit._errors import check_choice, check_positive_int, invalid_value
from coursekit.models._common import BATCH_NORM_MOMENTUM, check_input_shape, check_num_classes

# Bloques por etapa y tipo de bloque de cada profundidad (tabla 1 del artículo).
_CONFIGS = {
    18: ((2, 2, 2, 2), "basic"),
    34: ((3, 4, 6, 3), "basic"),
    50: ((3, 4, 6, 3), "bottleneck"),
    101: ((3, 4, 23, 3), "bottleneck"),
    152: ((3, 8, 36, 3), "bottleneck"),
}

# La red reduce el lado por 32 (tallo 2, agrupamiento 2, tres etapas con paso 2). Con entradas
# menores las últimas etapas trabajan sobre mapas de 1×1 hechos casi solo de relleno, así que las
# rechazamos aunque Keras las admitiría, y remitimos a ``small_resnet``.
MIN_INPUT_SIZE = 32

_BOTTLENECK_EXPANSION = 4


def _conv_bn(x, filters: int, kernel: int, stride: int, name: str, relu: bool = True):
    """Aplica convolución sin sesgo, normalización por lotes y, si ``relu``, ReLU.

    Con paso mayor que 1 rellena ⌊k/2⌋ ceros por lado antes de una convolución "valid", como el
    artículo y torchvision; el relleno "same" de TensorFlow pondría los ceros solo abajo y a la
    derecha.
    """
    padding = "same"
    if stride > 1 and kernel > 1:
        x = layers.ZeroPadding2D(kernel // 2, name=f"{name}_relleno")(x)
        padding = "valid"
    x = layers.Conv2D(filters, kernel, strides=stride, padding=padding, use_bias=False,
                      name=f"{name}_conv")(x)
    x = layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name=f"{name}_bn")(x)
    if relu:
        x = layers.ReLU(name=f"{name}_relu")(x)
    return x


def _shortcut(x, out_channels: int, stride: int, name: str):
    """Devuelve la identidad o, si cambian paso o canales, una proyección 1×1 con normalización."""
    if stride == 1 and x.shape[-1] == out_channels:
        return x
    return _conv_bn(x, out_channels, 1, stride, f"{name}_proyeccion", relu=False)


def _basic_block(x, filters: int, stride: int, name: str):
    """Bloque básico: dos convoluciones 3×3 y la suma con el atajo."""
    shortcut = _shortcut(x, filters, stride, name)
    y = _conv_bn(x, filters, 3, stride, f"{name}_a")
    y = _conv_bn(y, filters, 3, 1, f"{name}_b", relu=False)
    y = layers.Add(name=f"{name}_suma")([y, shortcut])
    return layers.ReLU(name=f"{name}_salida")(y)


def _bottleneck_block(x, filters: int, stride: int, name: str):
    """Bloque de embotellamiento: 1×1 (reduce), 3×3, 1×1 (expande ×4) y la suma con el atajo."""
    out_channels = filters * _BOTTLENECK_EXPANSION
    shortcut = _shortcut(x, out_channels, stride, name)
    y = _conv_bn(x, filters, 1, 1, f"{name}_a")
    y = _conv_bn(y, filters, 3, stride, f"{name}_b")
    y = _conv_bn(y, out_channels, 1, 1, f"{name}_c", relu=False)
    y = layers.Add(name=f"{name}_suma")([y, shortcut])
    return layers.ReLU(name=f"{name}_salida")(y)


def _stages(x, blocks_per_stage, block_kind: str, width: int):
    """Apila las etapas: la primera con paso 1 y las demás empezando con paso 2."""
    block = _basic_block if block_kind == "basic" else _bottleneck_block
    for stage, blocks in enumerate(blocks_per_stage):
        filters = width * 2 ** stage
        for index in range(blocks):
            stride = 2 if stage > 0 and index == 0 else 1
            x = block(x, filters, stride, name=f"etapa{stage + 1}_bloque{index + 1}")
    return x


def _head(x, num_classes: int):
    """Agrupamiento promedio global y capa densa softmax."""
    x = layers.GlobalAveragePooling2D(name="promedio_global")(x)
    return layers.Dense(num_classes, activation="softmax", name="predicciones")(x)


def resnet(depth: int = 50, input_shape=(224, 224, 3), num_classes: int = 1000, *,
           name: str | None = None) -> keras.Model:
    """Construye una ResNet (He et al., 2015) de 18, 34, 50, 101 o 152 capas con pesos.

    Tallo: convolución 7×7/2 con 64 filtros y agrupamiento máximo 3×3/2. Cuatro etapas de bloques
    residuales (64, 128, 256 y 512 filtros; ×4 a la salida en los de embotellamiento), la primera
    con paso 1 y las demás con paso 2 en su primer bloque. Normalización por lotes tras cada
    convolución, agrupamiento promedio global y una capa densa softmax.

    Args:
        depth: 18 o 34 (bloques básicos) o 50, 101 o 152 (bloques de embotellamiento).
        input_shape: (alto, ancho, canales), al menos 32×32. Para 32×32 o menos conviene
            ``small_resnet``, que no reduce la imagen en el tallo.
        num_classes: número de clases de la salida.
        name: nombre del modelo; por defecto ``"resnet50"``, etc.

    Returns:
        Un ``keras.Model`` sin compilar. Sus pesos entrenables suman las cifras del docstring del
        módulo con 224×224×3 y 1000 clases.

    Raises:
        ValueError: si ``depth`` no es una de las cinco profundidades o la entrada mide menos de
            32×32.
    """
    check_choice("depth", depth, tuple(_CONFIGS))
    shape = check_input_shape(input_shape, model_name=f"ResNet-{depth}", min_size=MIN_INPUT_SIZE)
    num_classes = check_num_classes(num_classes)
    blocks_per_stage, block_kind = _CONFIGS[depth]

    inputs = keras.Input(shape=shape, name="imagen")
    x = _conv_bn(inputs, 64, 7, 2, "tallo")
    x = layers.ZeroPadding2D(1, name="tallo_pool_relleno")(x)
    x = layers.MaxPooling2D(pool_size=3, strides=2, name="tallo_pool")(x)
    x = _stages(x, blocks_per_stage, block_kind, width=64)
    return keras.Model(inputs, _head(x, num_classes), name=name or f"resnet{depth}")


def small_resnet(input_shape=(32, 32, 3), num_classes: int = 10, *,
                 blocks_per_stage=(2, 2, 2, 2), width: int = 64,
                 name: str = "small_resnet") -> keras.Model:
    """Construye una ResNet de bloques básicos para imágenes pequeñas (32×32, CIFAR o dígitos).

    Es ResNet-18 con dos cambios para entradas pequeñas, como en la práctica habitual con
    CIFAR-10: el tallo es una convolución 3×3 con paso 1 y no hay agrupamiento máximo, así que
    una imagen de 32×32 llega a la última etapa como 4×4 en lugar de 1×1. Con los valores por
    defecto tiene 11 173 962 parámetros entrenables (10 clases, 3 canales); ``width=16`` la deja
    en unos 0,7 millones para entrenar en CPU.

    NOTE: con TensorFlow 2.21 en CPU (oneDNN activado), entrenar ``width=8`` con dígitos reales
    de 32×32 abortó el proceso varias veces por corrupción de memoria dentro de TensorFlow; con
    ``TF_ENABLE_ONEDNN_OPTS=0`` o con ``width=16`` no ocurrió.

    Args:
        input_shape: (alto, ancho, canales); el lado mínimo es 2^(etapas − 1) (8 con 4 etapas).
        num_classes: número de clases.
        blocks_per_stage: bloques básicos por etapa; (2, 2, 2, 2) es ResNet-18.
        width: filtros de la primera etapa; cada etapa siguiente duplica.
        name: nombre del modelo.

    Raises:
        ValueError: si ``blocks_per_stage`` está vacío o tiene valores no positivos, o la entrada
            es menor que el mínimo.
    """
    if isinstance(blocks_per_stage, (str, bytes)) or not hasattr(blocks_per_stage, "__len__") \
            or len(blocks_per_stage) == 0:
        raise invalid_value("blocks_per_stage", blocks_per_stage,
                            "una tupla no vacía de enteros positivos", "Por ejemplo (2, 2, 2, 2).")
    blocks = tuple(check_positive_int("blocks_per_stage", b) for b in blocks_per_stage)
    width = check_positive_int("width", width)
    min_size = 2 ** (len(blocks) - 1)
    shape = check_input_shape(input_shape, model_name="small_resnet", min_size=min_size)
    num_classes = check_num_classes(num_classes)

    inputs = keras.Input(shape=shape, name="imagen")
    x = _conv_bn(inputs, width, 3, 1, "tallo")
    x = _stages(x, blocks, "basic", width=width)
    return keras.Model(inputs, _head(x, num_classes), name=name)
