"""Ejercicios de autocomprobación con respuesta corregida y comentada en español.

Cada tema vive en un submódulo (``coursekit/exercises/lenet.py``...) que registra sus preguntas al
importarse con ``register(Question(...))``. La primera vez que se busca una pregunta se importan
todos los submódulos del paquete, así que un tema nuevo solo necesita su archivo.

Uso en un cuaderno::

    from coursekit.exercises import ask, check
    ask("lenet_c1_kernel")              # control con campo de texto y botón «Comprobar»
    check("lenet_c1_kernel", "5x5")     # la misma corrección, sin control

Las respuestas se leen con tolerancia a la notación: ``5``, ``5.0``, ``"5"``, ``"5x5"``,
``"5×5"``, ``"(5, 5)"`` y ``"0,75"`` (coma decimal) se entienden.
"""

from __future__ import annotations

import difflib
import html
import importlib
import inspect
import logging
import math
import numbers
import pkgutil
import re
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from coursekit._errors import CourseKitWarning, invalid_value

__all__ = ["Question", "Feedback", "register", "get_question", "known_ids", "check", "ask"]

logger = logging.getLogger(__name__)

_REGISTRY: dict[str, "Question"] = {}
_IMPORT_ERRORS: dict[str, str] = {}
_discovered = False


class TopicImportWarning(CourseKitWarning):
    """Aviso de un módulo de ejercicios que no se pudo importar (sus preguntas no están)."""


class _Unreadable(Exception):
    """Respuesta que no se puede leer como número, tupla de números ni texto."""


