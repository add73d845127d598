"""Geometría del aumento compuesta en una sola transformación afín por imagen.

Voltear, rotar, acercar, desplazar, sesgar y recortar son transformaciones afines. En lugar de
deformar la imagen una vez por técnica (lo que hace una cadena de capas de Keras), multiplicamos
sus matrices y deformamos cada imagen una sola vez con ``keras.ops.image.affine_transform``. Así se
interpola una vez (la imagen pierde menos nitidez) y el coste no crece con el número de técnicas.

La matriz que construimos lleva cada píxel de **salida** a su posición en la imagen de **entrada**
(así la pide ``affine_transform``), con el origen en el centro de la imagen.
"""

from __future__ import annotations

import math

import keras
from keras import ops

# Columnas del sorteo uniforme de cada imagen (un solo sorteo de forma (N, 9) por lote).
_FLIP_H, _FLIP_V, _ANGLE, _ZOOM, _SHIFT_X, _SHIFT_Y, _SHEAR, _CROP_X, _CROP_Y = range(9)
NUM_DRAWS = 9


def draw_uniform(batch_size, seed_generator):
    """Sortea los números uniformes en [0, 1) que fijan la geometría de cada imagen del lote.

    Devuelve un tensor (N, 9). Se sortea una vez por lote: la imagen y su máscara reutilizan la misma
    fila, y por eso quedan alineadas.
    """
    return keras.random.uniform((batch_size, NUM_DRAWS), seed=seed_generator)


def _symmetric(u, limit):
    """Lleva ``u`` ~ U[0, 1) a U[-limit, limit)."""
    return (2.0 * u - 1.0) * limit


def inverse_matrices(draws, height, width, config):
    """Construye las transformaciones (N, 8) de salida → entrada a partir de los sorteos.

    Args:
        draws: tensor (N, 9) de :func:`draw_uniform`.
        height, width: tamaño de la imagen en píxeles.
        config: un :class:`~coursekit.augment.pipeline.AugmentConfig`; usa sus campos geométricos.

    Returns:
        Tensor float32 (N, 8) en el formato ``[a0, a1, a2, b0, b1, b2, c0, c1]`` de
        ``keras.ops.image.affine_transform``: el píxel de salida (x, y) toma el valor de la
        entrada en (a0·x + a1·y + a2, b0·x + b1·y + b2).
    """
    draws = ops.cast(draws, "float32")
    # Dentro de un tf.function sin formas fijas, alto y ancho llegan como tensores enteros.
    height, width = ops.cast(height, "float32"), ops.cast(width, "float32")
    column = [draws[:, i] for i in range(NUM_DRAWS)]
    ones = ops.ones_like(column[0])
    zeros = ops.zeros_like(column[0])

    # Volteo: -1 invierte el eje con probabilidad 1/2; +1 lo deja igual.
    flip_x = ops.where(column[_FLIP_H] < 0.5, -ones, ones) if config.horizontal_flip else ones
    flip_y = ops.where(column[_FLIP_V] < 0.5, -ones, ones) if config.vertical_flip else ones

    angle = _symmetric(column[_ANGLE], math.radians(config.rotation_degrees))
    shear = ops.tan(_symmetric(column[_SHEAR], math.radians(config.shear_degrees)))
    # Zoom z > 0 muestrea una región mayor (la imagen se ve más pequeña: alejar), como RandomZoom.
    # El recorte toma una ventana de lado (1 - crop) y la estira al tamaño original.
    scale = (1.0 + _symmetric(column[_ZOOM], config.zoom)) * (1.0 - config.crop)

    cos, sin = ops.cos(angle), ops.sin(angle)
    # L = volteo · rotación · sesgo horizontal · escala, aplicado a coordenadas centradas.
    l00 = flip_x * cos * scale
    l01 = flip_x * (-sin + cos * shear) * scale
    l10 = flip_y * sin * scale
    l11 = flip_y * (cos + sin * shear) * scale

    # Desplazamiento en píxeles: el de `shift` más la posición aleatoria de la ventana de recorte,
    # que nunca se sale de la imagen porque su holgura es crop/2 del lado.
    offset_x = (_symmetric(column[_SHIFT_X], config.shift)
                + _symmetric(column[_CROP_X], config.crop / 2.0)) * width
    offset_y = (_symmetric(column[_SHIFT_Y], config.shift)
                + _symmetric(column[_CROP_Y], config.crop / 2.0)) * height

    center_x = (width - 1) / 2.0
    center_y = (height - 1) / 2.0
    a2 = center_x + offset_x - l00 * center_x - l01 * center_y
    b2 = center_y + offset_y - l10 * center_x - l11 * center_y
    return ops.stack([l00, l01, a2, l10, l11, b2, zeros, zeros], axis=1)


def warp(images, transforms, interpolation="bilinear", fill_mode="reflect", fill_value=0.0):
    """Deforma un lote (N, H, W, C) con una transformación (N, 8) por imagen, en una sola llamada."""
    return ops.image.affine_transform(
        ops.cast(images, "float32"), transforms, interpolation=interpolation,
        fill_mode=fill_mode, fill_value=fill_value, data_format="channels_last")


