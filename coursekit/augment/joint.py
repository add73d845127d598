"""Aumento conjunto de imagen y máscara de segmentación con un solo sorteo.

Para segmentar, la máscara tiene que seguir a la imagen píxel a píxel. :class:`JointAugment`
sortea la geometría una vez por pareja y deforma con ella la imagen (bilineal, relleno de la
configuración) y la máscara (vecino más cercano, relleno constante 0 = fondo). Los cambios de
intensidad solo tocan la imagen. Así, las etiquetas de una máscara aumentada son siempre un
subconjunto de las de la original: el vecino más cercano copia etiquetas existentes y el
relleno añade solo el fondo 0.

:func:`augment_mask_wrongly` reproduce los errores habituales para enseñarlos al lado.
"""

from __future__ import annotations

import keras
from keras import ops

from coursekit._errors import check_choice, invalid_value
from coursekit.augment import affine, photometric
from coursekit.augment.inputs import as_image_input, check_image_input, check_seed
from coursekit.augment.pipeline import AugmentConfig

MASK_FILL_VALUE = 0
MISTAKES = ("separate_draws", "bilinear", "nearest_fill", "rescale")


class JointAugment:
    """Aumenta imágenes y máscaras con los mismos parámetros aleatorios.

    La máscara siempre se rellena con 0. Para la imagen conviene también ``fill_mode="constant"``
    (el valor por defecto cuando no se pasa ``config``): con ``"reflect"`` la imagen mostraría
    objetos reflejados en el borde que la máscara marca como fondo.

    Args:
        config: :class:`AugmentConfig`; si falta, se construye con ``strengths`` y relleno constante.
        seed: entero; la misma semilla repite los mismos sorteos.
        **strengths: campos de :class:`AugmentConfig` (``rotation_degrees=20``...).

    Llamada ``joint(images, masks)``:
        images: (N, H, W, C) o (H, W, C), flotantes en ``config.value_range``.
        masks: enteros (N, H, W) o (N, H, W, 1); sin lote, (H, W) o (H, W, 1).

    Devuelve ``(images, masks)``: imágenes float32 y máscaras con la forma y el tipo de entrada.
    Funciona dentro de ``tf.data.Dataset.map`` con parejas ``(imagen, máscara)``.

    Ejemplo::

        joint = JointAugment(rotation_degrees=20, zoom=0.1, horizontal_flip=True, seed=0)
        images_aug, masks_aug = joint(images, masks)          # mismas formas que la entrada
        dataset = dataset.map(joint)                          # pares (imagen, máscara)
    """

    def __init__(self, config: AugmentConfig | None = None, seed=None, **strengths):
        if config is None:
            config = AugmentConfig(**{"fill_mode": "constant", **strengths})
        elif not isinstance(config, AugmentConfig):
            raise invalid_value("config", config, "un AugmentConfig",
                                "Crea uno con `AugmentConfig(rotation_degrees=15, ...)`.", error=TypeError)
        elif strengths:
            config = config.replace(**strengths)
        self.config = config
        self.seed = check_seed(seed)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def __call__(self, images, masks):
        images = ops.convert_to_tensor(as_image_input(images))
        masks = ops.convert_to_tensor(masks)
        check_image_input(images, self.config)
        single = len(images.shape) == 3
        image_batch = ops.expand_dims(images, 0) if single else images
        mask_batch, restore_mask = _mask_to_batch(masks, single, image_batch)
        image_batch = ops.cast(image_batch, "float32")

        if affine.has_geometry(self.config):
            shape = ops.shape(image_batch)
            draws = affine.draw_uniform(shape[0], self.seed_generator)
            transforms = affine.inverse_matrices(draws, shape[1], shape[2], self.config)
            image_batch = affine.warp(image_batch, transforms, self.config.interpolation,
                                      self.config.fill_mode, self.config.fill_value)
            mask_batch = affine.warp(mask_batch, transforms, "nearest", "constant", MASK_FILL_VALUE)
        if photometric.has_photometric(self.config):
            image_batch = photometric.apply_photometric(image_batch, self.config, self.seed_generator)

        masks_out = restore_mask(mask_batch)
        return (image_batch[0] if single else image_batch), masks_out


