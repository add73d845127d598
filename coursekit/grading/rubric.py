"""Comprobar los puntos del enunciado del proyecto con el archivo de resultados y el cuaderno ejecutado.

Cada punto se resuelve como ``"pass"`` (cumple), ``"fail"`` (no cumple) o ``"unchecked"`` (no se
puede comprobar automáticamente), siempre con el motivo en español. Los datos salen del
``resultados_proyecto.json`` que escribió la NUEVA ejecución, no del que trajo la entrega, y el texto
del estudiante sale de las celdas de la plantilla marcadas con ``grade_id`` de nbgrader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

STATUS_LABELS = {"pass": "cumple", "fail": "no cumple", "unchecked": "no comprobable"}
TEXT_CELL_IDS = ("interpretacion", "conclusiones")
# Nombres en español de las particiones y de las celdas de texto, para los motivos que se leen.
PART_NAMES = {"train": "entrenamiento", "validation": "validación", "test": "prueba"}
TEXT_CELL_NAMES = {"interpretacion": "interpretación", "conclusiones": "conclusiones"}
METHOD_NAMES = {"gradcam": "Grad-CAM", "saliency": "saliencia", "occlusion": "oclusión"}
MIN_OWN_WORDS = 5
CNN_FAMILIES = {"cnn", "resnet"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass
class RubricItem:
    """Un punto de la rúbrica: identificador, título, estado y motivo."""

    key: str
    title: str
    status: str
    reason: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _item(key, title, status, reason):
    return RubricItem(key, title, status, reason)


TITLES = {
    "results_file": "Archivo de resultados escrito y válido",
    "split": "División entrenamiento/validación/prueba, sin solapes",
    "models": "Al menos tres modelos, entre ellos un MLP y una CNN",
    "hyperparameters": "Al menos un hiperparámetro probado en cada modelo",
    "test_evaluation": "Evaluación final en el conjunto de prueba",
    "interpretability": "Entre 3 y 5 figuras de interpretabilidad del mejor modelo",
    "student_text": "Interpretación y conclusiones escritas por el estudiante",
}


def check_split(results: dict) -> RubricItem:
    dataset = results.get("dataset") or {}
    counts = dataset.get("counts") or {}
    files = dataset.get("files") or {}
    names = ("train", "validation", "test")
    empty = [name for name in names if not counts.get(name)]
    if empty:
        return _item("split", TITLES["split"], "fail",
                     f"Faltan muestras en: {', '.join(PART_NAMES[n] for n in empty)} (recuentos: {counts}).")
    if not all(isinstance(files.get(name), list) for name in names):
        return _item("split", TITLES["split"], "unchecked",
                     "El archivo de resultados no lista los archivos de cada parte, así que no se "
                     "puede comprobar que sean disjuntas.")
    sets = {name: set(map(str, files[name])) for name in names}
    mismatched = [f"{PART_NAMES[name]}: {counts[name]} declarados y {len(sets[name])} listados"
                  for name in names if counts[name] != len(sets[name])]
    if mismatched:
        return _item("split", TITLES["split"], "fail",
                     "Los recuentos no coinciden con los archivos listados (" + "; ".join(mismatched) + ").")
    overlaps = []
    for first, second in (("train", "validation"), ("train", "test"), ("validation", "test")):
        shared = sets[first] & sets[second]
        if shared:
            overlaps.append(f"{PART_NAMES[first]}∩{PART_NAMES[second]}: {len(shared)} (p. ej. {sorted(shared)[0]})")
    if overlaps:
        return _item("split", TITLES["split"], "fail",
                     "Hay imágenes en más de una parte: " + "; ".join(overlaps) + ".")
    summary = ", ".join(f"{PART_NAMES[name]} {counts[name]}" for name in names)
    return _item("split", TITLES["split"], "pass", f"Tres partes disjuntas ({summary}).")


def check_models(results: dict) -> RubricItem:
    models = results.get("models") or []
    families = [str(m.get("family", "")) for m in models if isinstance(m, dict)]
    described = ", ".join(f"{m.get('name')} ({m.get('family')})" for m in models if isinstance(m, dict))
    problems = []
    if len(families) < 3:
        problems.append(f"hay {len(families)} modelos y se piden al menos 3")
    if "mlp" not in families:
        problems.append("ninguno es de la familia 'mlp'")
    if not CNN_FAMILIES & set(families):
        problems.append("ninguno es una CNN (familia 'cnn' o 'resnet')")
    if problems:
        return _item("models", TITLES["models"], "fail",
                     "; ".join(problems).capitalize() + f". Modelos: {described or 'ninguno'}.")
    return _item("models", TITLES["models"], "pass", f"Modelos: {described}.")


def _tried_values(search: list) -> dict[str, set]:
    values: dict[str, set] = {}
    for trial in search:
        for key, value in (trial.get("hyperparameters") or {}).items():
            values.setdefault(key, set()).add(repr(value))
    return values


def check_hyperparameters(results: dict) -> RubricItem:
    models = [m for m in results.get("models") or [] if isinstance(m, dict)]
    if not models:
        return _item("hyperparameters", TITLES["hyperparameters"], "fail", "No hay modelos.")
    lacking, searched = [], []
    for model in models:
        values = _tried_values([t for t in model.get("search") or [] if isinstance(t, dict)])
        varied = sorted(key for key, tried in values.items() if len(tried) >= 2)
        if varied:
            searched.append(f"{model.get('name')}: {', '.join(varied)}")
        else:
            lacking.append(str(model.get("name")))
    if lacking:
        return _item("hyperparameters", TITLES["hyperparameters"], "fail",
                     "Sin al menos dos valores de un mismo hiperparámetro en: " + ", ".join(lacking) + ".")
    return _item("hyperparameters", TITLES["hyperparameters"], "pass",
                 "Hiperparámetros probados: " + "; ".join(searched) + ".")


def check_test_evaluation(results: dict) -> RubricItem:
    models = [m for m in results.get("models") or [] if isinstance(m, dict)]
    missing = [str(m.get("name")) for m in models
               if not isinstance((m.get("test") or {}).get("accuracy"), (int, float))]
    if not models or missing:
        return _item("test_evaluation", TITLES["test_evaluation"], "fail",
                     "Sin exactitud en prueba para: " + (", ".join(missing) or "ningún modelo") + ".")
    runs = results.get("test_evaluations")
    if not isinstance(runs, int):
        return _item("test_evaluation", TITLES["test_evaluation"], "unchecked",
                     "Cada modelo tiene métricas de prueba, pero el archivo no dice cuántas veces se "
                     "evaluó en prueba ('test_evaluations').")
    if runs > len(models):
        return _item("test_evaluation", TITLES["test_evaluation"], "fail",
                     f"Se evaluó en prueba {runs} veces con {len(models)} modelos: el conjunto de "
                     "prueba se usó para decidir algo y deja de medir el rendimiento con datos nuevos.")
    return _item("test_evaluation", TITLES["test_evaluation"], "pass",
                 f"Una evaluación en prueba por modelo ({runs} en total).")


def check_interpretability(results: dict, workdir: Path, not_before: float) -> RubricItem:
    info = results.get("interpretability") or {}
    best = results.get("best_model")
    figures = [str(f) for f in info.get("figures") or []]
    if info.get("model") != best:
        return _item("interpretability", TITLES["interpretability"], "fail",
                     f"Las figuras son del modelo '{info.get('model')}' y el mejor es '{best}'.")
    if not 3 <= len(figures) <= 5:
        return _item("interpretability", TITLES["interpretability"], "fail",
                     f"Hay {len(figures)} figuras y se piden entre 3 y 5.")
    root = workdir.resolve()
    problems = []
    for name in figures:
        path = (root / name).resolve()
        if root not in path.parents:
            problems.append(f"{name} está fuera de la carpeta del cuaderno")
        elif not path.is_file():
            problems.append(f"{name} no existe")
        elif path.read_bytes()[:8] != PNG_MAGIC:
            problems.append(f"{name} no es un PNG")
        elif path.stat().st_mtime < not_before:
            problems.append(f"{name} no lo escribió esta ejecución (es el de la entrega)")
    if problems:
        return _item("interpretability", TITLES["interpretability"], "fail", "; ".join(problems) + ".")
    methods = ", ".join(METHOD_NAMES.get(m, m) for m in info.get("methods") or []) or "sin indicar"
    return _item("interpretability", TITLES["interpretability"], "pass",
                 f"{len(figures)} figuras del modelo '{best}' (métodos: {methods}).")


def _placeholder() -> str | None:
    try:
        from coursekit.project import PLACEHOLDER_TEXT
    except ImportError:
        return None
    return PLACEHOLDER_TEXT


def own_words(text: str, placeholder: str | None) -> int:
    """Cuenta las palabras del estudiante: sin títulos de markdown ni el texto de relleno."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    body = " ".join(" ".join(lines).split())
    if placeholder:
        body = body.replace(" ".join(placeholder.split()), " ")
    return len(re.findall(r"\w+", body))


