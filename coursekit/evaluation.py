"""Evaluación de un clasificador: exactitud, pérdida, matriz de confusión y métricas por clase.

:func:`evaluate` es la pareja de :func:`coursekit.training.train`: acepta los mismos formatos de
entrada (arrays o ``tf.data.Dataset``, etiquetas enteras o one-hot).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from coursekit._errors import check_positive_int, invalid_value
from coursekit.input_checks import _check_labels_against_model, _labels_kind, _prepare


@dataclass
class Evaluation:
    """Resultado de :func:`evaluate` sobre un conjunto etiquetado.

    Atributos:
        y_true, y_pred: clases reales y predichas (enteros, forma ``(N,)``).
        probabilities: salida del modelo, forma ``(N, clases)``.
        confusion_matrix: ``confusion_matrix[i, j]`` cuenta ejemplos de la clase ``i`` predichos ``j``.
        accuracy, loss: exactitud y entropía cruzada media.
        precision, recall, f1, support: por clase, calculados con scikit-learn (0 si una clase no se
            predice nunca).
        class_names: nombres de las clases (``"0"``, ``"1"``... por defecto).
    """

    y_true: np.ndarray
    y_pred: np.ndarray
    probabilities: np.ndarray
    confusion_matrix: np.ndarray
    accuracy: float
    loss: float
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    class_names: list[str]

    def misclassified_indices(self, by_confidence: bool = True) -> np.ndarray:
        """Devuelve los índices mal clasificados; con ``by_confidence``, los errores más seguros primero."""
        wrong = np.flatnonzero(self.y_true != self.y_pred)
        if by_confidence:
            confidence = self.probabilities[wrong, self.y_pred[wrong]]
            wrong = wrong[np.argsort(-confidence, kind="stable")]
        return wrong

    def report(self, digits: int = 4) -> str:
        """Devuelve una tabla de texto en español con precisión, sensibilidad y F1 por clase."""
        width = max(5, *(len(name) for name in self.class_names))
        header = f"{'clase':<{width}}  {'precisión':>10}  {'sensibilidad':>12}  {'F1':>8}  {'soporte':>7}"
        lines = [header, "-" * len(header)]
        for i, name in enumerate(self.class_names):
            lines.append(f"{name:<{width}}  {self.precision[i]:>10.{digits}f}  {self.recall[i]:>12.{digits}f}"
                         f"  {self.f1[i]:>8.{digits}f}  {int(self.support[i]):>7d}")
        lines.append("-" * len(header))
        lines.append(f"exactitud: {self.accuracy:.{digits}f} ({int(np.sum(self.y_true == self.y_pred))} de "
                     f"{len(self.y_true)} aciertos)")
        lines.append(f"pérdida: {self.loss:.{digits}f}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return f"exactitud {self.accuracy:.4f} — pérdida {self.loss:.4f} — {len(self.y_true)} ejemplos"

    def plot_confusion(self, normalize: bool = False):
        """Dibuja la matriz de confusión (``normalize=True``: proporción por fila real)."""
        from coursekit.plots.curves import plot_confusion_matrix

        return plot_confusion_matrix(self.confusion_matrix, self.class_names, normalize=normalize)

    def plot_misclassified(self, x, max_images: int = 12):
        """Dibuja los ``max_images`` errores más seguros con «real: 3 · predicho: 5»."""
        from coursekit.plots.curves import plot_misclassified

        x = np.asarray(x)
        if len(x) != len(self.y_true):
            raise invalid_value("x", x, f"las {len(self.y_true)} imágenes evaluadas, en el mismo orden",
                                "Pasa el mismo `x` que a `evaluate`.")
        return plot_misclassified(x, self.y_true, self.y_pred, self.misclassified_indices()[:max_images],
                                  probabilities=self.probabilities, class_names=self.class_names)


def _collect_dataset(dataset):
    images, labels = [], []
    for batch_x, batch_y in dataset.as_numpy_iterator():
        images.append(batch_x)
        labels.append(batch_y)
    return np.concatenate(images), np.concatenate(labels)


def evaluate(model, x, y=None, class_names=None, batch_size=256) -> Evaluation:
    """Evalúa un clasificador sobre ``(x, y)`` y devuelve un :class:`Evaluation`.

    ``y`` puede ser entera o one-hot; ``x`` también puede ser un ``tf.data.Dataset`` con lotes de pares
    ``(x, y)``. La pérdida es la entropía cruzada media; si las salidas del modelo no suman 1 (logits),
    se aplica softmax antes.
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    batch_size = check_positive_int("batch_size", batch_size)
    if isinstance(x, tf.data.Dataset):
        x, y = _collect_dataset(x)
    x, y = _prepare(model, x, y)
    outputs = np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype=np.float64)
    if outputs.ndim != 2:
        raise invalid_value("model", outputs, "un clasificador con una salida (N, clases)",
                            "`evaluate` es para clasificación; para segmentación usa coursekit.metrics.")
    if outputs.shape[1] == 1:
        # Una unidad sigmoide: la probabilidad de la clase 1; la de la clase 0 es el complemento.
        outputs = np.hstack([1.0 - outputs, outputs])
    num_classes = outputs.shape[1]
    on_simplex = np.all(outputs >= 0) and np.allclose(outputs.sum(axis=1), 1, atol=1e-3)
    probabilities = outputs if on_simplex else _softmax(outputs)

    y_true = y.argmax(axis=1) if _labels_kind(y) == "onehot" else y.reshape(-1).astype(np.int64)
    _check_labels_against_model(y_true, model)
    y_pred = probabilities.argmax(axis=1)
    labels = np.arange(num_classes)
    picked = np.clip(probabilities[np.arange(len(y_true)), y_true], 1e-7, 1.0)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0)
    if class_names is None:
        class_names = [str(i) for i in labels]
    elif len(class_names) != num_classes:
        raise invalid_value("class_names", class_names, f"{num_classes} nombres, uno por clase")
    return Evaluation(
        y_true=y_true, y_pred=y_pred, probabilities=probabilities,
        confusion_matrix=confusion_matrix(y_true, y_pred, labels=labels),
        accuracy=float(np.mean(y_true == y_pred)), loss=float(-np.mean(np.log(picked))),
        precision=precision, recall=recall, f1=f1, support=support, class_names=list(class_names))


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
