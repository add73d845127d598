"""Pruebas rápidas de ``coursekit.grading`` sin núcleos: rúbrica, comparación, entregas, opciones."""

from __future__ import annotations

import copy
import json
import os
import time

import nbformat
import pytest

from coursekit.grading import GradeOptions
from coursekit.grading.batch import classify_failure, prepare_output
from coursekit.grading.reproduce import compare_results, reported_results
from coursekit.grading.rubric import check_rubric, own_words
from coursekit.grading.runner import RunOutcome
from coursekit.grading.submissions import check_notebook, diff_snapshots, discover, snapshot
from coursekit.grading.verdicts import VERDICTS
from coursekit.project import PLACEHOLDER_TEXT, validate_results

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def model(name, family, accuracy=0.9):
    return {"name": name, "family": family, "params": 100,
            "search": [{"hyperparameters": {"learning_rate": 0.01}, "val_accuracy": accuracy, "val_loss": 0.3},
                       {"hyperparameters": {"learning_rate": 0.001}, "val_accuracy": accuracy - 0.1, "val_loss": 0.5}],
            "chosen": {"learning_rate": 0.01}, "validation": {"accuracy": accuracy, "loss": 0.3},
            "test": {"accuracy": accuracy - 0.01, "loss": 0.31, "macro_f1": accuracy - 0.02,
                     "per_class": {"a": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1},
                                   "b": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}},
                     "confusion_matrix": [[1, 0], [0, 1]]}}


def results():
    """Archivo de resultados válido y mínimo: 2 imágenes por parte, tres modelos, 3 figuras."""
    files = {"train": ["a/1.png", "b/1.png"], "validation": ["a/2.png", "b/2.png"], "test": ["a/3.png", "b/3.png"]}
    return {
        "schema_version": 1, "created": "2026-12-04T20:00:00+00:00", "seed": 42, "mode": "quick",
        "versions": {"python": "3.11", "numpy": "2", "keras": "3", "tensorflow": "2.21", "coursekit": "0.1.0"},
        "elapsed_seconds": 1.0,
        "dataset": {"path": "datos", "classes": ["a", "b"], "image_size": [32, 32], "channels": 1,
                    "counts": {k: len(v) for k, v in files.items()}, "files": files, "skipped": [],
                    "augmentation": {}},
        "models": [model("mlp", "mlp", 0.8), model("cnn", "cnn", 0.95), model("resnet", "resnet", 0.9)],
        "best_model": "cnn", "test_evaluations": 3,
        "interpretability": {"model": "cnn", "methods": ["saliency"], "figures": [f"figuras/caso_{i}.png" for i in (1, 2, 3)],
                             "cases": [{"file": "a/3.png", "true": "a", "predicted": "a", "confidence": 0.9,
                                        "kind": "correcto_seguro"}] * 3},
    }


def text_notebook(interpretation, conclusions):
    book = nbformat.v4.new_notebook()
    for grade_id, text in (("interpretacion", interpretation), ("conclusiones", conclusions)):
        cell = nbformat.v4.new_markdown_cell(text)
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "solution": True}
        book.cells.append(cell)
    return book


WRITTEN = "La red convolucional separa bien las dos clases porque mira los bordes."


@pytest.fixture()
def workdir(tmp_path):
    (tmp_path / "figuras").mkdir()
    for i in (1, 2, 3):
        (tmp_path / "figuras" / f"caso_{i}.png").write_bytes(PNG)
    return tmp_path


def statuses(items):
    return {item.key: item.status for item in items}


def test_results_fixture_is_schema_valid():
    assert validate_results(results())


def test_rubric_all_pass(workdir):
    items = check_rubric(results(), "", text_notebook(WRITTEN, WRITTEN), workdir, 0)
    assert set(statuses(items).values()) == {"pass"}
    assert len(items) == 7


RUBRIC_BREAKERS = {
    "split": lambda r: r["dataset"]["files"]["test"].__setitem__(0, "a/1.png"),
    "models": lambda r: (r["models"].pop(), r.__setitem__("test_evaluations", 2)),
    "hyperparameters": lambda r: r["models"][0]["search"].pop(),
    "test_evaluation": lambda r: r.__setitem__("test_evaluations", 7),
    "interpretability": lambda r: r["interpretability"]["figures"].pop(),
}


