"""Pruebas de coursekit.exercises: lectura de respuestas, pistas, registro, descubrimiento y control."""

import subprocess
import sys

import pytest

import coursekit.exercises as exercises
from coursekit.exercises import Feedback, Question, ask, check, get_question, known_ids, register

LENET_IDS = ["lenet_c1_kernel", "lenet_s2_pool", "lenet_c3_shape", "lenet_c5_output",
             "same_padding_k5", "alexnet_conv1_227", "alexnet_conv1_224"]


@pytest.fixture
def scratch_registry(monkeypatch):
    """Registro temporal: las preguntas de una prueba no quedan en el catálogo."""
    known_ids()  # descubre los temas reales antes de copiar
    monkeypatch.setattr(exercises, "_REGISTRY", dict(exercises._REGISTRY))
    return exercises._REGISTRY


def test_topics_discovered_without_import():
    # Proceso nuevo: nadie importa coursekit.exercises.lenet explícitamente.
    code = "from coursekit.exercises import known_ids; print(' '.join(known_ids()))"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.split()
    for question_id in LENET_IDS:
        assert question_id in found


@pytest.mark.parametrize("question_id, answer", [
    ("lenet_c1_kernel", 5),
    ("lenet_s2_pool", 2),
    ("lenet_c3_shape", (10, 10, 16)),
    ("lenet_c5_output", 1),
    ("same_padding_k5", 2),
    ("alexnet_conv1_227", 55),
    ("alexnet_conv1_224", 54),
])
def test_lenet_answers(question_id, answer):
    question = get_question(question_id)
    assert question.answer == answer
    feedback = check(question_id, answer)
    assert feedback.correct is True
    assert feedback.message.startswith("✔ ¡Correcto!")
    assert question.explanation in feedback.message


@pytest.mark.parametrize("answer", [5, 5.0, "5", " 5 ", "5x5", "5X5", "5×5", "5 x 5", "(5, 5)",
                                    "[5,5]", (5, 5), "5,0", "K = 5", "5 px"])
def test_c1_kernel_notations_accepted(answer):
    assert check("lenet_c1_kernel", answer).correct is True


def test_numpy_answers_accepted():
    import numpy as np

    assert check("lenet_c1_kernel", np.int64(5)).correct is True
    assert check("lenet_c1_kernel", np.array([5, 5])).correct is True
    assert check("lenet_c3_shape", np.array([10, 10, 16])).correct is True


@pytest.mark.parametrize("answer, fragment", [
    (4, "falta el «+ 1»"),
    ("4x4", "falta el «+ 1»"),
    (27, "despeja K de 32 − K = 27"),
    (6, "número de filtros"),
    (28, "lado de la salida"),
])
def test_c1_kernel_typical_mistakes(answer, fragment):
    feedback = check("lenet_c1_kernel", answer)
    assert feedback.correct is False
    assert fragment in feedback.message
    assert feedback.message.endswith("Inténtalo de nuevo.")


def test_c1_kernel_other_wrong_gets_formula_hint():
    feedback = check("lenet_c1_kernel", 7)
    assert feedback.correct is False
    assert "(I − K + 2P) / S + 1" in feedback.message


def test_c1_kernel_rectangular_answer():
    feedback = check("lenet_c1_kernel", "5x3")
    assert feedback.correct is False
    assert "Da un solo número" in feedback.message


def test_s2_pool_one_explains_dropped_window():
    feedback = check("lenet_s2_pool", 1)
    assert feedback.correct is False
    assert "14,5" in feedback.message
    assert "3 de cada 4" in feedback.message


def test_s2_pool_square_notation():
    assert check("lenet_s2_pool", "2×2").correct is True


def test_c3_shape_needs_all_dimensions():
    feedback = check("lenet_c3_shape", 10)
    assert feedback.correct is False
    assert "Falta una dimensión" in feedback.message


def test_c3_shape_wrong_maps():
    feedback = check("lenet_c3_shape", "10x10x6")
    assert feedback.correct is False
    assert "número de filtros de C3" in feedback.message


def test_alexnet_224_rounding_up_rejected():
    feedback = check("alexnet_conv1_224", 55)
    assert feedback.correct is False
    assert "54,25" in feedback.message


