"""Pruebas de coursekit.training con LeNet-5 y dígitos MNIST reales."""

import io
import re
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from coursekit.data import load_digits, pad_to_32, stratified_split
from coursekit.models import lenet5, mlp
from coursekit.runtime import seed_everything
from coursekit.training import (ImageScaleWarning, SpanishProgress, TrainingHistory, default_loss,
                                evaluate, format_epoch_line, make_dataset, train)


@pytest.fixture(scope="module")
def digits():
    """Unos 600 dígitos de entrenamiento y 300 de prueba, estratificados, en [0, 1] y 32×32×1."""
    images, labels = load_digits(source="embedded")
    parts = stratified_split(labels, fractions=(0.06, 0.03, 0.91), names=("train", "test", "rest"), seed=3)
    x = (pad_to_32(images)[..., None] / 255.0).astype("float32")
    return x[parts["train"]], labels[parts["train"]], x[parts["test"]], labels[parts["test"]]


@pytest.fixture(scope="module")
def trained(digits):
    """LeNet-5 entrenada 2 épocas; la comparten las pruebas que solo leen resultados."""
    x_train, y_train, x_test, y_test = digits
    seed_everything(11)
    model = lenet5()
    history = train(model, x_train, y_train, validation_data=(x_test, y_test), epochs=2, seed=11, verbose=0)
    return model, history


def test_default_loss_for_integer_labels():
    assert default_loss(np.array([0, 3, 9])) == "sparse_categorical_crossentropy"


def test_default_loss_for_onehot_labels():
    assert default_loss(keras.utils.to_categorical([0, 2, 1], 3)) == "categorical_crossentropy"


def test_default_loss_for_single_sigmoid_unit():
    assert default_loss(np.array([0, 1, 1]), output_units=1) == "binary_crossentropy"


def test_default_loss_rejects_continuous_targets():
    with pytest.raises(ValueError, match="pasa `loss=` explícitamente"):
        default_loss(np.array([0.5, 1.7]))


def test_uncompiled_model_gets_sparse_loss(digits):
    x_train, y_train, _, _ = digits
    model = lenet5()
    train(model, x_train[:32], y_train[:32], epochs=1, verbose=0)
    assert model.loss == "sparse_categorical_crossentropy"


def test_onehot_labels_with_sparse_loss_rejected(digits):
    x_train, y_train, _, _ = digits
    model = lenet5()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="one-hot.*categorical_crossentropy"):
        train(model, x_train[:32], keras.utils.to_categorical(y_train[:32], 10), epochs=1, verbose=0)


def test_integer_labels_with_categorical_loss_rejected(digits):
    x_train, y_train, _, _ = digits
    model = lenet5()
    with pytest.raises(ValueError, match="son enteros.*sparse_categorical_crossentropy"):
        train(model, x_train[:32], y_train[:32], loss=keras.losses.CategoricalCrossentropy(), epochs=1,
              verbose=0)


def test_channels_first_images_rejected(digits):
    x_train, y_train, _, _ = digits
    with pytest.raises(ValueError, match=r"np\.moveaxis\(x, 1, -1\)"):
        train(lenet5(), np.moveaxis(x_train[:8], -1, 1), y_train[:8], verbose=0)


def test_text_labels_rejected(digits):
    x_train, _, _, _ = digits
    names = np.array(["cero", "uno"] * 4)
    with pytest.raises(TypeError, match=r"np\.unique\(y, return_inverse=True\)"):
        train(lenet5(), x_train[:8], names, verbose=0)


def test_object_integer_labels_accepted(digits):
    x_train, y_train, _, _ = digits
    labels = np.array(y_train[:8].tolist(), dtype=object)
    history = train(lenet5(), x_train[:8], labels, epochs=1, batch_size=8, verbose=0)
    assert len(history["loss"]) == 1


def test_0_255_images_warn(digits):
    x_train, y_train, _, _ = digits
    with pytest.warns(ImageScaleWarning, match=r"x = x / 255\.0"):
        train(lenet5(), x_train[:8] * 255.0, y_train[:8], epochs=1, batch_size=8, verbose=0)


def test_0_255_images_with_rescaling_silent(digits):
    x_train, y_train, _, _ = digits
    model = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Rescaling(1 / 255), lenet5()])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ImageScaleWarning)
        train(model, x_train[:8] * 255.0, y_train[:8], epochs=1, batch_size=8, verbose=0)


def test_standardized_images_silent(digits):
    x_train, y_train, _, _ = digits
    standardized = (x_train[:8] - x_train[:8].mean()) / x_train[:8].std()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ImageScaleWarning)
        train(lenet5(), standardized, y_train[:8], epochs=1, batch_size=8, verbose=0)