@pytest.mark.parametrize("key", sorted(RUBRIC_BREAKERS))
def test_rubric_item_fails(workdir, key):
    broken = copy.deepcopy(results())
    RUBRIC_BREAKERS[key](broken)
    items = statuses(check_rubric(broken, "", text_notebook(WRITTEN, WRITTEN), workdir, 0))
    assert items[key] == "fail"
    assert [k for k, v in items.items() if v != "pass"] == [key]


def test_rubric_models_needs_cnn(workdir):
    broken = results()
    broken["models"][1]["family"] = "other"
    broken["models"][2]["family"] = "other"
    assert statuses(check_rubric(broken, "", text_notebook(WRITTEN, WRITTEN), workdir, 0))["models"] == "fail"


def test_rubric_interpretability_other_model(workdir):
    broken = results()
    broken["interpretability"]["model"] = "mlp"
    item = check_rubric(broken, "", text_notebook(WRITTEN, WRITTEN), workdir, 0)[5]
    assert item.status == "fail"
    assert "'cnn'" in item.reason


def test_rubric_stale_figures_fail(workdir):
    item = check_rubric(results(), "", text_notebook(WRITTEN, WRITTEN), workdir, time.time() + 60)[5]
    assert item.status == "fail"
    assert "no lo escribió esta ejecución" in item.reason


def test_rubric_figure_outside_workdir(workdir):
    broken = results()
    broken["interpretability"]["figures"][0] = "../fuera.png"
    item = check_rubric(broken, "", text_notebook(WRITTEN, WRITTEN), workdir, 0)[5]
    assert "fuera de la carpeta" in item.reason


def test_rubric_without_results(workdir):
    items = check_rubric(None, "La ejecución no escribió el archivo.", text_notebook(WRITTEN, WRITTEN), workdir, 0)
    assert statuses(items) == {"results_file": "fail", "split": "unchecked", "models": "unchecked",
                               "hyperparameters": "unchecked", "test_evaluation": "unchecked",
                               "interpretability": "unchecked", "student_text": "pass"}


def test_rubric_split_without_files_unchecked(workdir):
    broken = results()
    del broken["dataset"]["files"]
    assert statuses(check_rubric(broken, "", text_notebook(WRITTEN, WRITTEN), workdir, 0))["split"] == "unchecked"


def test_rubric_malformed_results_unchecked(workdir):
    broken = results()
    broken["interpretability"] = ["no", "es", "un", "objeto"]
    item = statuses(check_rubric(broken, "", text_notebook(WRITTEN, WRITTEN), workdir, 0))
    assert item["interpretability"] == "unchecked"


def test_student_text_placeholder_fails(workdir):
    item = check_rubric(results(), "", text_notebook(PLACEHOLDER_TEXT, WRITTEN), workdir, 0)[6]
    assert item.status == "fail"
    assert "interpretación" in item.reason


def test_student_text_missing_cells_unchecked(workdir):
    item = check_rubric(results(), "", nbformat.v4.new_notebook(), workdir, 0)[6]
    assert item.status == "unchecked"


def test_own_words_ignores_heading_and_placeholder():
    assert own_words(f"### Interpretación\n{PLACEHOLDER_TEXT}", PLACEHOLDER_TEXT) == 0
    assert own_words(f"{PLACEHOLDER_TEXT}\nUna dos tres cuatro cinco.", PLACEHOLDER_TEXT) == 5


def test_compare_identical_pass():
    outcome = compare_results(results(), results(), 0.02)
    assert outcome.status == "pass"
    assert len(outcome.rows) == 3 * 5 + 1


def test_compare_within_tolerance():
    rerun = results()
    rerun["models"][0]["test"]["accuracy"] += 0.015
    assert compare_results(results(), rerun, 0.02).status == "pass"
    assert compare_results(results(), rerun, 0.01).status == "fail"


def test_compare_lists_each_difference():
    rerun = results()
    rerun["models"][1]["validation"]["loss"] = 2.0
    rerun["best_model"] = "resnet"
    outcome = compare_results(results(), rerun, 0.02)
    assert [(row.model, row.metric) for row in outcome.differences] == [
        ("cnn", "validation.loss"), ("—", "best_model")]


