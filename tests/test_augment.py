"""Pruebas de la configuración, la capa compuesta, la traducción a Keras y el puente heredado."""

import logging
import math

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
import keras  # noqa: E402

from coursekit.augment import AugmentConfig, augment_batch, build_pipeline, legacy, unit_table  # noqa: E402
from coursekit.augment import affine  # noqa: E402
from coursekit.augment.balance import balance_by_augmentation, class_counts  # noqa: E402
from coursekit.augment.throughput import measure_throughput, throughput_table  # noqa: E402

RNG = np.random.default_rng(0)
IMAGES = RNG.random((4, 24, 32, 3)).astype("float32")


def layer_named(layers, name):
    return next(layer for layer in layers if type(layer).__name__ == name)


# --- AugmentConfig -------------------------------------------------------------------------

@pytest.mark.parametrize("field, value, match", [
    ("rotation_degrees", 270, "grados"),
    ("rotation_degrees", -5, "grados"),
    ("shift", 20, "20 / 150"),
    ("zoom", 1.5, "fracción"),
    ("shear_degrees", 90, "75"),
    ("noise_std", 2.0, "desviación"),
    ("cutout", 1.2, "cuadrado"),
])
def test_config_rejects_out_of_range(field, value, match):
    with pytest.raises(ValueError, match=match):
        AugmentConfig(**{field: value})


def test_config_rejects_bad_types_and_choices():
    with pytest.raises(TypeError, match="rotation_degrees"):
        AugmentConfig(rotation_degrees="15")
    with pytest.raises(TypeError, match="horizontal_flip"):
        AugmentConfig(horizontal_flip="yes")
    with pytest.raises(ValueError, match="fill_mode"):
        AugmentConfig(fill_mode="mirror")
    with pytest.raises(ValueError, match="interpolation"):
        AugmentConfig(interpolation="bicubic")
    with pytest.raises(ValueError, match="value_range"):
        AugmentConfig(value_range=(1.0, 0.0))


def test_config_replace_validates_again():
    config = AugmentConfig(rotation_degrees=10)
    assert config.replace(zoom=0.2).zoom == 0.2
    with pytest.raises(ValueError, match="zoom"):
        config.replace(zoom=3)


# --- traducción a capas de Keras -----------------------------------------------------------

def test_keras_units_translation():
    config = AugmentConfig(rotation_degrees=36, zoom=0.2, shear_degrees=45, saturation=0.5,
                           hue_degrees=90, cutout=0.5, crop=0.2, noise_std=0.001,
                           value_range=(0.0, 255.0))
    layers = config.to_keras_layers(image_size=(100, 50))
    # 36° son 0,1 de vuelta completa.
    assert layer_named(layers, "RandomRotation").factor == pytest.approx((-0.1, 0.1))
    # Zoom simétrico: negativo acerca, positivo aleja.
    assert layer_named(layers, "RandomZoom").height_factor == (-0.2, 0.2)
    # tan(45°) = 1.
    assert max(layer_named(layers, "RandomShear").x_factor) == pytest.approx(1.0)
    # Multiplicador 0,5..1,5 → factor m / (1 + m) = 1/3..3/5.
    assert layer_named(layers, "RandomSaturation").factor == pytest.approx((1 / 3, 3 / 5))
    # 90° de tono = factor 0,5 (RandomHue gira factor/2 de vuelta).
    assert layer_named(layers, "RandomHue").factor[1] == pytest.approx(0.5)
    # Lado 0,5 → área 0,25.
    assert layer_named(layers, "RandomErasing").scale == pytest.approx((0.25, 0.25))
    crop = layer_named(layers, "RandomCrop")
    assert (crop.height, crop.width) == (80, 40)
    # Desviación en fracción del rango 0-255.
    assert layer_named(layers, "GaussianNoise").stddev == pytest.approx(0.255)


def test_keras_noise_limit_explained():
    # GaussianNoise de Keras 3 no admite stddev > 1: con imágenes 0-255 avisamos antes.
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        AugmentConfig(noise_std=0.1, value_range=(0.0, 255.0)).to_keras_layers()