@dataclass(frozen=True)
class Question:
    """Una pregunta con su respuesta, su explicación y pistas para los errores típicos.

    Atributos:
        id: identificador único (``"lenet_c1_kernel"``).
        prompt: enunciado que ve el estudiante.
        answer: respuesta correcta (número, tupla de números o texto). Puede ser ``None`` si la
            da ``checker``.
        tolerance: diferencia absoluta admitida en respuestas numéricas (0: exacta).
        explanation: resolución paso a paso que se muestra al acertar.
        feedback_for: respuestas erróneas típicas → pista concreta (``{4: "Falta el +1..."}``).
            Las claves se leen igual que las respuestas, así que ``"4x4"`` y ``4`` coinciden.
        hint: pista general para un error sin pista concreta.
        checker: respuesta calculada en el momento de corregir. Sin parámetros, devuelve la
            respuesta correcta (``lambda: output_size(227, 11, 4)``). Con un parámetro, recibe la
            respuesta ya leída y devuelve ``True``/``False``, un ``Feedback`` o ``(acierto, mensaje)``.
    """

    id: str
    prompt: str
    answer: object = None
    tolerance: float = 0.0
    explanation: str = ""
    feedback_for: Mapping = field(default_factory=dict)
    hint: str = ""
    checker: Callable | None = None

    def __post_init__(self):
        if not isinstance(self.id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", self.id):
            raise invalid_value("id", self.id, "un identificador en minúsculas con guiones bajos",
                                "Por ejemplo 'lenet_c1_kernel'.")
        if not isinstance(self.prompt, str) or not self.prompt.strip():
            raise invalid_value("prompt", self.prompt, "un enunciado no vacío")
        if self.answer is None and self.checker is None:
            raise invalid_value("answer", self.answer, "una respuesta o una función `checker`",
                                "Da `answer=...` o `checker=...`.")
        if self.checker is not None and not callable(self.checker):
            raise invalid_value("checker", self.checker, "una función", error=TypeError)
        if isinstance(self.tolerance, bool) or not isinstance(self.tolerance, numbers.Real) \
                or self.tolerance < 0:
            raise invalid_value("tolerance", self.tolerance, "un número ≥ 0")
        if not isinstance(self.feedback_for, Mapping):
            raise invalid_value("feedback_for", self.feedback_for,
                                "un diccionario {respuesta errónea: pista}", error=TypeError)
        # Una respuesta o una clave ilegible es un error de quien escribe la pregunta: mejor aquí
        # que al corregir al estudiante.
        declared = [("feedback_for", key) for key in self.feedback_for]
        if self.answer is not None:
            declared.insert(0, ("answer", self.answer))
        for name, value in declared:
            try:
                _read(value)
            except _Unreadable:
                raise invalid_value(name, value, "un número, una tupla de números o un texto",
                                    f"Revisa la pregunta {self.id!r}.") from None


@dataclass(frozen=True, repr=False)
class Feedback:
    """Corrección de una respuesta: ``correct`` y el ``message`` en español (también ``str()``)."""

    correct: bool
    message: str

    def __str__(self) -> str:
        return self.message

    __repr__ = __str__

    def _repr_html_(self) -> str:
        color = "#1a7f37" if self.correct else "#b42318"
        return f'<div style="color:{color}">{html.escape(self.message)}</div>'


def register(question: Question, replace: bool = False) -> Question:
    """Añade ``question`` al catálogo y la devuelve.

    Un ``id`` repetido da ``ValueError`` salvo con ``replace=True`` (útil al recargar un módulo).
    """
    if not isinstance(question, Question):
        raise invalid_value("question", question, "un objeto Question", error=TypeError)
    if question.id in _REGISTRY and not replace:
        raise invalid_value("question.id", question.id, "un identificador que no esté registrado",
                            "Elige otro id o usa `register(..., replace=True)`.")
    _REGISTRY[question.id] = question
    return question


def _discover() -> None:
    """Importa una vez todos los submódulos de temas para que registren sus preguntas."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("_"):
            continue
        name = f"{__name__}.{module.name}"
        try:
            importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 - un tema roto no debe tumbar los demás
            _IMPORT_ERRORS[name] = f"{type(error).__name__}: {error}"
            warnings.warn(f"No se pudo importar {name} ({error}); sus preguntas no estarán "
                          f"disponibles.", TopicImportWarning, stacklevel=3)


def known_ids() -> list[str]:
    """Devuelve los identificadores de todas las preguntas registradas, ordenados."""
    _discover()
    return sorted(_REGISTRY)


def get_question(question_id: str) -> Question:
    """Devuelve la pregunta ``question_id``; si no existe, el error lista las conocidas."""
    _discover()
    if question_id in _REGISTRY:
        return _REGISTRY[question_id]
    known = sorted(_REGISTRY)
    close = difflib.get_close_matches(str(question_id), known, n=1)
    hint = f"¿Querías decir {close[0]!r}? " if close else ""
    hint += "Preguntas disponibles: " + ", ".join(known) + "."
    if _IMPORT_ERRORS:
        hint += " No se pudieron importar: " + "; ".join(
            f"{name} ({error})" for name, error in sorted(_IMPORT_ERRORS.items())) + "."
    raise invalid_value("question_id", question_id, "el id de una pregunta registrada", hint)


def _fold(text: str) -> str:
    """Pasa a minúsculas, quita tildes y espacios sobrantes para comparar textos."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)(e[+-]?\d+)?")


