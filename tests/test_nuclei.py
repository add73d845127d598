"""Pruebas de los núcleos incluidos: archivo, clases con borde, partición espacial y teselas."""

import numpy as np
import pytest

from coursekit.data.nuclei import (extract_patches, instances_to_classes, load_nuclei,
                                   load_nuclei_dataset, normalize_image, split_regions, tile_origins)


def test_shipped_image_is_512_with_125_nuclei():
    image, instances = load_nuclei()
    assert image.shape == (512, 512)
    assert image.dtype == np.uint8
    assert instances.dtype == np.uint16
    assert int(image.max()) == 235
    assert len(np.unique(instances)) - 1 == 125
    assert int(instances.max()) == 125  # renumerados 1..125


def test_classes_without_border():
    instances = np.array([[0, 3, 3], [0, 0, 7]], dtype=np.uint16)
    expected = np.array([[0, 1, 1], [0, 0, 1]], dtype=np.uint8)
    np.testing.assert_array_equal(instances_to_classes(instances), expected)


def test_border_separates_touching_nuclei():
    # Dos núcleos (1 y 2) que se tocan en una fila: los píxeles contiguos pasan a borde (2).
    instances = np.array([[0, 1, 1, 1, 2, 2, 2, 0]])
    classes = instances_to_classes(instances, border=True)
    np.testing.assert_array_equal(classes, [[0, 2, 1, 2, 2, 1, 2, 0]])


def test_border_width_two():
    instances = np.zeros((7, 7), dtype=np.int32)
    instances[1:6, 1:6] = 4
    classes = instances_to_classes(instances, border=True, border_width=2)
    assert classes[3, 3] == 1  # el único píxel a 3 píxeles del fondo
    assert (classes == 2).sum() == 24  # anillo exterior 16 + anillo interior 8


def test_border_class_on_real_nuclei():
    _, instances = load_nuclei()
    classes = instances_to_classes(instances, border=True)
    assert set(np.unique(classes)) == {0, 1, 2}
    np.testing.assert_array_equal(classes > 0, instances > 0)


def test_classes_reject_float_masks():
    with pytest.raises(TypeError, match="argmax"):
        instances_to_classes(np.zeros((4, 4), dtype=np.float32))


def test_split_has_no_overlap_and_covers_image():
    image, instances = load_nuclei()
    regions = split_regions(image, instances, held_out_fraction=0.25, side="right")
    train, held = regions["train"], regions["held_out"]
    assert train.image.shape == (512, 384)
    assert held.image.shape == (512, 128)
    assert set(train.cols).isdisjoint(held.cols)
    assert len(train.cols) + len(held.cols) == 512
    np.testing.assert_array_equal(held.image, image[:, 384:])
    np.testing.assert_array_equal(held.mask, instances[:, 384:])


@pytest.mark.parametrize("side", ["left", "top", "bottom"])
def test_split_other_sides(side):
    image = np.arange(100).reshape(10, 10)
    regions = split_regions(image, image, held_out_fraction=0.3, side=side)
    train, held = regions["train"], regions["held_out"]
    assert train.image.size + held.image.size == 100
    assert set(train.image.ravel()).isdisjoint(held.image.ravel())
    if side == "top":
        assert held.rows == range(0, 3)
    if side == "bottom":
        assert held.rows == range(7, 10)


def test_split_rejects_bad_input():
    image = np.zeros((8, 8))
    with pytest.raises(ValueError, match="held_out_fraction"):
        split_regions(image, image, held_out_fraction=1.5)
    with pytest.raises(ValueError, match="held_out_fraction"):
        split_regions(image, image, held_out_fraction=0.01)
    with pytest.raises(ValueError, match="side"):
        split_regions(image, image, side="derecha")
    with pytest.raises(ValueError, match="misma forma"):
        split_regions(image, np.zeros((8, 9)))
    with pytest.raises(ValueError, match="2-D"):
        split_regions(np.zeros((2, 8, 8)), np.zeros((2, 8, 8)))


def test_tile_origins_cover_length():
    assert tile_origins(10, 4, 3) == [0, 3, 6]
    assert tile_origins(11, 4, 3) == [0, 3, 6, 7]
    assert tile_origins(4, 4, 2) == [0]
    with pytest.raises(ValueError, match="tesela"):
        tile_origins(3, 4, 2)


def test_patches_shape_and_content():
    image = np.arange(12 * 10).reshape(12, 10)
    x, y = extract_patches(image, image % 3, size=4, stride=4)
    # filas 0, 4, 8; columnas 0, 4 y 6 (la última ajustada al borde)
    assert x.shape == (9, 4, 4, 1)
    assert y.shape == (9, 4, 4)
    np.testing.assert_array_equal(x[2, ..., 0], image[0:4, 6:10])
    np.testing.assert_array_equal(y[2], image[0:4, 6:10] % 3)


def test_patches_reject_bad_size():
    image = np.zeros((8, 8))
    with pytest.raises(ValueError, match="size"):
        extract_patches(image, image, size=0)
    with pytest.raises(ValueError, match="tesela"):
        extract_patches(image, image, size=16)


def test_normalize_uses_reference_percentiles():
    reference = np.arange(101, dtype=np.float32)
    out = normalize_image(np.array([1.0, 50.5, 200.0]), low=1, high=100, reference=reference)
    np.testing.assert_allclose(out, [0.0, 0.5, 1.0])
    with pytest.raises(ValueError, match="contraste"):
        normalize_image(np.ones(4))


def test_dataset_patches_come_only_from_training_region():
    data = load_nuclei_dataset(patch_size=64, stride=32)
    assert data["x_train"].shape == (165, 64, 64, 1)  # 15 filas × 11 columnas de teselas
    assert data["x_train"].dtype == np.float32
    assert data["held_out_image"].shape == (512, 128)
    assert data["class_names"] == ("fondo", "núcleo")
    held_left = data["regions"]["held_out"].left
    train_right = data["regions"]["train"].left + data["train_image"].shape[1]
    assert train_right <= held_left
    assert data["x_train"].min() >= 0.0
    assert data["x_train"].max() <= 1.0


def test_dataset_with_border_has_three_classes():
    data = load_nuclei_dataset(patch_size=64, border=True)
    assert data["class_names"] == ("fondo", "núcleo", "borde")
    assert set(np.unique(data["y_train"])) == {0, 1, 2}
