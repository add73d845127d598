"""Aumento de datos para imágenes sobre Keras 3, por lotes, dentro de ``tf.data`` o del modelo.

API pública:

* ``AugmentConfig(horizontal_flip=False, vertical_flip=False, rotation_degrees=0.0, zoom=0.0,
  shift=0.0, shear_degrees=0.0, crop=0.0, brightness=0.0, contrast=0.0, saturation=0.0,
  hue_degrees=0.0, noise_std=0.0, cutout=0.0, fill_mode="reflect", fill_value=0.0,
  interpolation="bilinear", value_range=(0.0, 1.0))``: intensidades en grados y fracciones.
  ``config.to_keras_layers(image_size=None, seed=None)`` la traduce a capas de Keras;
  ``unit_table(config)`` muestra la traducción.
* ``build_pipeline(config=None, seed=None, jit_compile=False, **strengths) -> ComposedAugmentation``:
  capa de Keras que compone la geometría en una sola deformación afín por imagen (la vía rápida).
  Con ``jit_compile=True`` la deformación se compila con XLA: es la opción para entrenar (en CPU,
  unas 15 veces más rápida que ``ImageDataGenerator``; cifras en docs/benchmarks.md).
* ``augment_batch(images, config, seed=0) -> np.ndarray``: atajo para aumentar un array NumPy.
* ``JointAugment(config=None, seed=None, **strengths)``; ``joint(images, masks) -> (images, masks)``
  con imágenes (N, H, W, C) flotantes y máscaras enteras (N, H, W) o (N, H, W, 1) (también sin
  eje de lote). Un solo sorteo para ambas; máscaras con vecino más cercano, relleno constante 0 y
  sin cambios de intensidad. Se puede pasar a ``tf.data.Dataset.map`` con parejas (imagen, máscara).
* ``augment_mask_wrongly(images, masks, mistake, config, seed=0)``: los errores habituales, para
  compararlos.
* ``coursekit.augment.legacy``: el ``ImageDataGenerator`` de la clase bajo Keras 3.
* ``coursekit.augment.balance``: equilibrar clases aumentando las minoritarias.
* ``coursekit.augment.throughput``: imágenes por segundo de cada enfoque.

Importar este paquete importa Keras (y TensorFlow como backend).
"""

from coursekit.augment.joint import MISTAKES, JointAugment, augment_mask_wrongly  # noqa: F401
from coursekit.augment.pipeline import (  # noqa: F401
    AugmentConfig,
    ComposedAugmentation,
    augment_batch,
    build_pipeline,
    unit_table,
)
