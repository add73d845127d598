"""Cambios de intensidad del aumento: brillo, contraste, saturación, tono, ruido y *cutout*.

Solo se aplican a imágenes, nunca a máscaras: una máscara guarda etiquetas de clase, y sumarle
brillo o ruido inventaría clases que no existen. Todas las operaciones trabajan sobre el lote
entero (N, H, W, C) con un sorteo por imagen.
"""

from __future__ import annotations

import keras
from keras import ops

# Columnas del sorteo uniforme de cada imagen.
_BRIGHTNESS, _CONTRAST, _SATURATION, _HUE, _CUT_X, _CUT_Y = range(6)
NUM_DRAWS = 6


def has_photometric(config) -> bool:
    """Indica si la configuración pide algún cambio de intensidad."""
    return bool(config.brightness or config.contrast or config.saturation or config.hue_degrees
                or config.noise_std or config.cutout)


def _symmetric(u, limit):
    return (2.0 * u - 1.0) * limit


def _per_image(values):
    """Da forma (N, 1, 1, 1) a un valor por imagen para operarlo con el lote."""
    return ops.reshape(values, (-1, 1, 1, 1))


def apply_photometric(images, config, seed_generator):
    """Aplica al lote los cambios de intensidad de ``config`` y recorta al rango de valores.

    Args:
        images: tensor float32 (N, H, W, C) con valores en ``config.value_range``.
        config: un :class:`~coursekit.augment.pipeline.AugmentConfig`.
        seed_generator: ``keras.random.SeedGenerator`` del que salen los sorteos.

    Returns:
        Tensor float32 (N, H, W, C).
    """
    low, high = config.value_range
    span = high - low
    batch = ops.shape(images)[0]
    draws = keras.random.uniform((batch, NUM_DRAWS), seed=seed_generator)

    if config.brightness:
        # Suma una fracción del rango: brightness=0.2 desplaza hasta ±20 % del rango.
        images = images + _per_image(_symmetric(draws[:, _BRIGHTNESS], config.brightness) * span)
    if config.contrast:
        # Aleja o acerca cada píxel de la media de su imagen: factor en [1 - c, 1 + c].
        factor = _per_image(1.0 + _symmetric(draws[:, _CONTRAST], config.contrast))
        mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
        images = (images - mean) * factor + mean
    if config.saturation or config.hue_degrees:
        images = _adjust_hsv(images, draws, config)
    if config.noise_std:
        noise = keras.random.normal(ops.shape(images), seed=seed_generator)
        images = images + noise * (config.noise_std * span)
    if config.cutout:
        images = _cutout(images, draws, config)
    return ops.clip(images, low, high)


def _adjust_hsv(images, draws, config):
    """Multiplica la saturación y gira el tono en el espacio HSV (solo imágenes RGB)."""
    low, high = config.value_range
    span = high - low
    hsv = ops.image.rgb_to_hsv(ops.clip((images - low) / span, 0.0, 1.0),
                               data_format="channels_last")
    hue, saturation, value = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    if config.hue_degrees:
        # El tono de HSV va de 0 a 1 (una vuelta); 36 grados son 0,1 de vuelta.
        shift = ops.reshape(_symmetric(draws[:, _HUE], config.hue_degrees / 360.0), (-1, 1, 1))
        hue = ops.mod(hue + shift, 1.0)
    if config.saturation:
        factor = ops.reshape(1.0 + _symmetric(draws[:, _SATURATION], config.saturation), (-1, 1, 1))
        saturation = ops.clip(saturation * factor, 0.0, 1.0)
    rgb = ops.image.hsv_to_rgb(ops.stack([hue, saturation, value], axis=-1),
                               data_format="channels_last")
    return rgb * span + low


def _cutout(images, draws, config):
    """Pone a ``config.value_range[0]`` un cuadrado de lado ``cutout`` · min(H, W) por imagen."""
    shape = ops.shape(images)
    height, width = shape[1], shape[2]
    side = ops.cast(ops.minimum(height, width), "float32") * config.cutout
    # El centro puede caer en cualquier píxel, así que el cuadrado a veces queda cortado por el borde.
    center_y = _per_image(draws[:, _CUT_Y] * ops.cast(height, "float32"))
    center_x = _per_image(draws[:, _CUT_X] * ops.cast(width, "float32"))
    rows = ops.reshape(ops.cast(ops.arange(height), "float32") + 0.5, (1, -1, 1, 1))
    cols = ops.reshape(ops.cast(ops.arange(width), "float32") + 0.5, (1, 1, -1, 1))
    inside = ops.logical_and(ops.abs(rows - center_y) < side / 2.0,
                             ops.abs(cols - center_x) < side / 2.0)
    return ops.where(inside, ops.cast(config.value_range[0], images.dtype), images)