def test_alexnet_224_fraction_rejected():
    feedback = check("alexnet_conv1_224", "54,25")
    assert feedback.correct is False
    assert "se descarta" in feedback.message


def test_same_padding_total_instead_of_side():
    feedback = check("same_padding_k5", 4)
    assert feedback.correct is False
    assert "relleno total" in feedback.message


@pytest.mark.parametrize("answer", ["hola", "5..", "cinco?", None, True, [], float("nan"), {}])
def test_nonsense_answers_get_help(answer):
    feedback = check("lenet_c1_kernel", answer)
    assert feedback.correct is False
    assert feedback.message.startswith("No puedo leer")
    assert "5x5" in feedback.message


def test_empty_answer_asks_for_input():
    feedback = check("lenet_c1_kernel", "   ")
    assert feedback.correct is False
    assert feedback.message == "Escribe una respuesta antes de comprobar."


def test_tuple_question_nonsense_example():
    feedback = check("lenet_c3_shape", "diez")
    assert "3 números separados por x" in feedback.message
    assert "10" not in feedback.message


def test_feedback_str_and_repr():
    feedback = check("lenet_c1_kernel", 5)
    assert str(feedback) == feedback.message
    assert repr(feedback) == feedback.message
    assert "#1a7f37" in feedback._repr_html_()


def test_unknown_id_lists_known_ids():
    with pytest.raises(ValueError, match=r"¿Querías decir 'lenet_c1_kernel'\?.*lenet_s2_pool"):
        get_question("lenet_c1_kernal")


def test_unknown_id_in_check():
    with pytest.raises(ValueError, match=r"`question_id` no es válido.*se recibió 'nada'"):
        check("nada", 5)


def test_broken_topic_reported(monkeypatch, tmp_path):
    (tmp_path / "roto.py").write_text("raise RuntimeError('tema a medias')\n")
    monkeypatch.setattr(exercises, "__path__", [*exercises.__path__, str(tmp_path)])
    monkeypatch.setattr(exercises, "_discovered", False)
    monkeypatch.setattr(exercises, "_IMPORT_ERRORS", {})
    with pytest.warns(exercises.TopicImportWarning, match=r"coursekit.exercises.roto"):
        with pytest.raises(ValueError, match=r"No se pudieron importar.*tema a medias"):
            get_question("inexistente")
    assert get_question("lenet_c1_kernel").answer == 5


def test_tolerance_for_decimals(scratch_registry):
    register(Question(id="prueba_decimal", prompt="¿Dice?", answer=0.75, tolerance=0.01,
                      explanation="2·3 / (4 + 4)."))
    assert check("prueba_decimal", "0,76").correct is True
    assert check("prueba_decimal", 0.75).correct is True
    assert check("prueba_decimal", "0.8").correct is False


def test_text_answer_ignores_case_and_accents(scratch_registry):
    register(Question(id="prueba_texto", prompt="¿Qué relleno?", answer="Sí"))
    assert check("prueba_texto", " si ").correct is True
    assert check("prueba_texto", "no").correct is False


def test_checker_without_arguments_computes_answer(scratch_registry):
    calls = []

    def expected():
        calls.append(1)
        return 2 + 3

    register(Question(id="prueba_calculada", prompt="¿2 + 3?", checker=expected))
    assert check("prueba_calculada", 5).correct is True
    assert check("prueba_calculada", 6).correct is False
    assert len(calls) == 2


def test_checker_predicate(scratch_registry):
    register(Question(id="prueba_par", prompt="Un número par", checker=lambda n: n % 2 == 0))
    assert check("prueba_par", "8").correct is True
    assert check("prueba_par", 7).correct is False


def test_checker_returning_message(scratch_registry):
    register(Question(id="prueba_mensaje", prompt="Mayor que 10",
                      checker=lambda n: (n > 10, "Bien" if n > 10 else "Demasiado pequeño")))
    assert str(check("prueba_mensaje", 3)) == "Demasiado pequeño"
    register(Question(id="prueba_feedback", prompt="x",
                      checker=lambda n: Feedback(True, "Vale")))
    assert check("prueba_feedback", 1) == Feedback(True, "Vale")


