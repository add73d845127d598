"""Comprobaciones de lo que reciben las capas de aumento: imágenes y semilla.

Se usan antes de que Keras o TensorFlow vean la entrada, para que un error de forma, de tipo o de
escala llegue en español, con la forma que escribió quien llama y con la solución.
"""

from __future__ import annotations

import numbers

import keras
import numpy as np

from coursekit._errors import invalid_value
from coursekit.augment import photometric


def as_image_input(images):
    """Convierte listas en arrays y rechaza con un error en español lo que no son imágenes."""
    if images is None or isinstance(images, (str, bytes)):
        raise invalid_value("images", images, "un array o tensor de imágenes (N, alto, ancho, canales) "
                            "o (alto, ancho, canales)",
                            "Carga antes la imagen, p. ej. con `coursekit.data.photos.load_photo(nombre)` "
                            "o `np.asarray(keras.utils.load_img(ruta))`.", error=TypeError)
    if isinstance(images, (list, tuple)):
        images = np.asarray(images)
        if images.dtype.kind not in "biuf":
            raise invalid_value("images", images, "un array numérico de imágenes",
                                "Todas las imágenes deben tener la misma forma.", error=TypeError)
    if not hasattr(images, "shape"):
        raise invalid_value("images", images, "un array o tensor de imágenes", error=TypeError)
    return images


def check_image_input(images, config):
    """Rechaza entradas que no sean (N, H, W, C) o (H, W, C) y combinaciones que estropean la salida.

    Se comprueba la entrada tal como llega, antes de añadir el eje del lote, para que el mensaje
    muestre la forma que escribió quien llama.
    """
    shape = tuple(images.shape)
    if len(shape) not in (3, 4):
        raise invalid_value("images", images, "un lote (N, alto, ancho, canales) o una imagen (alto, ancho, canales)",
                            "Para una imagen en gris (H, W) o un lote en gris (N, H, W), añade el canal: "
                            "`x[..., None]`.")
    channels = shape[-1]
    if len(shape) == 3 and channels is not None and channels > 4:
        raise invalid_value("images", images, "un lote (N, alto, ancho, canales) o una imagen (alto, ancho, "
                            "canales) con 1, 3 o 4 canales (con tres ejes se lee como una imagen)",
                            "Si es un lote de imágenes en gris (N, alto, ancho), añade el canal: `x[..., None]`. "
                            "Si es una imagen con los canales delante, usa `np.moveaxis(x, 0, -1)`.")
    if len(shape) == 4 and channels is not None and channels > 4 and shape[1] in (1, 3):
        raise invalid_value("images", images, "un lote con los canales al final (N, H, W, C)",
                            "Parece un lote con canales primero: usa `np.moveaxis(x, 1, -1)`.")
    if (config.hue_degrees or config.saturation) and channels not in (None, 3):
        raise invalid_value("images", images, "un lote de imágenes RGB (3 canales) para cambiar tono o saturación",
                            "Pon hue_degrees=0 y saturation=0 para imágenes en gris.")
    dtype = keras.backend.standardize_dtype(images.dtype)
    if "int" in dtype and photometric.has_photometric(config) and config.value_range[1] <= 1.0:
        raise invalid_value("images", images, f"un lote de imágenes con valores en value_range={config.value_range}",
                            "Las imágenes son enteras (0-255) y los cambios de intensidad recortarían casi "
                            "todo a 1: divide entre 255 (`x / 255.0`) o usa `value_range=(0, 255)`.")


def check_seed(seed):
    """Devuelve ``seed`` si es ``None`` o un entero; si no, lanza un error en español."""
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        return seed
    raise invalid_value("seed", seed, "un número entero o None", "Usa, por ejemplo, `seed=0`.",
                        error=TypeError)