def _mask_to_batch(masks, single, image_batch):
    """Lleva la máscara a (N, H, W, 1) float32 y devuelve la función que deshace el cambio."""
    rank = len(masks.shape)
    expected_ranks = (2, 3) if single else (3, 4)
    if rank not in expected_ranks:
        raise invalid_value("masks", masks, "máscaras (N, H, W) o (N, H, W, 1) para un lote de imágenes, "
                            "o (H, W) o (H, W, 1) para una imagen",
                            "Comprueba que imágenes y máscaras tienen el mismo número de ejes de lote.")
    has_channel = rank == expected_ranks[1]
    if has_channel and masks.shape[-1] not in (None, 1):
        raise invalid_value("masks", masks, "una máscara de etiquetas enteras con un canal",
                            "Si es one-hot, conviértela antes con `np.argmax(mask, axis=-1)`.")
    if not _is_integer(masks.dtype):
        raise invalid_value("masks", masks, "etiquetas enteras (uint8, int32...)",
                            "Convierte con `mask.astype('int32')`; si vale 0-255, divide antes por 255.",
                            error=TypeError)
    batch = masks
    if single:
        batch = ops.expand_dims(batch, 0)
    if not has_channel:
        batch = ops.expand_dims(batch, -1)
    if (image_batch.shape[1] is not None and batch.shape[1] is not None
            and tuple(image_batch.shape[1:3]) != tuple(batch.shape[1:3])):
        raise invalid_value("masks", masks, f"el mismo alto y ancho que las imágenes {tuple(image_batch.shape[1:3])}",
                            "Redimensiona la máscara con vecino más cercano antes de aumentar.")
    dtype = masks.dtype

    def restore(warped):
        out = warped
        if not has_channel:
            out = out[..., 0]
        if single:
            out = out[0]
        return ops.cast(out, dtype)

    return ops.cast(batch, "float32"), restore


def _is_integer(dtype) -> bool:
    name = keras.backend.standardize_dtype(dtype)
    return name.startswith("int") or name.startswith("uint") or name == "bool"


def augment_mask_wrongly(images, masks, mistake, config: AugmentConfig, seed=0):
    """Aumenta imagen y máscara cometiendo un error habitual, para comparar con :class:`JointAugment`.

    Args:
        images: (N, H, W, C) flotantes; masks: (N, H, W) enteros.
        mistake: uno de
            ``"separate_draws"``: un sorteo para la imagen y otro para la máscara (desalineadas);
            ``"bilinear"``: máscara interpolada bilinealmente (aparecen etiquetas intermedias);
            ``"nearest_fill"``: relleno ``"nearest"`` en la máscara (el objeto del borde se estira);
            ``"rescale"``: la máscara pasa por la normalización de la imagen (x / 255) y vuelve a
            entero, con lo que toda etiqueta se convierte en 0.
        config: geometría usada; seed: semilla.

    Returns:
        ``(images, masks)`` en NumPy; las máscaras redondeadas a entero como haría un cargador.
    """
    check_choice("mistake", mistake, MISTAKES)
    images = ops.cast(ops.convert_to_tensor(images), "float32")
    masks = ops.convert_to_tensor(masks)
    _mask_to_batch(masks, False, images)
    mask_batch = ops.cast(ops.expand_dims(masks, -1), "float32")
    generator = keras.random.SeedGenerator(seed)
    height, width = images.shape[1], images.shape[2]
    draws = affine.draw_uniform(images.shape[0], generator)
    transforms = affine.inverse_matrices(draws, height, width, config)
    images_out = affine.warp(images, transforms, config.interpolation, config.fill_mode, config.fill_value)
    interpolation, fill_mode = "nearest", "constant"
    if mistake == "separate_draws":
        transforms = affine.inverse_matrices(affine.draw_uniform(images.shape[0], generator),
                                             height, width, config)
    elif mistake == "bilinear":
        interpolation = "bilinear"
    elif mistake == "nearest_fill":
        fill_mode = "nearest"
    else:
        mask_batch = mask_batch / 255.0
    masks_out = affine.warp(mask_batch, transforms, interpolation, fill_mode, MASK_FILL_VALUE)
    masks_out = ops.cast(ops.round(masks_out[..., 0]) if mistake != "rescale" else masks_out[..., 0], "int32")
    return ops.convert_to_numpy(images_out), ops.convert_to_numpy(masks_out)