def test_duplicate_id_rejected(scratch_registry):
    question = Question(id="prueba_doble", prompt="?", answer=1)
    register(question)
    with pytest.raises(ValueError, match=r"`question.id` no es válido.*replace=True"):
        register(question)
    assert register(question, replace=True) is question


def test_register_rejects_non_question():
    with pytest.raises(TypeError, match=r"`question` no es válido"):
        register({"id": "x"})


def test_question_bad_id_rejected():
    with pytest.raises(ValueError, match=r"`id` no es válido.*'Lenet C1'"):
        Question(id="Lenet C1", prompt="?", answer=5)


def test_question_empty_prompt_rejected():
    with pytest.raises(ValueError, match=r"`prompt` no es válido"):
        Question(id="sin_enunciado", prompt="  ", answer=5)


def test_question_without_answer_rejected():
    with pytest.raises(ValueError, match=r"`answer` no es válido.*checker"):
        Question(id="sin_respuesta", prompt="?")


def test_question_negative_tolerance_rejected():
    with pytest.raises(ValueError, match=r"`tolerance` no es válido.*-0.1"):
        Question(id="tolerancia", prompt="?", answer=1, tolerance=-0.1)


def test_question_feedback_not_mapping_rejected():
    with pytest.raises(TypeError, match=r"`feedback_for` no es válido"):
        Question(id="pistas", prompt="?", answer=1, feedback_for=[4, "pista"])


def test_question_unreadable_answer_rejected():
    with pytest.raises(ValueError, match=r"`answer` no es válido.*'pregunta_rota'"):
        Question(id="pregunta_rota", prompt="?", answer={"k": 5})


def test_question_unreadable_hint_key_rejected():
    with pytest.raises(ValueError, match=r"`feedback_for` no es válido.*se recibió None"):
        Question(id="pista_rota", prompt="?", answer=5, feedback_for={None: "nada"})


def test_checker_returning_unreadable_raises(scratch_registry):
    register(Question(id="prueba_rota", prompt="?", checker=lambda: object()))
    with pytest.raises(ValueError, match=r"`checker` no es válido.*'prueba_rota'"):
        check("prueba_rota", 5)


def test_quoted_text_answer(scratch_registry):
    register(Question(id="prueba_modo", prompt="¿Qué relleno conserva el tamaño?", answer="same"))
    assert check("prueba_modo", "'same'").correct is True
    assert check("prueba_modo", "«Same»").correct is True


def test_question_checker_not_callable_rejected():
    with pytest.raises(TypeError, match=r"`checker` no es válido"):
        Question(id="comprobador", prompt="?", checker=5)


def test_ask_widget_checks_answer():
    box = ask("lenet_c1_kernel")
    prompt, row, result = box.children
    field, button = row.children
    assert "32×32" in prompt.value
    assert button.description == "Comprobar"
    assert result.value == ""

    field.value = "4"
    button.click()
    assert "no es correcto" in result.value
    assert "falta el «+ 1»" in result.value

    field.value = "5x5"
    button.click()
    assert "¡Correcto!" in result.value


def test_ask_widget_nonsense_does_not_raise():
    box = ask("lenet_s2_pool")
    field, button = box.children[1].children
    field.value = "???"
    button.click()
    assert "No puedo leer" in box.children[2].value


def test_ask_unknown_id_rejected():
    with pytest.raises(ValueError, match=r"Preguntas disponibles"):
        ask("no_existe")


@pytest.mark.parametrize("text, value", [("2/3", 2 / 3), ("3 / 4", 0.75), ("75 %", 0.75), ("66,7%", 0.667)])
def test_read_accepts_fractions_and_percentages(text, value):
    from coursekit.exercises import _read

    assert _read(text) == pytest.approx(value)


def test_division_by_zero_answer_is_unreadable():
    feedback = check("lenet_c1_kernel", "1/0")
    assert not feedback.correct
    assert "1/0" in feedback.message


def test_ask_checks_on_enter():
    box = ask("lenet_c1_kernel")
    field, _button = box.children[1].children
    result = box.children[2]
    field.value = "5"  # con continuous_update=False, así llega el valor al pulsar Intro
    assert "Correcto" in result.value
