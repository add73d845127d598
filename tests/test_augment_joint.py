"""Pruebas del aumento conjunto imagen + máscara: conjunto de etiquetas, alineación, semillas."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from coursekit.augment import AugmentConfig, JointAugment, augment_mask_wrongly  # noqa: E402
from coursekit.data.photos import coins_segmentation  # noqa: E402

STRONG = dict(rotation_degrees=45, zoom=0.3, shift=0.2, shear_degrees=20, crop=0.2,
              horizontal_flip=True, vertical_flip=True, brightness=0.3, contrast=0.3,
              noise_std=0.1, cutout=0.3)


@pytest.fixture(scope="module")
def coins():
    image, mask = coins_segmentation(size=(64, 64))
    images = np.repeat(image[None], 16, axis=0)
    masks = np.repeat(mask[None], 16, axis=0)
    return images, masks


def test_label_set_is_subset_over_many_draws(coins):
    images, masks = coins
    original = set(np.unique(masks))
    joint = JointAugment(seed=0, **STRONG)
    for _ in range(10):  # 10 lotes de 16: 160 sorteos distintos
        _, augmented = joint(images, masks)
        assert set(np.unique(augmented.numpy())) <= original


def test_masks_and_images_stay_aligned(coins):
    # Imagen = máscara como número: con vecino más cercano y relleno constante 0 para los dos,
    # la imagen deformada tiene que coincidir exactamente con la máscara deformada.
    _, masks = coins
    images = masks[..., None].astype("float32")
    joint = JointAugment(seed=3, rotation_degrees=45, zoom=0.3, shift=0.2, shear_degrees=20,
                         crop=0.2, horizontal_flip=True, vertical_flip=True,
                         interpolation="nearest", fill_mode="constant", value_range=(0.0, 2.0))
    for _ in range(5):
        warped_images, warped_masks = joint(images, masks)
        np.testing.assert_array_equal(warped_images.numpy()[..., 0], warped_masks.numpy())


def test_bilinear_image_follows_mask(coins):
    # Con la interpolación bilineal de las imágenes, el objeto sigue en el mismo sitio:
    # el centro de masas de la imagen y el de la máscara distan menos de un píxel.
    _, masks = coins
    images = (masks[..., None] > 0).astype("float32")
    joint = JointAugment(seed=1, rotation_degrees=30, shift=0.2, fill_mode="constant")
    warped_images, warped_masks = joint(images, masks)
    rows = np.arange(64)[None, :, None]
    for image, mask in zip(warped_images.numpy()[..., 0], warped_masks.numpy() > 0):
        if mask.sum() == 0:
            continue
        image_row = (image * rows[0]).sum() / image.sum()
        mask_row = (mask * rows[0]).sum() / mask.sum()
        assert abs(image_row - mask_row) < 1.0


def test_masks_keep_shape_and_dtype(coins):
    images, masks = coins
    joint = JointAugment(seed=0, rotation_degrees=10)
    out_images, out_masks = joint(images, masks[..., None].astype("uint8"))
    assert out_images.shape == images.shape
    assert out_masks.shape == (16, 64, 64, 1)
    assert out_masks.dtype == tf.uint8


def test_masks_get_no_intensity_changes(coins):
    images, masks = coins
    joint = JointAugment(seed=0, brightness=0.5, contrast=0.5, noise_std=0.2, cutout=0.5)
    out_images, out_masks = joint(images, masks)
    np.testing.assert_array_equal(out_masks.numpy(), masks)
    assert not np.allclose(out_images.numpy(), images)


def test_single_pair_without_batch_axis(coins):
    images, masks = coins
    out_image, out_mask = JointAugment(seed=0, rotation_degrees=20)(images[0], masks[0])
    assert out_image.shape == (64, 64, 3)
    assert out_mask.shape == (64, 64)


def test_same_seed_repeats_draws(coins):
    images, masks = coins
    first = JointAugment(seed=7, **STRONG)(images, masks)
    second = JointAugment(seed=7, **STRONG)(images, masks)
    other = JointAugment(seed=8, **STRONG)(images, masks)
    np.testing.assert_array_equal(first[1].numpy(), second[1].numpy())
    np.testing.assert_allclose(first[0].numpy(), second[0].numpy())
    assert not np.array_equal(first[1].numpy(), other[1].numpy())


def test_inside_tf_data_map(coins):
    images, masks = coins
    joint = JointAugment(seed=0, **STRONG)
    dataset = tf.data.Dataset.from_tensor_slices((images, masks)).batch(8).map(joint)
    original = set(np.unique(masks))
    batches = list(dataset)
    assert len(batches) == 2
    for image_batch, mask_batch in batches:
        assert image_batch.shape == (8, 64, 64, 3)
        assert set(np.unique(mask_batch.numpy())) <= original
    unbatched = tf.data.Dataset.from_tensor_slices((images, masks)).map(joint)
    image, mask = next(iter(unbatched))
    assert mask.shape == (64, 64)


def test_separate_draws_misalign(coins):
    images, masks = coins
    config = AugmentConfig(rotation_degrees=45, shift=0.2)
    _, right = JointAugment(config, seed=0)(images, masks)
    _, wrong = augment_mask_wrongly(images, masks, "separate_draws", config, seed=0)
    assert np.mean(right.numpy() != wrong) > 0.05


def test_bilinear_mask_invents_labels(coins):
    images, masks = coins
    masks_0_2 = np.where(masks > 0, 2, 0)  # solo fondo y clase 2
    config = AugmentConfig(rotation_degrees=30, zoom=0.2)
    _, wrong = augment_mask_wrongly(images, masks_0_2, "bilinear", config, seed=0)
    assert 1 in set(np.unique(wrong))
    _, right = JointAugment(config, seed=0)(images, masks_0_2)
    assert set(np.unique(right.numpy())) <= {0, 2}


def test_nearest_fill_smears_foreground():
    # Objetos que tocan los bordes izquierdo y derecho: desplace hacia donde desplace,
    # el relleno "nearest" estira uno de ellos hacia dentro.
    mask = np.zeros((8, 32, 32), dtype=np.int32)
    mask[:, 10:20, :4] = 1
    mask[:, 10:20, 28:] = 1
    images = np.zeros((8, 32, 32, 3), dtype=np.float32)
    config = AugmentConfig(shift=0.3)
    _, wrong = augment_mask_wrongly(images, mask, "nearest_fill", config, seed=2)
    _, right = JointAugment(config, seed=2)(images, mask)
    assert wrong.sum() > right.numpy().sum()


def test_rescaled_mask_loses_labels(coins):
    images, masks = coins
    _, wrong = augment_mask_wrongly(images, masks, "rescale", AugmentConfig(rotation_degrees=5))
    assert set(np.unique(wrong)) == {0}


@pytest.mark.parametrize("bad_masks, match", [
    (np.zeros((16, 64, 64, 3), np.int32), "one-hot"),
    (np.zeros((16, 64, 64), np.float32), "enteras"),
    (np.zeros((16, 32, 32), np.int32), "mismo alto y ancho"),
    (np.zeros((64, 64), np.int32), "mismo número de ejes"),
])
def test_bad_masks_rejected(coins, bad_masks, match):
    images, _ = coins
    error = TypeError if bad_masks.dtype == np.float32 else ValueError
    with pytest.raises(error, match=match):
        JointAugment(rotation_degrees=10)(images, bad_masks)


def test_bad_config_and_mistake_rejected(coins):
    images, masks = coins
    with pytest.raises(TypeError, match="AugmentConfig"):
        JointAugment({"rotation_degrees": 10})
    with pytest.raises(ValueError, match="mistake"):
        augment_mask_wrongly(images, masks, "blur", AugmentConfig())


def test_joint_rejects_text_image():
    with pytest.raises(TypeError, match="load_photo"):
        JointAugment(rotation_degrees=10, seed=0)("imagen.png", np.zeros((8, 8), "int32"))