def _fold_coordinates(coords, size, fill_mode):
    """Con "reflect", refleja en el borde las coordenadas que caen fuera de [0, size - 1]."""
    import tensorflow as tf

    size_f = tf.cast(size, tf.float32)
    if fill_mode == "reflect":
        # (d c b a | a b c d | d c b a): el espejo está medio píxel fuera del borde.
        period = 2.0 * size_f
        shifted = tf.math.floormod(coords + 0.5, period)
        coords = tf.where(shifted >= size_f, period - shifted, shifted) - 0.5
    return coords


def gather_warp(images, transforms, interpolation="bilinear", fill_mode="reflect", fill_value=0.0):
    """Hace lo mismo que :func:`warp` con ``tf.gather``, para compilarlo con XLA.

    El núcleo ``ImageProjectiveTransformV3`` que usa :func:`warp` no se compila con XLA. Esta
    versión sí; dentro de ``tf.function(jit_compile=True)`` y de la tubería de entrenamiento fue
    unas tres veces más rápida que ese núcleo en CPU (9 882 frente a 3 303 imágenes/s con
    ``benchmarks/bench_augment.py``; máquina en docs/benchmarks.md).
    Coincide con :func:`warp` salvo redondeo, como comprueba tests/test_augment.py. Admite los
    rellenos "reflect", "nearest" y "constant"; para "wrap" hay que usar :func:`warp`.

    Lo que la hace rápida: ninguna lectura necesita comprobar si cae dentro de la imagen. Con
    "reflect" y "nearest" las coordenadas se pliegan o se recortan al interior antes de leer. Con
    "constant" se rodea la imagen con un marco de un píxel del color de relleno y las coordenadas se
    recortan a ese marco: una lectura que caería fuera lee el marco, que ya vale ``fill_value``.
    """
    import tensorflow as tf

    shape = tf.shape(images)
    batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]
    rows, cols = tf.meshgrid(tf.range(height, dtype=tf.float32), tf.range(width, dtype=tf.float32),
                             indexing="ij")
    matrix = tf.cast(transforms, tf.float32)[:, :, None, None]
    source_x = matrix[:, 0] * cols + matrix[:, 1] * rows + matrix[:, 2]
    source_y = matrix[:, 3] * cols + matrix[:, 4] * rows + matrix[:, 5]

    if fill_mode == "constant":
        images = tf.pad(tf.cast(images, tf.float32), [[0, 0], [1, 1], [1, 1], [0, 0]],
                        constant_values=tf.cast(fill_value, tf.float32))
        border = 1
    else:
        # Sin marco se puede leer en el tipo de la entrada (uint8 lee cuatro veces menos memoria).
        source_x = _fold_coordinates(source_x, width, fill_mode)
        source_y = _fold_coordinates(source_y, height, fill_mode)
        border = 0
    # Coordenadas válidas, en píxeles de la imagen sin marco: de -border a size - 1 + border.
    low = -float(border)
    high_x = tf.cast(width - 1 + border, tf.float32)
    high_y = tf.cast(height - 1 + border, tf.float32)
    source_x = tf.clip_by_value(source_x, low, high_x)
    source_y = tf.clip_by_value(source_y, low, high_y)

    row_length = width + 2 * border
    flat = tf.reshape(images, [-1, channels])
    start = (tf.range(batch) * (height + 2 * border) * row_length)[:, None, None]

    def read(y, x):
        return tf.cast(tf.gather(flat, start + (y + border) * row_length + (x + border)), tf.float32)

    if interpolation == "nearest":
        return read(tf.cast(tf.round(source_y), tf.int32), tf.cast(tf.round(source_x), tf.int32))
    # El vecino de la izquierda nunca pasa del penúltimo válido: en el borde derecho el peso vale 1
    # y se lee entero el último píxel. El mínimo de x1/y1 solo actúa en imágenes de un píxel de lado.
    x0 = tf.clip_by_value(tf.floor(source_x), low, tf.maximum(high_x - 1.0, low))
    y0 = tf.clip_by_value(tf.floor(source_y), low, tf.maximum(high_y - 1.0, low))
    weight_x = (source_x - x0)[..., None]
    weight_y = (source_y - y0)[..., None]
    x0, y0 = tf.cast(x0, tf.int32), tf.cast(y0, tf.int32)
    x1 = tf.minimum(x0 + 1, width - 1 + border)
    y1 = tf.minimum(y0 + 1, height - 1 + border)
    top = read(y0, x0) * (1.0 - weight_x) + read(y0, x1) * weight_x
    bottom = read(y1, x0) * (1.0 - weight_x) + read(y1, x1) * weight_x
    return top * (1.0 - weight_y) + bottom * weight_y


def has_geometry(config) -> bool:
    """Indica si la configuración pide alguna transformación geométrica."""
    return bool(config.horizontal_flip or config.vertical_flip or config.rotation_degrees
                or config.zoom or config.shift or config.shear_degrees or config.crop)