def test_keras_rotation_matches_degrees():
    # Un giro fijo de 90° con RandomRotation(90/360, 90/360) coincide con np.rot90.
    image = np.arange(25, dtype="float32").reshape(1, 5, 5, 1)
    layer = keras.layers.RandomRotation((90 / 360, 90 / 360), interpolation="nearest")
    rotated = keras.ops.convert_to_numpy(layer(image, training=True))[0, ..., 0]
    assert np.array_equal(rotated, np.rot90(image[0, ..., 0], 1)) or \
        np.array_equal(rotated, np.rot90(image[0, ..., 0], -1))


def test_crop_needs_image_size():
    with pytest.raises(ValueError, match="image_size"):
        AugmentConfig(crop=0.2).to_keras_layers()


def test_unit_table_lists_each_layer():
    rows = unit_table(AugmentConfig(rotation_degrees=20, horizontal_flip=True))
    assert rows == [
        {"coursekit": "horizontal_flip=True", "capa de Keras": "RandomFlip(mode=horizontal)"},
        {"coursekit": "rotation_degrees=20", "capa de Keras": "RandomRotation(factor=(-0.0556, 0.0556))"},
    ]


# --- capa compuesta ------------------------------------------------------------------------

def test_pipeline_shapes_and_range():
    config = AugmentConfig(horizontal_flip=True, rotation_degrees=30, zoom=0.2, shift=0.1,
                           shear_degrees=10, crop=0.1, brightness=0.3, contrast=0.3,
                           saturation=0.3, hue_degrees=30, noise_std=0.1, cutout=0.3)
    out = augment_batch(IMAGES, config, seed=0)
    assert out.shape == IMAGES.shape
    assert out.dtype == np.float32
    assert out.min() >= 0.0
    assert out.max() <= 1.0
    single = build_pipeline(config, seed=0)(IMAGES[0])
    assert tuple(single.shape) == IMAGES.shape[1:]


def test_pipeline_seed_repeats():
    config = AugmentConfig(rotation_degrees=30, brightness=0.2)
    np.testing.assert_allclose(augment_batch(IMAGES, config, seed=3), augment_batch(IMAGES, config, seed=3))
    assert not np.allclose(augment_batch(IMAGES, config, seed=3), augment_batch(IMAGES, config, seed=4))


def test_pipeline_identity_without_training_or_strength():
    layer = build_pipeline(rotation_degrees=30, seed=0)
    np.testing.assert_array_equal(layer(IMAGES, training=False), IMAGES)
    np.testing.assert_allclose(augment_batch(IMAGES, AugmentConfig(), seed=0), IMAGES)


def test_horizontal_flip_is_exact_mirror():
    out = augment_batch(np.repeat(IMAGES[:1], 16, axis=0), AugmentConfig(horizontal_flip=True), seed=0)
    flipped = [np.allclose(o, IMAGES[0, :, ::-1], atol=1e-5) for o in out]
    unchanged = [np.allclose(o, IMAGES[0], atol=1e-5) for o in out]
    assert all(f or u for f, u in zip(flipped, unchanged))
    assert any(flipped)
    assert any(unchanged)


def test_rotation_matrix_180_degrees():
    # Con el sorteo en el extremo (u → 1) el ángulo es el máximo, y girar 180° invierte ambos ejes.
    draws = np.full((1, affine.NUM_DRAWS), 0.5, dtype="float32")
    draws[0, 2] = 1.0
    transform = keras.ops.convert_to_numpy(
        affine.inverse_matrices(draws, 5, 5, AugmentConfig(rotation_degrees=180)))
    image = np.arange(25, dtype="float32").reshape(1, 5, 5, 1)
    rotated = keras.ops.convert_to_numpy(affine.warp(image, transform, "nearest", "constant"))
    np.testing.assert_array_equal(rotated[0, ..., 0], image[0, ::-1, ::-1, 0])