def _parse_number(text: str) -> int | float:
    """Lee ``"5"``, ``"5.0"`` o ``"0,75"``; lanza ``_Unreadable`` si no es un número."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise _Unreadable(text)
    return _normalize_number(float(text.replace(",", ".")))


def _normalize_number(value) -> int | float:
    value = float(value)
    if not math.isfinite(value):
        raise _Unreadable(value)
    return int(value) if value.is_integer() else value


def _read(answer: object):
    """Convierte una respuesta a número, tupla de números o texto normalizado."""
    if isinstance(answer, bool) or answer is None:
        raise _Unreadable(answer)
    if hasattr(answer, "tolist") and not isinstance(answer, numbers.Real):
        answer = answer.tolist()  # arrays de NumPy: (5, 5) → [5, 5]

    if isinstance(answer, numbers.Real):
        return _normalize_number(answer)
    if isinstance(answer, (tuple, list)):
        if not answer:
            raise _Unreadable(answer)
        items = tuple(_read(item) for item in answer)
        if not all(isinstance(item, (int, float)) for item in items):
            raise _Unreadable(answer)
        return items

    if not isinstance(answer, str):
        raise _Unreadable(answer)
    text = _fold(answer).strip("'\"«»`").strip()
    # "K = 5", "5 px" y "(5, 5)": quitamos el nombre, la unidad y los paréntesis.
    text = re.sub(r"^[a-z_][a-z0-9_]*\s*=\s*", "", text)
    text = re.sub(r"\s*(px|pixel|pixeles)$", "", text)
    bracketed = re.fullmatch(r"[(\[](.*)[)\]]", text)
    if bracketed:
        text = bracketed.group(1).strip()
    if not text:
        raise _Unreadable(answer)

    # "2/3" y "66,7 %": fracciones y porcentajes, como se escriben al calcular a mano.
    fraction = re.fullmatch(r"(.+?)\s*/\s*(.+)", text)
    if fraction:
        denominator = _parse_number(fraction.group(2))
        if denominator == 0:
            raise _Unreadable(answer)
        return _normalize_number(_parse_number(fraction.group(1)) / denominator)
    percent = re.fullmatch(r"(.+?)\s*%", text)
    if percent:
        return _normalize_number(_parse_number(percent.group(1)) / 100)

    if re.search(r"[x×*]", text) and re.fullmatch(r"[\d\s.,x×*+-]+", text):
        return tuple(_parse_number(part) for part in re.split(r"[x×*]", text))

    # Una sola coma sin espacios es la coma decimal ("0,75"); entre corchetes separa ("[5,5]").
    if ";" in text or re.search(r",\s|\s,", text) or text.count(",") > 1 \
            or (bracketed and "," in text):
        return tuple(_parse_number(part) for part in re.split(r"[;,]", text))

    try:
        return _parse_number(text)
    except _Unreadable:
        if re.search(r"\d", text):
            raise  # parece un número mal escrito: mejor pedirlo de nuevo que compararlo como texto
        return text


def _matches(parsed, expected, tolerance: float) -> bool:
    """Compara dos respuestas ya leídas; ``5x5`` equivale a ``5`` si todas las dimensiones coinciden."""
    if isinstance(expected, str) or isinstance(parsed, str):
        return _fold(str(parsed)) == _fold(str(expected))
    if isinstance(parsed, tuple) and not isinstance(expected, tuple):
        return all(_matches(item, expected, tolerance) for item in parsed)
    if isinstance(expected, tuple) and not isinstance(parsed, tuple):
        return all(_matches(parsed, item, tolerance) for item in expected)
    if isinstance(expected, tuple):
        return len(parsed) == len(expected) and all(
            _matches(g, e, tolerance) for g, e in zip(parsed, expected))
    # El margen de 1e-9 evita que 0,76 − 0,75 = 0,0100000…09 quede fuera de una tolerancia de 0,01.
    return abs(parsed - expected) <= tolerance + 1e-9 * max(1.0, abs(expected))


def _example_for(expected) -> str:
    if isinstance(expected, tuple):
        return f"{len(expected)} números separados por x, como en 28x28x6"
    if isinstance(expected, str):
        return "una palabra o una frase corta"
    return "un número, p. ej. 5, 5x5 o 0,75"


def _checker_predicate(question: Question):
    """Devuelve ``question.checker`` si recibe la respuesta (un parámetro); si no, ``None``."""
    if question.checker is None:
        return None
    required = [p for p in inspect.signature(question.checker).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return question.checker if required else None


def _wrong(answer_text: str, hint: str) -> Feedback:
    return Feedback(False, f"✘ {answer_text} no es correcto. {hint} Inténtalo de nuevo.")


def check(question_id: str, answer: object) -> Feedback:
    """Corrige ``answer`` para la pregunta ``question_id`` y devuelve un ``Feedback`` en español.

    Nunca lanza por una respuesta ilegible: devuelve ``Feedback(correct=False, ...)`` con un
    ejemplo de cómo escribirla. Sí lanza ``ValueError`` si ``question_id`` no existe.

    Ejemplo::

        >>> check("lenet_c1_kernel", "5x5").correct
        True
        >>> print(check("lenet_c1_kernel", 4))            # doctest: +ELLIPSIS
        ✘ 4 no es correcto. ...
    """
    question = get_question(question_id)
    predicate = _checker_predicate(question)
    if question.checker is not None and predicate is None:
        computed = question.checker()
        try:
            expected = _read(computed)
        except _Unreadable:
            raise invalid_value("checker", computed, "un número, una tupla de números o un texto",
                                f"La función `checker` de {question.id!r} debe devolver la "
                                f"respuesta correcta.") from None
    else:
        expected = None if question.answer is None else _read(question.answer)
    answer_text = str(answer).strip() if isinstance(answer, str) else repr(answer)
    if isinstance(answer, str) and not answer.strip():
        return Feedback(False, "Escribe una respuesta antes de comprobar.")
    try:
        parsed = _read(answer)
    except _Unreadable:
        return Feedback(False, f"No puedo leer «{answer_text}» como respuesta: escribe "
                               f"{_example_for(expected)}.")
    if isinstance(parsed, str) and expected is not None and not isinstance(expected, str):
        for wrong, specific_hint in question.feedback_for.items():
            if isinstance(wrong, str) and _fold(wrong) == parsed:
                return _wrong(answer_text, specific_hint)
        return Feedback(False, f"No puedo leer «{answer_text}» como respuesta: escribe "
                               f"{_example_for(expected)}.")

    verdict = predicate(parsed) if predicate is not None else None
    if isinstance(verdict, Feedback):
        return verdict
    if isinstance(verdict, tuple):
        correct, message = verdict
        return Feedback(bool(correct), str(message))
    if predicate is not None:
        correct = bool(verdict)
    else:
        correct = _matches(parsed, expected, question.tolerance)
    if correct:
        return Feedback(True, f"✔ ¡Correcto! {question.explanation}".strip())

    for wrong, specific_hint in question.feedback_for.items():
        try:
            typical = _read(wrong)
        except _Unreadable:
            continue
        if _matches(parsed, typical, question.tolerance):
            return _wrong(answer_text, specific_hint)
    if isinstance(parsed, tuple) and expected is not None and not isinstance(expected, tuple) \
            and len(set(parsed)) > 1:
        hint = "Da un solo número (o el mismo en cada dimensión, como 5x5)."
    else:
        hint = question.hint or "Revisa el planteamiento paso a paso."
    return _wrong(answer_text, hint)


def ask(question_id: str):
    """Crea un control ipywidgets con el enunciado, un campo de respuesta y el botón «Comprobar».

    El botón llama a ``check`` y escribe el resultado debajo. Los hijos del ``VBox`` devuelto son
    ``[enunciado, HBox([campo, botón]), resultado]``.
    """
    import ipywidgets as widgets

    question = get_question(question_id)
    prompt = widgets.HTML(f'<div style="line-height:1.4"><b>{html.escape(question.prompt)}</b></div>')
    field_ = widgets.Text(placeholder="Tu respuesta", description="Respuesta:")
    button = widgets.Button(description="Comprobar", button_style="primary", icon="check")
    result = widgets.HTML("")

    def on_click(_button) -> None:
        result.value = check(question.id, field_.value)._repr_html_()

    def on_enter(change) -> None:
        # Con continuous_update=False el valor solo cambia al pulsar Intro o salir del campo.
        if change["new"].strip():
            on_click(button)

    field_.continuous_update = False
    field_.observe(on_enter, "value")
    button.on_click(on_click)
    return widgets.VBox([prompt, widgets.HBox([field_, button]), result])