def check_student_text(notebook) -> RubricItem:
    placeholder = _placeholder()
    found: dict[str, str] = {}
    for cell in getattr(notebook, "cells", []) or []:
        grade_id = (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")
        if cell.get("cell_type") == "markdown" and grade_id in TEXT_CELL_IDS:
            found[grade_id] = cell.get("source", "")
    if not found:
        return _item("student_text", TITLES["student_text"], "unchecked",
                     "El cuaderno no tiene las celdas de texto de la plantilla (grade_id "
                     "'interpretacion' y 'conclusiones'); hay que leerlo a mano.")
    empty = [key for key in TEXT_CELL_IDS if own_words(found.get(key, ""), placeholder) < MIN_OWN_WORDS]
    if empty:
        return _item("student_text", TITLES["student_text"], "fail",
                     f"Sin texto propio (menos de {MIN_OWN_WORDS} palabras además del texto de "
                     "relleno) en: " + ", ".join(TEXT_CELL_NAMES[key] for key in empty) + ".")
    words = {key: own_words(found[key], placeholder) for key in TEXT_CELL_IDS}
    return _item("student_text", TITLES["student_text"], "pass",
                 ", ".join(f"{TEXT_CELL_NAMES[key]}: {count} palabras" for key, count in words.items()) + ".")


def check_rubric(results: dict | None, results_problem: str, notebook, workdir: Path,
                 not_before: float) -> list[RubricItem]:
    """Devuelve los puntos de la rúbrica en orden.

    Args:
        results: el archivo de resultados de la nueva ejecución, o ``None`` si no hay uno legible.
        results_problem: por qué falta o no es válido (vacío si es válido).
        notebook: el cuaderno ejecutado (``nbformat.NotebookNode``).
        workdir: carpeta de trabajo de la ejecución (las figuras son relativas a ella).
        not_before: instante (``time.time()``) en que empezó la ejecución; figuras anteriores no cuentan.
    """
    items = [_item("results_file", TITLES["results_file"], "fail" if results_problem else "pass",
                   results_problem or "La ejecución escribió un resultados_proyecto.json válido.")]
    if results is None:
        for key in ("split", "models", "hyperparameters", "test_evaluation", "interpretability"):
            items.append(_item(key, TITLES[key], "unchecked", "No hay archivo de resultados legible."))
    else:
        checks = (("split", check_split, ()), ("models", check_models, ()),
                  ("hyperparameters", check_hyperparameters, ()),
                  ("test_evaluation", check_test_evaluation, ()),
                  ("interpretability", check_interpretability, (workdir, not_before)))
        for key, check, extra in checks:
            try:
                items.append(check(results, *extra))
            except (AttributeError, TypeError, KeyError, ValueError) as error:
                items.append(_item(key, TITLES[key], "unchecked",
                                   "El archivo de resultados no tiene la estructura esperada "
                                   f"({type(error).__name__}: {error})."))
    items.append(check_student_text(notebook))
    return items
