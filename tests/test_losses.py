"""Pruebas de coursekit.losses: Dice suave, entropía cruzada + Dice, casos límite y errores."""

import keras
import numpy as np
import pytest

from coursekit.losses import CrossEntropyDiceLoss, SoftDiceLoss, soft_dice_loss

LABELS = np.array([[[0, 1, 1], [0, 2, 0], [2, 0, 1]]])


def one_hot(labels, num_classes=3):
    return np.eye(num_classes, dtype=np.float32)[labels]


def random_probabilities(seed, shape):
    return np.random.default_rng(seed).dirichlet(np.ones(shape[-1]), size=shape[:-1]).astype("float32")


def test_soft_dice_by_hand():
    # Clase 0: (2·0.9 + 1)/(1.1 + 1 + 1) = 2.8/3.1; clase 1: (2·0.8 + 1)/(0.9 + 1 + 1) = 2.6/2.9.
    loss = soft_dice_loss([[0, 1]], [[[0.9, 0.1], [0.2, 0.8]]])
    expected = 1 - (2.8 / 3.1 + 2.6 / 2.9) / 2
    assert np.asarray(loss) == pytest.approx([expected], rel=1e-6)


def test_perfect_prediction_zero_absent_class():
    # Solo aparecen las clases 0 y 1 de 4: las ausentes dan (0 + s)/(0 + s) = 1.
    labels = np.array([[[0, 1], [1, 1]]])
    assert float(SoftDiceLoss()(labels, one_hot(labels, 4))) == 0.0


def test_perfect_prediction_zero_all_formats():
    perfect = one_hot(LABELS)
    loss = SoftDiceLoss()
    assert float(loss(LABELS, perfect)) == 0.0
    assert float(loss(LABELS[..., None], perfect)) == 0.0
    assert float(loss(perfect, perfect)) == 0.0


def test_perfect_sigmoid_prediction_is_zero():
    mask = np.array([[[0.0], [1.0]], [[0.0], [0.0]]])[None]
    assert float(SoftDiceLoss()(mask, mask)) == 0.0


def test_empty_image_perfect_prediction_is_zero():
    # Keras 3 (keras.losses.Dice) pone epsilon solo abajo y aquí daría 1; con s en ambos lados, 0.
    empty = np.zeros((1, 4, 4, 1), dtype=np.float32)
    assert float(SoftDiceLoss()(empty, empty)) == 0.0
    assert float(keras.losses.Dice(axis=(1, 2, 3))(empty, empty)) == pytest.approx(1.0)


def test_matches_keras_dice_without_smoothing():
    truth = (np.random.default_rng(0).random((2, 6, 6, 1)) > 0.6).astype("float32")
    probability = np.random.default_rng(1).random((2, 6, 6, 1)).astype("float32")
    ours = soft_dice_loss(truth, probability, smooth=1e-7, classes=[1])
    reference = keras.losses.dice(truth, probability, axis=(1, 2, 3))
    assert np.asarray(ours) == pytest.approx(np.asarray(reference), rel=1e-5)


def test_per_image_shape():
    probabilities = random_probabilities(2, (5, 4, 4, 3))
    labels = np.random.default_rng(3).integers(0, 3, size=(5, 4, 4))
    assert soft_dice_loss(labels, probabilities).shape == (5,)


def test_loss_between_zero_and_one():
    probabilities = random_probabilities(4, (3, 8, 8, 3))
    labels = np.random.default_rng(5).integers(0, 3, size=(3, 8, 8))
    values = np.asarray(soft_dice_loss(labels, probabilities))
    assert np.all(values > 0)
    assert np.all(values < 1)


def test_classes_select_foreground():
    probabilities = random_probabilities(6, (1, 4, 4, 3))
    all_classes = np.asarray(soft_dice_loss(LABELS[:, :3, :3], probabilities[:, :3, :3]))
    foreground = np.asarray(soft_dice_loss(LABELS[:, :3, :3], probabilities[:, :3, :3],
                                           classes=[1, 2]))
    assert all_classes != pytest.approx(foreground)


def test_from_logits_matches_softmax():
    logits = np.random.default_rng(7).normal(size=(2, 4, 4, 3)).astype("float32")
    labels = np.random.default_rng(8).integers(0, 3, size=(2, 4, 4))
    from_logits = np.asarray(soft_dice_loss(labels, logits, from_logits=True))
    probabilities = np.asarray(keras.ops.softmax(logits, axis=-1))
    assert from_logits == pytest.approx(np.asarray(soft_dice_loss(labels, probabilities)), rel=1e-5)