def test_missing_channel_axis_rejected(digits):
    x_train, y_train, _, _ = digits
    with pytest.raises(ValueError, match=r"x\[\.\.\., None\]"):
        train(lenet5(), x_train[:8, ..., 0], y_train[:8], verbose=0)


def test_unpadded_digits_rejected(digits):
    with pytest.raises(ValueError, match=r"\(N, 32, 32, 1\)"):
        train(lenet5(), np.zeros((4, 28, 28, 1), "float32"), np.zeros(4, int), verbose=0)


def test_labels_beyond_output_units_rejected(digits):
    x_train, _, _, _ = digits
    with pytest.raises(ValueError, match="entre 0 y 4"):
        train(lenet5(num_classes=5), x_train[:8], np.arange(8), verbose=0)


def test_length_mismatch_rejected(digits):
    x_train, y_train, _, _ = digits
    with pytest.raises(ValueError, match="una etiqueta por imagen"):
        train(lenet5(), x_train[:8], y_train[:7], verbose=0)


def test_missing_labels_rejected(digits):
    x_train, _, _, _ = digits
    with pytest.raises(ValueError, match="etiquetas"):
        train(lenet5(), x_train[:8], verbose=0)


@pytest.mark.parametrize("epochs", [0, -1])
def test_nonpositive_epochs_rejected(epochs, digits):
    x_train, y_train, _, _ = digits
    with pytest.raises(ValueError, match="epochs"):
        train(lenet5(), x_train[:8], y_train[:8], epochs=epochs, verbose=0)


def test_training_beats_chance(digits, trained):
    _, _, x_test, y_test = digits
    model, history = trained
    # Azar con 10 clases equilibradas: 0,10. Dos épocas con 600 imágenes pasan de 0,5.
    assert evaluate(model, x_test, y_test).accuracy > 0.5
    assert history["loss"][1] < history["loss"][0]


