"""Pruebas de las preguntas del cuaderno 02: respuestas, pistas de errores típicos y cuentas."""

import pytest

from coursekit.cost import build_symbolic
from coursekit.exercises import check, get_question, known_ids
from coursekit.exercises.architectures import conv_parameters
from coursekit.models.resnet_builder import resnet
from coursekit.models.vgg_builder import vgg

IDS = ["arquitecturas_conv_params", "arquitecturas_alexnet_fc6_inputs",
       "arquitecturas_vgg16_fc1_params", "arquitecturas_resnet50_stage_shape",
       "arquitecturas_two_3x3_vs_5x5"]


def test_questions_are_registered():
    for question_id in IDS:
        assert question_id in known_ids()


@pytest.mark.parametrize("question_id, answer", [
    ("arquitecturas_conv_params", 73_856),
    ("arquitecturas_alexnet_fc6_inputs", 9_216),
    ("arquitecturas_vgg16_fc1_params", 102_764_544),
    ("arquitecturas_resnet50_stage_shape", "28x28x512"),
    ("arquitecturas_two_3x3_vs_5x5", 458_752),
])
def test_correct_answers_accepted(question_id, answer):
    feedback = check(question_id, answer)
    assert feedback.correct is True
    assert feedback.message.startswith("✔")


@pytest.mark.parametrize("question_id, wrong, fragment", [
    ("arquitecturas_conv_params", 73_728, "sesgos"),
    ("arquitecturas_conv_params", 1_280, "64 canales"),
    ("arquitecturas_alexnet_fc6_inputs", 6_400, "224"),
    ("arquitecturas_alexnet_fc6_inputs", 4_096, "neuronas"),
    ("arquitecturas_vgg16_fc1_params", 102_760_448, "sesgos"),
    ("arquitecturas_resnet50_stage_shape", "28x28x128", "expansión"),
    ("arquitecturas_resnet50_stage_shape", "56x56x256", "conv2_x"),
    ("arquitecturas_two_3x3_vs_5x5", 1_048_576, "dos capas"),
])
def test_typical_mistakes_get_specific_hint(question_id, wrong, fragment):
    feedback = check(question_id, wrong)
    assert feedback.correct is False
    assert fragment in feedback.message


def test_conv_parameters_formula():
    assert conv_parameters(5, 1, 6) == 156
    assert conv_parameters(3, 64, 128, bias=False) == 73_728


def test_answers_agree_with_built_models():
    model = build_symbolic(vgg, 16)
    assert model.get_layer("bloque2_conv1").count_params() == get_question(
        "arquitecturas_conv_params").answer
    assert model.get_layer("fc1").count_params() == get_question(
        "arquitecturas_vgg16_fc1_params").answer
    stage = build_symbolic(resnet, 50).get_layer("etapa2_bloque4_salida")
    assert tuple(stage.output.shape[1:]) == get_question(
        "arquitecturas_resnet50_stage_shape").answer


def test_unreadable_answer_asks_again():
    feedback = check("arquitecturas_conv_params", "muchos")
    assert feedback.correct is False