def test_brightness_shift_in_range_fraction():
    gray = np.full((64, 8, 8, 1), 0.5, dtype="float32")
    out = augment_batch(gray, AugmentConfig(brightness=0.2), seed=0)
    shifts = out[:, 0, 0, 0] - 0.5
    assert np.abs(shifts).max() <= 0.2 + 1e-6
    assert np.abs(shifts).max() > 0.15
    assert np.allclose(out, out[:, :1, :1, :])  # el mismo desplazamiento en toda la imagen


def test_cutout_side_fraction():
    ones = np.ones((8, 40, 40, 1), dtype="float32")
    out = augment_batch(ones, AugmentConfig(cutout=0.5), seed=0)
    zeroed = (out == 0).sum(axis=(1, 2, 3))
    assert zeroed.max() <= 20 * 20
    assert zeroed.max() == 20 * 20  # algún cuadrado cae entero dentro de la imagen


def test_hue_needs_rgb():
    gray = np.zeros((2, 8, 8, 1), dtype="float32")
    with pytest.raises(ValueError, match="RGB"):
        augment_batch(gray, AugmentConfig(hue_degrees=20))


def test_generator_names_point_to_fields():
    with pytest.raises(TypeError, match="rotation_degrees"):
        build_pipeline(rotation_range=20)
    with pytest.raises(TypeError, match="shift"):
        AugmentConfig(width_shift_range=0.2)


def test_misspelled_field_suggests_name():
    with pytest.raises(TypeError, match="¿Querías decir `zoom`?"):
        AugmentConfig(zom=0.1)
    with pytest.raises(TypeError, match="¿Querías decir `shift`?"):
        AugmentConfig(rotation_degrees=5).replace(shitf=0.1)


def test_text_seed_rejected():
    with pytest.raises(TypeError, match="seed=0"):
        build_pipeline(rotation_degrees=5, seed="abc")


@pytest.mark.parametrize("jit_compile", [False, True])
def test_gray_batch_without_channel_rejected(jit_compile):
    layer = build_pipeline(rotation_degrees=5, seed=0, jit_compile=jit_compile)
    with pytest.raises(ValueError, match=r"forma \(8, 28, 28\).*x\[\.\.\., None\]"):
        layer(np.zeros((8, 28, 28), "float32"))


@pytest.mark.parametrize("bad", ["foto.png", None])
def test_non_image_input_rejected(bad):
    with pytest.raises(TypeError, match="load_photo"):
        build_pipeline(rotation_degrees=5, seed=0)(bad)


def test_nested_list_input_accepted():
    image = [[[0.1], [0.2]], [[0.3], [0.4]]]
    assert tuple(build_pipeline(rotation_degrees=5, seed=0)(image).shape) == (2, 2, 1)


def test_integer_images_need_value_range_for_intensity():
    pixels = np.full((2, 8, 8, 3), 200, "uint8")
    with pytest.raises(ValueError, match=r"value_range=\(0, 255\)"):
        build_pipeline(brightness=0.1, seed=0)(pixels)
    out = keras.ops.convert_to_numpy(build_pipeline(brightness=0.1, value_range=(0, 255), seed=0)(pixels))
    assert out.max() <= 255
    assert out.min() > 150


def test_channels_first_rejected():
    with pytest.raises(ValueError, match="canales primero"):
        augment_batch(np.zeros((2, 3, 32, 32), "float32"), AugmentConfig(rotation_degrees=5))