def test_history_fields(digits, trained):
    _, history = trained
    assert history.epochs == [1, 2]
    assert set(history.metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.train_images == len(digits[0])
    assert history.images_per_second > 0
    assert history.elapsed_seconds > 0


def test_history_best_uses_min_for_loss_and_max_for_accuracy():
    history = TrainingHistory({"loss": [0.9, 0.4, 0.5], "val_accuracy": [0.5, 0.8, 0.7]})
    assert history.best("loss") == (2, 0.4)
    assert history.best("val_accuracy") == (2, 0.8)


def test_history_unknown_metric_rejected():
    history = TrainingHistory({"loss": [0.9]})
    with pytest.raises(KeyError, match="val_accuracy"):
        history.best("val_accuracy")


def test_history_plot_has_spanish_labels(trained):
    _, history = trained
    figure = history.plot()
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["Pérdida", "Exactitud"]
    assert figure.axes[0].get_xlabel() == "época"
    assert [t.get_text() for t in figure.axes[0].get_legend().get_texts()] == ["entrenamiento", "validación"]


def test_same_seed_gives_same_weights(digits):
    x_train, y_train, _, _ = digits
    weights = []
    for _ in range(2):
        seed_everything(5)
        model = lenet5()
        train(model, x_train[:256], y_train[:256], epochs=1, seed=5, verbose=0)
        weights.append(model.get_weights())
    for first, second in zip(*weights):
        np.testing.assert_array_equal(first, second)


def test_progress_line_has_no_timings(digits, capsys):
    x_train, y_train, x_test, y_test = digits
    seed_everything(2)
    train(lenet5(), x_train[:64], y_train[:64], validation_data=(x_test[:32], y_test[:32]), epochs=2,
          verbose=1)
    lines = capsys.readouterr().out.strip().splitlines()
    pattern = r"Época \d/2 — pérdida \d+\.\d{4} — exactitud \d\.\d{4} — val_pérdida \d+\.\d{4} — val_exactitud \d\.\d{4}"
    assert len(lines) == 2
    for line in lines:
        assert re.fullmatch(pattern, line), line
        assert not re.search(r"\d\s*(ms|s)\b|/step|ETA", line)


def test_verbose_zero_writes_nothing(digits, capsys):
    x_train, y_train, _, _ = digits
    train(lenet5(), x_train[:32], y_train[:32], epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_format_epoch_line_translates_names():
    line = format_epoch_line(3, 10, {"accuracy": 0.97123, "loss": 0.12341, "val_accuracy": 0.965})
    assert line == "Época 3/10 — pérdida 0.1234 — exactitud 0.9712 — val_exactitud 0.9650"


def test_progress_callback_writes_to_given_stream():
    stream = io.StringIO()
    SpanishProgress(4, stream=stream).on_epoch_end(0, {"loss": 1.0})
    assert stream.getvalue() == "Época 1/4 — pérdida 1.0000\n"


def test_train_accepts_unbatched_dataset(digits):
    x_train, y_train, _, _ = digits
    dataset = tf.data.Dataset.from_tensor_slices((x_train[:64], y_train[:64]))
    history = train(lenet5(), dataset, epochs=1, batch_size=16, verbose=0)
    assert history.epochs == [1]
    assert history.images_per_second is None


def test_train_accepts_batched_dataset_with_validation(digits):
    x_train, y_train, x_test, y_test = digits
    dataset = tf.data.Dataset.from_tensor_slices((x_train[:64], y_train[:64])).batch(16)
    validation = tf.data.Dataset.from_tensor_slices((x_test[:32], y_test[:32])).batch(16)
    history = train(lenet5(), dataset, validation_data=validation, epochs=1, verbose=0)
    assert "val_accuracy" in history


def test_dataset_without_label_pairs_rejected(digits):
    x_train, _, _, _ = digits
    dataset = tf.data.Dataset.from_tensor_slices(x_train[:8]).batch(4)
    with pytest.raises(TypeError, match="pares"):
        train(lenet5(), dataset, verbose=0)


def test_augment_applies_to_training_batches_only():
    x = np.ones((6, 4, 4, 1), "float32")
    y = np.arange(6)
    augmented = make_dataset(x, y, batch_size=3, augment=lambda images: images * 0)
    plain = make_dataset(x, y, batch_size=3)
    assert float(next(iter(augmented))[0].numpy().sum()) == 0.0
    assert float(next(iter(plain))[0].numpy().sum()) == 3 * 16


def test_augment_with_two_arguments_receives_labels():
    x = np.ones((4, 2, 2, 1), "float32")
    y = np.ones((4, 2, 2, 1), "float32")
    dataset = make_dataset(x, y, batch_size=4, augment=lambda image, mask: (image * 2, mask * 3))
    images, masks = next(iter(dataset))
    assert float(images.numpy().max()) == 2.0
    assert float(masks.numpy().max()) == 3.0


def test_shuffle_with_seed_is_reproducible():
    x = np.arange(20, dtype="float32")[:, None]
    y = np.arange(20)
    first = [b[1].numpy().tolist() for b in make_dataset(x, y, batch_size=20, shuffle=True, seed=4)]
    second = [b[1].numpy().tolist() for b in make_dataset(x, y, batch_size=20, shuffle=True, seed=4)]
    assert first == second
    assert first[0] != list(range(20))


def test_evaluate_matches_scikit_learn(digits, trained):
    _, _, x_test, y_test = digits
    model, _ = trained
    result = evaluate(model, x_test, y_test)
    y_pred = model.predict(x_test, verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(result.confusion_matrix, confusion_matrix(y_test, y_pred, labels=range(10)))
    assert result.accuracy == pytest.approx(accuracy_score(y_test, y_pred))
    precision, recall, f1, _ = precision_recall_fscore_support(y_test, y_pred, labels=range(10), zero_division=0)
    np.testing.assert_allclose(result.precision, precision)
    np.testing.assert_allclose(result.recall, recall)
    np.testing.assert_allclose(result.f1, f1)


def test_evaluate_loss_matches_keras(digits, trained):
    _, _, x_test, y_test = digits
    model, _ = trained
    result = evaluate(model, x_test, y_test)
    keras_loss = keras.losses.SparseCategoricalCrossentropy()(y_test, model.predict(x_test, verbose=0))
    assert result.loss == pytest.approx(float(keras_loss), rel=1e-4)


def test_evaluate_accepts_onehot_labels(digits, trained):
    _, _, x_test, y_test = digits
    model, _ = trained
    sparse = evaluate(model, x_test, y_test)
    onehot = evaluate(model, x_test, keras.utils.to_categorical(y_test, 10))
    np.testing.assert_array_equal(sparse.confusion_matrix, onehot.confusion_matrix)


def test_misclassified_indices_most_confident_first(digits, trained):
    _, _, x_test, y_test = digits
    model, _ = trained
    result = evaluate(model, x_test, y_test)
    wrong = result.misclassified_indices()
    assert set(wrong.tolist()) == set(np.flatnonzero(result.y_true != result.y_pred).tolist())
    confidence = result.probabilities[wrong, result.y_pred[wrong]]
    assert np.all(np.diff(confidence) <= 0)


def test_evaluation_report_is_spanish_table(digits, trained):
    _, _, x_test, y_test = digits
    model, _ = trained
    report = evaluate(model, x_test, y_test, class_names=[f"d{i}" for i in range(10)]).report()
    assert report.splitlines()[0].split() == ["clase", "precisión", "sensibilidad", "F1", "soporte"]
    assert "d7" in report
    assert re.search(rf"exactitud: \d\.\d{{4}} \(\d+ de {len(y_test)} aciertos\)", report)


def test_evaluation_plots(digits, trained):
    _, _, x_test, y_test = digits
    model, _ = trained
    result = evaluate(model, x_test, y_test)
    assert result.plot_confusion().axes[0].get_xlabel() == "clase predicha"
    grid = result.plot_misclassified(x_test, max_images=4)
    titles = [ax.get_title() for ax in grid.axes if ax.get_title()]
    assert len(titles) == min(4, len(result.misclassified_indices()))
    assert all(re.match(r"real: \d · predicho: \d", title) for title in titles)


def test_plot_misclassified_rejects_other_images(digits, trained):
    _, _, x_test, y_test = digits
    model, _ = trained
    with pytest.raises(ValueError, match="mismo `x`"):
        evaluate(model, x_test, y_test).plot_misclassified(x_test[:10])


def test_evaluate_rejects_wrong_class_names(digits, trained):
    _, _, x_test, y_test = digits
    model, _ = trained
    with pytest.raises(ValueError, match="10 nombres"):
        evaluate(model, x_test, y_test, class_names=["a", "b"])


def test_evaluate_softmaxes_logits():
    model = mlp((2,), 3, hidden=(4,), dropout=0)
    model.layers[-1].activation = keras.activations.linear
    x = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
    result = evaluate(model, x, np.arange(8) % 3)
    np.testing.assert_allclose(result.probabilities.sum(axis=1), 1.0, rtol=1e-6)


def test_evaluate_binary_sigmoid_model():
    seed_everything(0)
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
    x = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [0.0, 3.0]], "float32")
    y = np.array([0, 1, 0, 1])
    result = evaluate(model, x, y)
    sigmoid = model.predict(x, verbose=0)[:, 0]
    np.testing.assert_allclose(result.probabilities[:, 1], sigmoid, rtol=1e-6)
    np.testing.assert_array_equal(result.y_pred, (sigmoid > 0.5).astype(int))
    assert result.confusion_matrix.shape == (2, 2)


def test_steps_per_execution_keeps_weights(digits):
    x_train, y_train, _, _ = digits
    weights = []
    for steps in (1, 16):
        seed_everything(8)
        model = lenet5()
        train(model, x_train[:200], y_train[:200], epochs=1, seed=8, steps_per_execution=steps, verbose=0)
        weights.append(model.get_weights())
    for one_step, grouped in zip(*weights):
        np.testing.assert_allclose(one_step, grouped, rtol=1e-5, atol=1e-6)


def test_dataset_onehot_labels_get_categorical_loss(digits):
    x_train, y_train, _, _ = digits
    onehot = keras.utils.to_categorical(y_train[:32], 10)
    model = lenet5()
    train(model, tf.data.Dataset.from_tensor_slices((x_train[:32], onehot)), epochs=1, verbose=0)
    assert model.loss == "categorical_crossentropy"


def test_dataset_onehot_labels_with_sparse_loss_rejected(digits):
    x_train, y_train, _, _ = digits
    onehot = keras.utils.to_categorical(y_train[:32], 10)
    dataset = tf.data.Dataset.from_tensor_slices((x_train[:32], onehot)).batch(8)
    with pytest.raises(ValueError, match="one-hot.*categorical_crossentropy"):
        train(lenet5(), dataset, loss="sparse_categorical_crossentropy", verbose=0)


def test_channels_first_validation_images_rejected(digits):
    x_train, y_train, _, _ = digits
    with pytest.raises(ValueError, match="`x_val` no es válido"):
        train(lenet5(), x_train[:8], y_train[:8], validation_data=(np.moveaxis(x_train[:4], -1, 1), y_train[:4]),
              verbose=0)


def test_make_dataset_xla_augment_options():
    from coursekit.augment import build_pipeline

    x = np.random.default_rng(0).random((8, 12, 12, 1)).astype("float32")
    y = np.arange(8) % 2
    compiled = build_pipeline(rotation_degrees=10, seed=0, jit_compile=True)
    plain = build_pipeline(rotation_degrees=10, seed=0)
    fast = make_dataset(x, y, batch_size=4, augment=compiled)
    default = make_dataset(x, y, batch_size=4, augment=plain)
    assert fast.options().autotune.enabled is False
    assert default.options().autotune.enabled is not False
    assert [b.shape for b, _ in fast] == [(4, 12, 12, 1), (4, 12, 12, 1)]