def test_compare_missing_model():
    rerun = results()
    rerun["models"].pop()
    assert [row.model for row in compare_results(results(), rerun, 0.02).differences] == ["resnet"]


def test_compare_without_reported_unchecked():
    assert compare_results(None, results(), 0.02).status == "unchecked"


def test_compare_mode_mismatch_unchecked():
    outcome = compare_results(results(), results(), 0.02, rerun_mode="full")
    assert outcome.status == "unchecked"
    assert "modo" in outcome.reason


def test_reported_results_from_notebook_output(tmp_path):
    book = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("mostrar()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"application/json": results()})]
    book.cells.append(cell)
    found, source = reported_results(tmp_path / "ana.ipynb", book, "resultados_proyecto.json")
    assert found["best_model"] == "cnn"
    assert "salida JSON" in source


def test_reported_results_from_folder(tmp_path):
    (tmp_path / "resultados_proyecto.json").write_text(json.dumps(results()), encoding="utf-8")
    found, source = reported_results(tmp_path, nbformat.v4.new_notebook(), "resultados_proyecto.json")
    assert found["seed"] == 42
    assert "resultados_proyecto.json" in source


def write_notebook(path, kernel="python3", language="python"):
    book = nbformat.v4.new_notebook()
    if kernel:
        book.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": language}
    nbformat.write(book, path)


def test_discover_flat_and_folders(tmp_path):
    write_notebook(tmp_path / "ana.ipynb")
    (tmp_path / "beto").mkdir()
    write_notebook(tmp_path / "beto" / "proyecto.ipynb")
    (tmp_path / "carla").mkdir()
    (tmp_path / "dani").mkdir()
    write_notebook(tmp_path / "dani" / "uno.ipynb")
    write_notebook(tmp_path / "dani" / "dos.ipynb")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / "notas.txt").write_text("x")
    found = {s.student: s for s in discover(tmp_path)}
    assert sorted(found) == ["ana", "beto", "carla", "dani"]
    assert found["beto"].notebook.name == "proyecto.ipynb"
    assert found["carla"].notebook is None
    assert found["dani"].candidates == ["dos.ipynb", "uno.ipynb"]


def test_discover_names_unique_and_safe(tmp_path):
    write_notebook(tmp_path / "José Pérez.ipynb")
    (tmp_path / "José_Pérez").mkdir()
    write_notebook(tmp_path / "José_Pérez" / "p.ipynb")
    assert sorted(s.student for s in discover(tmp_path)) == ["José_Pérez", "José_Pérez_2"]


def test_discover_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="`ENTREGAS` no es válido: se esperaba una carpeta que exista"):
        discover(tmp_path / "no_existe")


def test_discover_empty_folder(tmp_path):
    with pytest.raises(ValueError, match="La carpeta está vacía"):
        discover(tmp_path)


@pytest.mark.parametrize("content, verdict", [
    (b"{\"cells\": [", "invalid_json"),
    (b"\xff\xfe no utf-8", "invalid_json"),
    (b"[1, 2, 3]", "not_notebook"),
    (b"{\"cells\": [], \"nbformat\": 4, \"nbformat_minor\": 5}", "not_notebook"),
    (b"{\"cells\": [{\"cell_type\": \"banana\"}], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}",
     "not_notebook"),
])
def test_check_notebook_rejects(tmp_path, content, verdict):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    assert check_notebook(path, {"python3"}).verdict == verdict


def test_check_notebook_kernels(tmp_path):
    write_notebook(tmp_path / "sin.ipynb", kernel=None)
    write_notebook(tmp_path / "julia.ipynb", kernel="julia-1.10", language="julia")
    write_notebook(tmp_path / "bien.ipynb")
    assert "kernelspec.name" in check_notebook(tmp_path / "sin.ipynb", {"python3"}).detail
    assert "'julia-1.10'" in check_notebook(tmp_path / "julia.ipynb", {"python3"}).detail
    assert check_notebook(tmp_path / "bien.ipynb", {"python3"}).verdict is None


def test_check_notebook_other_python_env(tmp_path):
    path = tmp_path / "conda.ipynb"
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "conda-env-curso-py", "display_name": "curso", "language": "python"}
    nbformat.write(book, path)
    check = check_notebook(path, {"python3"})
    assert check.verdict is None
    assert check.kernel_name == "python3"
    assert "'conda-env-curso-py'" in check.detail


