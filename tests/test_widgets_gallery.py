"""Pruebas de las funciones puras de la galería y humo de los controles."""

import numpy as np
import pytest

pytest.importorskip("tensorflow")
import ipywidgets as widgets  # noqa: E402

from coursekit.widgets import gallery  # noqa: E402

IMAGE = np.random.default_rng(0).random((32, 32, 3)).astype("float32")


@pytest.mark.parametrize("technique", list(gallery.TECHNIQUES))
def test_every_technique_changes_image(technique):
    out = gallery.technique_examples(IMAGE, technique, gallery.TECHNIQUES[technique][4], seed=1, count=4)
    assert out.shape == (4, 32, 32, 3)
    assert any(not np.allclose(o, IMAGE) for o in out)


def test_zero_strength_is_identity():
    out = gallery.technique_examples(IMAGE, "rotación", 0.0, seed=0, count=2)
    np.testing.assert_allclose(out, np.stack([IMAGE, IMAGE]), atol=1e-6)


def test_seed_repeats_examples():
    first = gallery.technique_examples(IMAGE, "zoom", 0.3, seed=5, count=3)
    second = gallery.technique_examples(IMAGE, "zoom", 0.3, seed=5, count=3)
    np.testing.assert_allclose(first, second)


def test_technique_config_maps_field():
    assert gallery.technique_config("sesgo (shear)", 15).shear_degrees == 15
    assert gallery.technique_config("volteo vertical", 1).vertical_flip is True


def test_combined_examples_shape():
    out = gallery.combined_examples(IMAGE, seed=0, count=3, rotation_degrees=10, brightness=0.2)
    assert out.shape == (3, 32, 32, 3)


def test_gallery_rejects_bad_input():
    with pytest.raises(ValueError, match="technique"):
        gallery.technique_examples(IMAGE, "blur", 1.0)
    with pytest.raises(ValueError, match="imagen"):
        gallery.technique_examples(IMAGE[..., 0], "zoom", 0.2)
    with pytest.raises(ValueError, match="no vacío"):
        gallery.technique_gallery({})


def test_technique_gallery_smoke():
    box = gallery.technique_gallery({"ruido": IMAGE}, count=2)
    assert isinstance(box, widgets.VBox)
    technique = box.children[0].children[0].children[1]
    strength = box.children[0].children[1].children[0]
    technique.value = "cutout"
    assert strength.max == gallery.TECHNIQUES["cutout"][2]
    assert strength.value == gallery.TECHNIQUES["cutout"][4]
    picture = box.children[1]
    before = bytes(picture.value)
    assert before.startswith(b"\x89PNG")
    strength.value = 0.5
    assert bytes(picture.value).startswith(b"\x89PNG")
    assert bytes(picture.value) != before


def test_combined_gallery_smoke():
    box = gallery.combined_gallery(IMAGE, count=2)
    sliders = [w for w in box.children[0].children[0].children if isinstance(w, widgets.FloatSlider)]
    assert len(sliders) == 3
    sliders[0].value = 45.0