@pytest.mark.parametrize("fill_mode", ["reflect", "nearest", "constant"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_gather_warp_matches_keras(fill_mode, interpolation):
    config = AugmentConfig(rotation_degrees=40, zoom=0.3, shift=0.2, shear_degrees=10,
                           horizontal_flip=True)
    draws = affine.draw_uniform(4, keras.random.SeedGenerator(1))
    transforms = affine.inverse_matrices(draws, 24, 32, config)
    reference = keras.ops.convert_to_numpy(affine.warp(IMAGES, transforms, interpolation, fill_mode, 0.3))
    fast = keras.ops.convert_to_numpy(affine.gather_warp(IMAGES, transforms, interpolation, fill_mode, 0.3))
    if interpolation == "bilinear":
        np.testing.assert_allclose(fast, reference, atol=1e-4)
    else:
        # Los empates de redondeo (x,5) pueden elegir el vecino contiguo en unos pocos píxeles.
        assert np.mean(np.abs(fast - reference) > 1e-4) < 0.002


@pytest.mark.parametrize("fill_mode", ["reflect", "nearest", "constant"])
@pytest.mark.parametrize("size", [(1, 1), (1, 7), (6, 1), (2, 2)])
def test_gather_warp_matches_keras_on_tiny_images(fill_mode, size):
    config = AugmentConfig(rotation_degrees=30, zoom=0.2, shift=0.3)
    images = RNG.random((3,) + size + (2,)).astype("float32")
    transforms = affine.inverse_matrices(affine.draw_uniform(3, keras.random.SeedGenerator(2)), *size, config)
    reference = keras.ops.convert_to_numpy(affine.warp(images, transforms, "bilinear", fill_mode, 0.3))
    fast = keras.ops.convert_to_numpy(affine.gather_warp(images, transforms, "bilinear", fill_mode, 0.3))
    np.testing.assert_allclose(fast, reference, atol=1e-4)


def test_gather_warp_reads_uint8_and_returns_float():
    config = AugmentConfig(rotation_degrees=25, shift=0.1)
    pixels = (IMAGES * 255).astype("uint8")
    transforms = affine.inverse_matrices(affine.draw_uniform(4, keras.random.SeedGenerator(3)), 24, 32, config)
    fast = affine.gather_warp(pixels, transforms, "bilinear", "nearest")
    reference = keras.ops.convert_to_numpy(affine.warp(pixels.astype("float32"), transforms, "bilinear", "nearest"))
    assert fast.dtype == tf.float32
    np.testing.assert_allclose(fast.numpy(), reference, atol=1e-3)


def test_xla_pipeline_inside_tf_data():
    layer = build_pipeline(rotation_degrees=20, zoom=0.1, horizontal_flip=True, seed=0, jit_compile=True)
    dataset = tf.data.Dataset.from_tensor_slices(IMAGES).batch(2).map(lambda x: layer(x))
    batches = [b.numpy() for b in dataset]
    assert [b.shape for b in batches] == [(2, 24, 32, 3), (2, 24, 32, 3)]


# --- generador heredado --------------------------------------------------------------------

def test_legacy_import_paths():
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    assert ImageDataGenerator.__module__.startswith("keras.src.legacy")
    with pytest.raises(ImportError):
        from keras.preprocessing.image import ImageDataGenerator as _  # noqa: F401


def test_legacy_shear_is_in_degrees():
    # 0,2 en shear_range son 0,2°: el cambio medio es mínimo comparado con 20°.
    image = IMAGES[0]
    weak = legacy.legacy_examples(image, count=2, seed=0, shear_range=0.2)
    strong = legacy.legacy_examples(image, count=2, seed=0, shear_range=20)
    assert np.abs(weak - image).mean() < np.abs(strong - image).mean() / 5


def test_legacy_zoom_changes_aspect_ratio():
    generator = legacy.image_data_generator(zoom_range=0.2)
    params = [generator.get_random_transform((150, 150, 3), seed=seed) for seed in range(5)]
    assert any(abs(p["zx"] - p["zy"]) > 0.01 for p in params)
    assert all(0.8 <= p["zx"] <= 1.2 for p in params)


def test_legacy_examples_and_lecture_config():
    out = legacy.legacy_examples(IMAGES[0], count=3, seed=0)
    assert out.shape == (3, 24, 32, 3)
    assert legacy.lecture_config().shear_degrees == 0.2
    assert legacy.lecture_config(literal=False).shear_degrees == pytest.approx(math.degrees(math.atan(0.2)))
    with pytest.raises(ValueError, match="imagen"):
        legacy.legacy_examples(IMAGES, count=3)


# --- equilibrado y velocidad ---------------------------------------------------------------

def test_balance_adds_only_minority_copies():
    images = RNG.random((13, 8, 8, 1)).astype("float32")
    labels = np.array([0] * 10 + [1] * 3)
    out_images, out_labels, synthetic = balance_by_augmentation(
        images, labels, AugmentConfig(rotation_degrees=10), seed=0)
    assert class_counts(out_labels) == {0: 10, 1: 10}
    assert synthetic.sum() == 7
    assert set(out_labels[synthetic]) == {1}
    np.testing.assert_array_equal(out_images[:13], images)


def test_balance_rejects_bad_input():
    with pytest.raises(ValueError, match="canal"):
        balance_by_augmentation(np.zeros((4, 8, 8)), np.zeros(4), AugmentConfig())
    with pytest.raises(ValueError, match="etiquetas"):
        balance_by_augmentation(np.zeros((4, 8, 8, 1)), np.zeros(3), AugmentConfig())


def test_xla_layer_reads_uint8_like_float():
    pixels = (IMAGES * 255).astype("uint8")
    strengths = dict(rotation_degrees=30, shift=0.1, horizontal_flip=True, fill_mode="nearest")
    fast = build_pipeline(seed=3, jit_compile=True, **strengths)(pixels, training=True)
    reference = build_pipeline(seed=3, jit_compile=True, **strengths)(pixels.astype("float32"), training=True)
    assert fast.dtype == "float32"
    np.testing.assert_allclose(keras.ops.convert_to_numpy(fast), keras.ops.convert_to_numpy(reference),
                               atol=1e-2)


def test_throughput_accepts_uint8_images():
    pixels = (np.resize(IMAGES, (8, 24, 32, 3)) * 255).astype("uint8")
    results = measure_throughput(pixels, batch_size=4, repeats=2, methods=("legacy", "coursekit_xla"))
    assert set(results) == {"legacy", "coursekit_xla"}
    assert len(results["coursekit_xla"]["runs"]) == 2
    assert results["coursekit_xla"]["median"] > 0


def test_throughput_reports_every_method():
    results = measure_throughput(np.resize(IMAGES, (8, 24, 32, 3)), batch_size=4, repeats=1)
    assert set(results) == {"legacy", "keras_layers", "coursekit", "coursekit_xla"}
    rows = throughput_table(results)
    assert rows[0]["× legacy"] == "1,0×"
    assert all(int(row["imágenes/s (mediana)"].replace(" ", "")) > 0 for row in rows)
    with pytest.raises(ValueError, match="methods"):
        measure_throughput(IMAGES, methods=("fast",))


def test_throughput_table_spanish_numbers():
    rows = throughput_table({"legacy": {"median": 679.2, "runs": [679.2, 700.0]},
                             "coursekit_xla": {"median": 10274.4, "runs": [10274.4, 9000.0]}})
    assert rows[1]["imágenes/s (mediana)"] == "10 274"
    assert rows[1]["medidas"] == "10 274; 9 000"
    assert rows[1]["× legacy"] == "15,1×"


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_xla_layer_new_shapes_no_retracing_warning():
    layer = build_pipeline(rotation_degrees=10, seed=0, jit_compile=True)
    collector = _Collect()
    tf.get_logger().addHandler(collector)
    try:
        for size in (8, 9, 10, 11, 12, 13):
            out = layer(np.zeros((size, size + 1, 3), "float32"))
            assert tuple(out.shape) == (size, size + 1, 3)
    finally:
        tf.get_logger().removeHandler(collector)
    assert not [message for message in collector.messages if "retracing" in message]


def test_make_dataset_rejects_gray_batch_before_map():
    from coursekit.input_pipeline import make_dataset

    layer = build_pipeline(rotation_degrees=10, seed=0, jit_compile=True)
    gray = np.zeros((16, 12, 12), "float32")
    with pytest.raises(ValueError, match=r"^`images` no es válido.*x\[\.\.\., None\]"):
        make_dataset(gray, np.zeros(16, "int64"), batch_size=8, augment=layer)