def test_float16_large_mask_is_finite():
    probabilities = np.full((1, 256, 256, 2), 0.5, dtype=np.float16)
    labels = np.ones((1, 256, 256), dtype=np.int32)
    value = float(SoftDiceLoss()(labels, probabilities))
    # Fondo: (0 + 1)/(32 768 + 1). Clase 1: (2·32 768 + 1)/(32 768 + 65 536 + 1).
    assert np.isfinite(value)
    assert value == pytest.approx(1 - (1 / 32769 + 65537 / 98305) / 2, rel=1e-5)


def test_gradients_finite():
    import tensorflow as tf

    labels = np.zeros((1, 4, 4), dtype=np.int32)
    labels[0, 1, 2] = 1
    logits = tf.Variable(np.zeros((1, 4, 4, 3), dtype="float32"))
    with tf.GradientTape() as tape:
        value = CrossEntropyDiceLoss(from_logits=True)(labels, logits)
    gradient = tape.gradient(value, logits)
    assert np.all(np.isfinite(gradient.numpy()))


def test_crossentropy_dice_is_weighted_sum():
    probabilities = random_probabilities(9, (2, 5, 5, 3))
    labels = np.random.default_rng(10).integers(0, 3, size=(2, 5, 5))
    crossentropy = keras.losses.SparseCategoricalCrossentropy()(labels, probabilities)
    dice = SoftDiceLoss()(labels, probabilities)
    combined = CrossEntropyDiceLoss(dice_weight=0.5, crossentropy_weight=2.0)
    assert float(combined(labels, probabilities)) == pytest.approx(
        2.0 * float(crossentropy) + 0.5 * float(dice), rel=1e-5)


def test_losses_config_round_trip():
    loss = CrossEntropyDiceLoss(smooth=0.5, dice_weight=2.0, classes=[1, 2])
    clone = CrossEntropyDiceLoss.from_config(loss.get_config())
    assert clone.smooth == 0.5
    assert clone.dice_weight == 2.0
    assert clone.classes == [1, 2]
    assert SoftDiceLoss.from_config(SoftDiceLoss(smooth=2.0).get_config()).smooth == 2.0


def test_trains_and_reloads(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.random((8, 8, 8, 1)).astype("float32")
    masks = (images[..., 0] > 0.5).astype("int32")
    model = keras.Sequential([keras.Input((8, 8, 1)),
                              keras.layers.Conv2D(2, 3, padding="same", activation="softmax")])
    model.compile(optimizer="adam", loss=CrossEntropyDiceLoss())
    history = model.fit(images, masks, epochs=1, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    model.save(tmp_path / "model.keras")
    reloaded = keras.models.load_model(tmp_path / "model.keras")
    assert isinstance(reloaded.loss, CrossEntropyDiceLoss)


# --- errores -------------------------------------------------------------------------------------

def test_rejects_zero_smooth():
    with pytest.raises(ValueError, match="mayor que 0"):
        SoftDiceLoss(smooth=0)


def test_rejects_text_smooth():
    with pytest.raises(TypeError, match="smooth"):
        SoftDiceLoss(smooth="1")


def test_rejects_negative_weight():
    with pytest.raises(ValueError, match="dice_weight"):
        CrossEntropyDiceLoss(dice_weight=-1)


def test_rejects_both_weights_zero():
    with pytest.raises(ValueError, match="siempre 0"):
        CrossEntropyDiceLoss(dice_weight=0, crossentropy_weight=0)


def test_rejects_bad_classes():
    with pytest.raises(ValueError, match="clases entre 0 y 2"):
        soft_dice_loss(LABELS, one_hot(LABELS), classes=[3])


def test_rejects_probabilities_outside_unit_interval():
    with pytest.raises(ValueError, match="logits"):
        soft_dice_loss(LABELS, one_hot(LABELS) * 3 - 1)


def test_rejects_label_out_of_range():
    with pytest.raises(ValueError, match="etiquetas entre 0 y 2"):
        soft_dice_loss(LABELS + 1, one_hot(LABELS))


def test_rejects_prediction_without_batch_axis():
    with pytest.raises(ValueError, match="eje de lote"):
        soft_dice_loss([1, 0], [0.2, 0.8])
