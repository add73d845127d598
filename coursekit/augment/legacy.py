"""Puente con el ``ImageDataGenerator`` heredado que usa el ejemplo de clase.

En Keras 3 la clase solo se importa como
``from tensorflow.keras.preprocessing.image import ImageDataGenerator`` (es
``keras.src.legacy.preprocessing.image.ImageDataGenerator``, comprobado con TensorFlow 2.21 y
Keras 3.15); ``from keras.preprocessing.image import ImageDataGenerator`` lanza ``ImportError``.
Procesa una imagen cada vez en NumPy/SciPy, en la CPU.

Unidades reales de sus parámetros (leídas en ``get_random_transform`` y
``apply_affine_transform`` de ese módulo):

* ``rotation_range``: grados; ángulo uniforme en [-r, r].
* ``width_shift_range``/``height_shift_range``: fracción del lado si es < 1; si es ≥ 1, píxeles.
* ``shear_range``: **grados** (se pasa por ``np.deg2rad``); 0.2 son 0,2°, un sesgo invisible.
* ``zoom_range``: z da factores en [1 - z, 1 + z], sorteados **por separado** para x e y, así que
  deforma la proporción; un factor > 1 aleja (la imagen se ve más pequeña).
* ``fill_mode``: ``"nearest"`` por defecto (repite el píxel del borde); ``cval=0`` para "constant".
* ``interpolation_order``: 1 por defecto (bilineal, con ``scipy.ndimage``).

La propia clase lleva el docstring ``DEPRECATED.`` en Keras 3.15.
"""

from __future__ import annotations

import numpy as np

from coursekit._errors import check_positive_int, invalid_value
from coursekit.augment.pipeline import AugmentConfig

# Los argumentos del ejemplo de clase, tal cual.
LECTURE_SETTINGS = {
    "rotation_range": 40,
    "width_shift_range": 0.2,
    "height_shift_range": 0.2,
    "shear_range": 0.2,
    "zoom_range": 0.2,
    "horizontal_flip": True,
    "fill_mode": "nearest",
}

PARAMETER_UNITS = [
    {"parámetro": "rotation_range", "valor": 40, "unidad real": "grados",
     "efecto": "giro uniforme entre -40° y +40°"},
    {"parámetro": "width_shift_range", "valor": 0.2, "unidad real": "fracción del ancho (< 1) o píxeles (≥ 1)",
     "efecto": "desplaza hasta ±30 píxeles en una imagen de 150"},
    {"parámetro": "height_shift_range", "valor": 0.2, "unidad real": "fracción del alto (< 1) o píxeles (≥ 1)",
     "efecto": "desplaza hasta ±30 píxeles en una imagen de 150"},
    {"parámetro": "shear_range", "valor": 0.2, "unidad real": "grados",
     "efecto": "sesgo de ±0,2°: no se ve; ±11,3° sería shear_range=11.3"},
    {"parámetro": "zoom_range", "valor": 0.2, "unidad real": "fracción; factores en [0,8, 1,2]",
     "efecto": "x e y por separado: cambia la proporción de la imagen"},
    {"parámetro": "horizontal_flip", "valor": True, "unidad real": "sí/no",
     "efecto": "voltea la mitad de las veces"},
    {"parámetro": "fill_mode", "valor": "nearest", "unidad real": "modo de relleno",
     "efecto": "repite el píxel del borde: deja franjas estiradas"},
    {"parámetro": "interpolation_order (no aparece)", "valor": 1, "unidad real": "orden del spline de SciPy",
     "efecto": "bilineal por defecto; 0 sería el vecino más cercano"},
]


def image_data_generator(**settings):
    """Crea un ``ImageDataGenerator`` de Keras 3 (ruta ``tensorflow.keras``); sin argumentos, el de clase."""
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    return ImageDataGenerator(**(settings or LECTURE_SETTINGS))


def legacy_examples(image, count=4, seed=0, **settings) -> np.ndarray:
    """Genera ``count`` versiones aumentadas de una imagen con el generador heredado.

    Args:
        image: array (alto, ancho, canales).
        count: número de versiones.
        seed: semilla de ``flow``; la misma semilla da las mismas versiones.
        **settings: argumentos de ``ImageDataGenerator``; sin ellos, los de clase.

    Returns:
        Array float32 (count, alto, ancho, canales), en las unidades de la entrada.
    """
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3:
        raise invalid_value("image", image, "una imagen (alto, ancho, canales)",
                            "Para una imagen en gris (H, W) usa `x[..., None]`.")
    count = check_positive_int("count", count)
    generator = image_data_generator(**settings)
    flow = generator.flow(image[None], batch_size=1, shuffle=False, seed=seed)
    return np.concatenate([next(flow) for _ in range(count)]).astype(np.float32)


def legacy_batches(images, labels=None, batch_size=32, seed=0, **settings):
    """Devuelve el iterador ``flow`` del generador sobre arrays NumPy, barajando (para medir su velocidad).

    Con ``labels`` cada lote es un par ``(imágenes, etiquetas)``; sin ellas, solo las imágenes.
    """
    generator = image_data_generator(**settings)
    return generator.flow(np.asarray(images, dtype=np.float32), labels, batch_size=batch_size,
                          shuffle=True, seed=seed)


def lecture_config(literal: bool = True) -> AugmentConfig:
    """Expresa el ejemplo de clase como :class:`AugmentConfig`.

    Con ``literal=True`` copia lo que el generador hace de verdad: sesgo de 0,2°, relleno
    ``"nearest"``. Con ``literal=False`` escribe lo que los comentarios parecen pretender: un sesgo
    visible de 11,3° (atan 0,2, la tangente 0,2 que usan las capas de Keras). En ambos el zoom
    conserva la proporción, a diferencia del generador.
    """
    return AugmentConfig(rotation_degrees=40.0, shift=0.2, zoom=0.2, horizontal_flip=True,
                         shear_degrees=0.2 if literal else float(np.degrees(np.arctan(0.2))),
                         fill_mode="nearest")
