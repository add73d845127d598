"""Pruebas de los ejercicios de Dice: respuestas iguales a coursekit.metrics y pistas en español."""

import numpy as np
import pytest

from coursekit.exercises import check, known_ids
from coursekit.exercises.dice import HAND_PREDICTION, HAND_TRUTH
from coursekit.metrics import DiceUndefinedWarning, dice_per_class, mean_over_classes

QUESTION_IDS = ["dice_by_hand", "dice_absent_class_mean", "dice_false_positive_class",
                "dice_false_positive_mean"]


def test_questions_registered():
    for question_id in QUESTION_IDS:
        assert question_id in known_ids()


def test_hand_answer_matches_metrics():
    expected = float(dice_per_class(HAND_TRUTH, HAND_PREDICTION, num_classes=2)[1])
    assert expected == pytest.approx(2 / 3)
    assert check("dice_by_hand", round(expected, 3)).correct


def test_hand_accepts_decimal_comma():
    assert check("dice_by_hand", "0,667").correct


@pytest.mark.parametrize("answer, fragment", [
    ("0,5", "IoU"),
    ("0,333", "Falta el 2"),
    ("0,8125", "exactitud"),
    ("0,768", "fondo"),
    ("0,75", "|P|"),
])
def test_hand_typical_mistakes(answer, fragment):
    feedback = check("dice_by_hand", answer)
    assert not feedback.correct
    assert fragment in feedback.message


def test_hand_mistake_values_are_real():
    # Las pistas corresponden a cuentas reales sobre las mismas máscaras.
    truth, prediction = np.array(HAND_TRUTH), np.array(HAND_PREDICTION)
    assert np.mean(truth == prediction) == 0.8125
    scores = dice_per_class(truth, prediction, num_classes=2)
    assert float(np.mean(scores)) == pytest.approx(0.768, abs=0.005)


def test_absent_class_answer_matches_metrics():
    expected = float(mean_over_classes(np.array([0.9, np.nan, 0.6])))
    assert expected == pytest.approx(0.75)
    assert check("dice_absent_class_mean", expected).correct


def test_absent_class_counted_as_zero():
    feedback = check("dice_absent_class_mean", 0.5)
    assert not feedback.correct
    assert "como 0" in feedback.message


def test_false_positive_class_is_zero():
    truth = np.zeros((2, 3), dtype=int)
    prediction = np.array([[2, 2, 2], [0, 0, 0]])
    with pytest.warns(DiceUndefinedWarning):  # la clase 1 no aparece en ninguna de las dos
        scores = dice_per_class(truth, prediction, num_classes=3)
    assert scores[2] == 0.0
    assert check("dice_false_positive_class", 0).correct


def test_false_positive_not_undefined():
    for answer in ("NaN", "indefinido"):
        feedback = check("dice_false_positive_class", answer)
        assert not feedback.correct
        assert "No es indefinido" in feedback.message


def test_false_positive_mean_answer():
    assert float(mean_over_classes(np.array([0.9, 0.0, 0.6]))) == pytest.approx(0.5)
    assert check("dice_false_positive_mean", "0,5").correct
    assert "dejado fuera" in check("dice_false_positive_mean", 0.75).message


def test_hand_accepts_fraction():
    assert check("dice_by_hand", "2/3").correct