def test_snapshot_and_diff(tmp_path):
    (tmp_path / "a.txt").write_text("1")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("2")
    before = snapshot(tmp_path)
    (tmp_path / "a.txt").write_text("cambiado")
    (tmp_path / "sub" / "b.txt").unlink()
    (tmp_path / "c.txt").write_text("3")
    os.symlink("/etc", tmp_path / "enlace")
    assert diff_snapshots(before, snapshot(tmp_path)) == [
        "modificado: a.txt", "añadido: c.txt", "añadido: enlace", "borrado: sub/b.txt"]


@pytest.mark.parametrize("field, value, message", [
    ("time_limit", 0, "`--tiempo` no es válido"),
    ("time_limit", float("nan"), "`--tiempo` no es válido"),
    ("memory_gb", 0.5, "0 \\(sin límite\\) o al menos 1 GB"),
    ("memory_gb", -1, "`--memoria` no es válido"),
    ("tolerance", -0.1, "`--tolerancia` no es válido"),
    ("max_output_mb", 0, "`--max-salida` no es válido"),
    ("workers", 0, "`--trabajadores` no es válido"),
    ("seed", -3, "`--semilla` no es válido"),
    ("mode", "rapido", "`mode` no es válido"),
])
def test_options_reject(field, value, message):
    with pytest.raises(ValueError, match=message):
        GradeOptions(**{field: value}).validate()


def test_options_workers_type():
    with pytest.raises(TypeError, match="`--trabajadores` no es válido"):
        GradeOptions(workers=1.5).validate()


def test_prepare_output_rejects_inside_submissions(tmp_path):
    with pytest.raises(ValueError, match="fuera de la de entregas"):
        prepare_output(tmp_path, tmp_path / "salida", overwrite=False)


def test_prepare_output_rejects_foreign_files(tmp_path):
    (tmp_path / "salida").mkdir()
    (tmp_path / "salida" / "tesis.docx").write_text("x")
    with pytest.raises(ValueError, match="no son de coursekit grade"):
        prepare_output(tmp_path / "entregas", tmp_path / "salida", overwrite=True)
    assert (tmp_path / "salida" / "tesis.docx").is_file()


@pytest.mark.parametrize("outcome, verdict", [
    (RunOutcome("timeout", cell=3), "timeout"),
    (RunOutcome("cell_error", cell=0, ename="MemoryError"), "memory"),
    (RunOutcome("cell_error", cell=0, ename="_ArrayMemoryError"), "memory"),
    (RunOutcome("cell_error", cell=0, ename="ZeroDivisionError", evalue="division by zero"), "cell_error"),
    (RunOutcome("dead_kernel", cell=1), "kernel_died"),
    (RunOutcome("dead_kernel", cell=1, stderr_tail="terminate called after std::bad_alloc"), "memory"),
    (RunOutcome("kernel_start_failed", detail="RuntimeError: no arranca"), "kernel_died"),
    (RunOutcome("worker_error", detail="Traceback"), "grader_error"),
])
def test_classify_failure(outcome, verdict):
    assert classify_failure(outcome)[0] == verdict


def test_classify_failure_names_cell_one_based():
    assert classify_failure(RunOutcome("timeout", cell=3))[1] == "Se agotó el tiempo en la celda 4."


def test_verdicts_graded_set():
    assert {code for code, info in VERDICTS.items() if info.graded} == {
        "complete", "review", "not_reproduced", "incomplete"}


def test_nbclient_phrases_become_spanish():
    from coursekit.grading.worker import spanish_nbclient_text

    text = ("An error occurred while executing the following cell:\n"
            "SyntaxError: expected ':' (2406702165.py, line 2)")
    translated = spanish_nbclient_text(text)
    assert translated.startswith("Se produjo un error al ejecutar esta celda:")
    assert "(línea 2 de la celda)" in translated
    assert "2406702165.py" not in translated


def test_file_instead_of_folder_is_explained(tmp_path):
    from coursekit.grading.submissions import discover

    notebook_file = tmp_path / "ana.ipynb"
    notebook_file.write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="una carpeta, no un archivo"):
        discover(notebook_file)
