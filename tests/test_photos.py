"""Pruebas de las fotos reales de scikit-image (sin descargas) y de la segmentación de monedas."""

import sys

import numpy as np
import pytest

from coursekit.data import photos


def test_photos_ship_with_skimage():
    assert set(photos.DEFAULT_PHOTOS) <= set(photos.available_photos())
    assert "coins" in photos.available_photos()


def test_load_photos_shape_and_range():
    batch = photos.load_photos(size=(150, 150))
    assert batch.shape == (4, 150, 150, 3)
    assert batch.dtype == np.float32
    assert batch.min() >= 0.0
    assert batch.max() <= 1.0
    assert batch.std() > 0.1  # fotos reales, no imágenes vacías


def test_load_photo_gray_and_original_size():
    gray = photos.load_photo("camera", size=(32, 48), rgb=False)
    assert gray.shape == (32, 48, 1)
    original = photos.load_photo("coins", size=None)
    assert original.shape == (303, 384, 3)  # tamaño publicado de skimage.data.coins()


def test_loading_does_not_need_pooch(monkeypatch):
    # Si algo intentara descargar con pooch, fallaría al no poder importarlo.
    monkeypatch.setitem(sys.modules, "pooch", None)
    assert photos.load_photo("chelsea", size=(16, 16)).shape == (16, 16, 3)


def test_load_photo_rejects_bad_input():
    with pytest.raises(ValueError, match="name"):
        photos.load_photo("lena")
    with pytest.raises(ValueError, match="size"):
        photos.load_photo("chelsea", size=(150,))
    with pytest.raises(ValueError, match="size"):
        photos.load_photo("chelsea", size=(4, 4))
    with pytest.raises(TypeError, match="lista"):
        photos.load_photos("chelsea")


def test_coins_segmentation_classes():
    image, mask = photos.coins_segmentation(size=(128, 128))
    assert image.shape == (128, 128, 3)
    assert mask.shape == (128, 128)
    assert mask.dtype == np.int32
    assert set(np.unique(mask)) == {0, 1, 2}
    from skimage import measure

    assert measure.label(mask > 0).max() == 24  # las 24 monedas de la foto
    # Las monedas (clases 1 y 2) son más claras que el fondo.
    assert image[mask > 0].mean() > image[mask == 0].mean() + 0.2
