"""Pruebas de coursekit.project: lista de comprobación, evaluación única en prueba y fichero de resultados."""

import copy
import json
from pathlib import Path

import jsonschema
import keras
import nbformat
import numpy as np
import pytest

from coursekit.data import data_dir
from coursekit.data.folders import scan_image_folder
from coursekit.project import (PLACEHOLDER_TEXT, ProjectDataWarning, RESULTS_FILE, Checklist, ProjectRecord,
                               RepeatedTestEvaluationWarning, comparison_table, load_results, load_schema,
                               project_dataset_path, results_problems, validate_results)
from coursekit.tuning import SearchResult, Trial

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "06_proyecto.ipynb"
SHAPE = (8, 8, 1)


def tiny(kind):
    """Modelos reales y pequeños de las tres familias (sin entrenar: aquí importa el registro)."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input(SHAPE)
    if kind == "mlp":
        x = keras.layers.Dense(6, activation="relu")(keras.layers.Flatten()(inputs))
    elif kind == "cnn":
        x = keras.layers.Flatten()(keras.layers.Conv2D(2, 3, activation="relu")(inputs))
    else:
        block = keras.layers.Conv2D(1, 3, padding="same")(inputs)
        x = keras.layers.Flatten()(keras.layers.Add()([inputs, block]))
    return keras.Model(inputs, keras.layers.Dense(4, activation="softmax")(x), name=kind)


def search(kind, accuracy):
    trials = [Trial({"optimizer": "adam", "learning_rate": 1e-3}, accuracy - 0.1, 0.9, 1.0),
              Trial({"optimizer": "sgd", "learning_rate": 1e-2}, accuracy, float("nan"), 1.0)]
    return SearchResult(kind, trials, 1, tiny(kind))


@pytest.fixture(scope="module")
def scan():
    return scan_image_folder(data_dir() / "proyecto_ejemplo")


@pytest.fixture
def record(scan):
    parts = scan.split(seed=0)
    record = ProjectRecord(seed=0)
    record.set_dataset(scan, parts, (8, 8), 1, {"horizontal_flip": True, "rotation_degrees": 10.0})
    for kind, accuracy in (("mlp", 0.8), ("cnn", 0.9), ("resnet", 0.85)):
        record.add_search(search(kind, accuracy))
    x_test = np.random.default_rng(0).uniform(0, 1, (len(parts["test"]), *SHAPE)).astype(np.float32)
    y_test = scan.labels_of(parts["test"])
    return record, x_test, y_test


def test_checklist_text_and_ticks():
    checklist = Checklist()
    assert str(checklist).splitlines()[-1] == "Hecho: 0 de 8."
    checklist.tick("division")
    assert str(checklist).startswith("[x] Dividir")
    assert "✅" in checklist._repr_html_()
    with pytest.raises(ValueError, match="`key` no es válido"):
        checklist.tick("otro")


def test_record_ticks_checklist_from_real_conditions(record):
    record, x_test, y_test = record
    done = record.checklist.done
    for key in ("division", "tamano", "aumento", "modelos", "hiperparametros"):
        assert done[key], key
    assert not done["prueba"]
    assert [entry["family"] for entry in record.models.values()] == ["mlp", "cnn", "resnet"]
    for name in record.models:
        record.evaluate_on_test(name, tiny(name), x_test, y_test)
    assert done["prueba"]


def test_two_models_do_not_tick_models_item(scan):
    record = ProjectRecord(seed=0)
    record.add_search(search("mlp", 0.8))
    record.add_search(search("cnn", 0.9))
    assert not record.checklist.done["modelos"]


def test_repeated_test_evaluation_warns_and_counts(record):
    record, x_test, y_test = record
    model = tiny("cnn")
    record.evaluate_on_test("cnn", model, x_test, y_test)
    with pytest.warns(RepeatedTestEvaluationWarning, match="ya se había evaluado en prueba"):
        record.evaluate_on_test("cnn", model, x_test, y_test)
    assert record.test_evaluations == 2


def test_unknown_model_rejected(record):
    record, x_test, y_test = record
    with pytest.raises(ValueError, match="`name` no es válido"):
        record.evaluate_on_test("vgg", tiny("cnn"), x_test, y_test)


def test_best_model_by_validation(record):
    record = record[0]
    assert record.best_model_name() == "cnn"
    assert record.best_model_name(families=("mlp",)) == "mlp"
    with pytest.raises(ValueError, match="`families` no es válido"):
        record.best_model_name(families=("other",))


@pytest.fixture(scope="module")
def written(scan, tmp_path_factory):
    """Registro completo de tres modelos evaluados y escrito una vez: ``(ruta, resultados)``."""
    parts = scan.split(seed=0)
    record = ProjectRecord(seed=0)
    record.set_dataset(scan, parts, (8, 8), 1, {"horizontal_flip": True})
    x_test = np.random.default_rng(0).uniform(0, 1, (len(parts["test"]), *SHAPE)).astype(np.float32)
    for kind, accuracy in (("mlp", 0.8), ("cnn", 0.9), ("resnet", 0.85)):
        result = search(kind, accuracy)
        record.add_search(result)
        record.evaluate_on_test(kind, result.best_model, x_test, scan.labels_of(parts["test"]))
    case = {"file": parts["test"][0], "true": "bolso", "predicted": "bolso", "confidence": 0.5, "kind": "dudoso"}
    record.set_interpretability("cnn", ["gradcam"], [case] * 3, ["figuras/caso_1.png"])
    path = record.write(tmp_path_factory.mktemp("trabajo") / RESULTS_FILE)
    return path, load_results(path)


def test_write_and_load_round_trip(written):
    path, results = written
    assert results["test_evaluations"] == 3
    assert results["best_model"] == "cnn"
    assert results["dataset"]["counts"] == {"train": 336, "validation": 72, "test": 72}
    assert results["models"][0]["search"][1]["val_loss"] is None  # NaN → null
    assert results["models"][1]["chosen"] == {"optimizer": "sgd", "learning_rate": 0.01}
    assert sum(map(sum, results["models"][0]["test"]["confusion_matrix"])) == 72
    assert set(results["versions"]) >= {"python", "numpy", "keras", "tensorflow", "coursekit"}
    assert all(results["checklist"].values())
    assert not list(path.parent.glob("*.tmp"))


def test_write_defaults_to_cwd(record, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    record = record[0]
    record.models.clear()
    record.add_search(search("mlp", 0.8))
    assert record.write() == Path(RESULTS_FILE)
    assert json.loads((tmp_path / RESULTS_FILE).read_text(encoding="utf-8"))["models"][0]["test"] is None


@pytest.mark.parametrize("change, message", [
    (lambda r: r["dataset"]["counts"].update(test=5), "dataset/counts/test"),
    (lambda r: r["dataset"]["files"]["test"].append(r["dataset"]["files"]["train"][0]), "está en train y en test"),
    (lambda r: r.update(best_model="vgg"), "best_model"),
    (lambda r: r["models"][0]["test"]["confusion_matrix"][0].append(1), "confusion_matrix"),
    (lambda r: r.pop("seed"), "'seed' is a required property"),
    (lambda r: r.update(mode="rapido"), "mode"),
    (lambda r: r["interpretability"].update(model="vgg"), "interpretability/model"),
])
def test_validation_catches_problems(written, change, message):
    results = written[1]
    broken = copy.deepcopy(results)
    change(broken)
    assert results_problems(results) == []
    assert any(message in problem for problem in results_problems(broken))
    with pytest.raises(ValueError, match="no es válido"):
        validate_results(broken)


def test_load_results_bad_files(tmp_path):
    with pytest.raises(ValueError, match="Ejecuta el cuaderno del proyecto"):
        load_results(tmp_path / RESULTS_FILE)
    (tmp_path / RESULTS_FILE).write_text("{no es json", encoding="utf-8")
    with pytest.raises(ValueError, match="un fichero JSON"):
        load_results(tmp_path / RESULTS_FILE)
    with pytest.raises(TypeError, match="un objeto JSON"):
        validate_results([])


def test_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(load_schema())


def test_comparison_table(record):
    table = comparison_table(record[0].models)
    assert table.splitlines()[0].split() == ["modelo", "familia", "parámetros", "exact_val", "exact_test", "F1_macro"]
    assert "cnn" in table
    assert "—" in table  # modelos aún sin evaluar en prueba


def test_dataset_path_prefers_student_folder(tmp_path):
    assert project_dataset_path(tmp_path) == data_dir() / "proyecto_ejemplo"
    (tmp_path / "datos").mkdir()
    assert project_dataset_path(tmp_path) == tmp_path / "datos"


def test_dataset_path_warns_about_lookalike_folder(tmp_path):
    (tmp_path / "Datos").mkdir()
    with pytest.warns(ProjectDataWarning, match="`Datos/`.*renombra la carpeta a `datos/`"):
        path = project_dataset_path(tmp_path)
    assert path == data_dir() / "proyecto_ejemplo"


def test_written_results_readable_by_others(written):
    import stat

    path, _ = written
    assert path.stat().st_mode & stat.S_IROTH


def test_notebook_has_student_cells_with_placeholder():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    graded = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in notebook.cells
              if "nbgrader" in cell.metadata}
    assert set(graded) == {"interpretacion", "conclusiones"}
    for cell in graded.values():
        assert cell.cell_type == "markdown"
        assert cell.source == PLACEHOLDER_TEXT
        assert cell.metadata["nbgrader"]["solution"] is True
        assert cell.metadata["nbgrader"]["locked"] is False
