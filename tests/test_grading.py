"""Pruebas de extremo a extremo de ``coursekit grade`` con entregas construidas aquí.

Un lote reúne once entregas: tres con la estructura de la plantilla (Keras real con los dígitos 8×8
de scikit-learn) y ocho que fallan de una manera concreta. Se califica una vez por módulo y cada
prueba mira una entrega. El bucle infinito va en un lote aparte con un presupuesto de pocos
segundos, para no esperar al presupuesto del lote grande, que es holgado.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from coursekit.grading import GradeOptions, grade_submissions, write_class_reports
from coursekit.project import PLACEHOLDER_TEXT

# Presupuesto holgado: en dos núcleos compartidos un cuaderno de Keras de esta prueba tardó hasta 60 s.
TIME_LIMIT = 240
MEMORY_GB = 4

SETUP = """\
import json
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import confusion_matrix, log_loss, precision_recall_fscore_support
from sklearn.model_selection import train_test_split

from coursekit.runtime import default_seed, is_quick, seed_everything

SEED = seed_everything(default_seed())"""

SPLIT = """\
digits = load_digits()
x = (digits.images / 16.0).astype("float32")[..., None]
y = digits.target
train, rest = train_test_split(np.arange(len(y)), test_size=0.3, stratify=y, random_state=SEED)
validation, test = train_test_split(rest, test_size=0.5, stratify=y[rest], random_state=SEED)
parts = {"train": train, "validation": validation, "test": test}"""

MODELS = """\
def build(family, learning_rate):
    body = {"mlp": [keras.layers.Flatten(), keras.layers.Dense(32, activation="relu")],
            "cnn": [keras.layers.Conv2D(8, 3, activation="relu"), keras.layers.Flatten()],
            "other": [keras.layers.Flatten()]}[family]
    model = keras.Sequential([keras.Input((8, 8, 1)), *body, keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model"""

SEARCH = """\
searches, best = {{}}, {{}}
for family in {families!r}:
    searches[family] = []
    for learning_rate in (0.003, 0.03):
        keras.utils.set_random_seed(SEED)
        model = build(family, learning_rate)
        history = model.fit(x[train], y[train], validation_data=(x[validation], y[validation]),
                            epochs=2, batch_size=64, verbose=0).history
        searches[family].append({{"hyperparameters": {{"learning_rate": learning_rate}},
                                 "val_accuracy": history["val_accuracy"][-1], "val_loss": history["val_loss"][-1]}})
        if family not in best or history["val_accuracy"][-1] > best[family][1]["val_accuracy"]:
            best[family] = (model, searches[family][-1])"""

TEST = """\
entries, evaluations = [], 0
for family, (model, chosen) in best.items():
    probabilities = model.predict(x[test], verbose=0)
    evaluations += 1
    predicted = probabilities.argmax(axis=1)
    precision, recall, f1, support = precision_recall_fscore_support(y[test], predicted, zero_division=0)
    per_class = {str(c): {"precision": float(precision[c]), "recall": float(recall[c]), "f1": float(f1[c]),
                          "support": int(support[c])} for c in range(10)}
    test_metrics = {"accuracy": float((predicted == y[test]).mean()),
                    "loss": float(log_loss(y[test], probabilities, labels=list(range(10)))),
                    "macro_f1": float(f1.mean()), "per_class": per_class,
                    "confusion_matrix": confusion_matrix(y[test], predicted).tolist()}
    entries.append({"name": family, "family": family, "params": model.count_params(),
                    "search": searches[family], "chosen": chosen["hyperparameters"],
                    "validation": {"accuracy": chosen["val_accuracy"], "loss": chosen["val_loss"]},
                    "test": test_metrics})
best_name = max(entries, key=lambda e: e["validation"]["accuracy"])["name"]"""

FIGURES = """\
best_model = best[best_name][0]
Path("figuras").mkdir(exist_ok=True)
figures, cases = [], []
for number, index in enumerate(test[:3], start=1):
    image = keras.ops.convert_to_tensor(x[index:index + 1])
    import tensorflow as tf
    with tf.GradientTape() as tape:
        tape.watch(image)
        score = tf.reduce_max(best_model(image))
    saliency = np.abs(tape.gradient(score, image).numpy()[0, ..., 0])
    figure, axes = plt.subplots(1, 2)
    axes[0].imshow(x[index, ..., 0], cmap="gray")
    axes[1].imshow(saliency, cmap="inferno")
    figures.append(f"figuras/caso_{number}.png")
    figure.savefig(figures[-1])
    plt.close(figure)
    probabilities = best_model(x[index:index + 1]).numpy()[0]
    cases.append({"file": f"digito_{index:04d}.png", "true": str(y[index]), "predicted": str(probabilities.argmax()),
                  "confidence": float(probabilities.max()), "kind": "correcto_seguro"})"""

WRITE = """\
results = {
    "schema_version": 1, "created": "2026-12-04T20:00:00+00:00", "seed": SEED,
    "mode": "quick" if is_quick() else "full",
    "versions": {"python": "3", "numpy": np.__version__, "keras": keras.__version__, "tensorflow": None, "coursekit": "0.1.0"},
    "elapsed_seconds": 1.0,
    "dataset": {"path": "sklearn.datasets.load_digits", "classes": [str(c) for c in range(10)], "image_size": [8, 8],
                "channels": 1, "counts": {name: len(part) for name, part in parts.items()},
                "files": {name: [f"digito_{i:04d}.png" for i in part] for name, part in parts.items()},
                "skipped": [], "augmentation": {}},
    "models": entries, "best_model": best_name, "test_evaluations": evaluations,
    "interpretability": {"model": best_name, "methods": ["saliency"], "cases": cases, "figures": figures},
}
Path("resultados_proyecto.json").write_text(json.dumps(results), encoding="utf-8")"""

OWN_TEXT = ("El modelo convolucional acierta casi todos los dígitos y la saliencia se concentra en los trazos "
            "centrales, que es donde cambian los números.")


def notebook(*sources: str, kernel: str | None = "python3") -> nbformat.NotebookNode:
    """Devuelve un cuaderno con una celda de código por fuente y el núcleo ``kernel``."""
    book = nbformat.v4.new_notebook()
    if kernel:
        book.metadata["kernelspec"] = {"name": kernel, "display_name": "Python 3", "language": "python"}
    book.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return book


def text_cell(grade_id: str, text: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "task": False,
                                 "schema_version": 3, "grade_id": grade_id}
    return cell


def project_like(families=("mlp", "cnn", "other"), own_text: str | None = OWN_TEXT) -> nbformat.NotebookNode:
    """Cuaderno con la estructura de la plantilla: partición, modelos, búsqueda, prueba, figuras, textos."""
    book = notebook(SETUP, SPLIT, MODELS, SEARCH.format(families=list(families)), TEST, FIGURES)
    text = own_text or PLACEHOLDER_TEXT
    book.cells += [text_cell("interpretacion", text), text_cell("conclusiones", text),
                   nbformat.v4.new_code_cell(WRITE)]
    return book


def tree_digest(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def process_alive(pid: int) -> bool:
    """Indica si ``pid`` existe y no es un zombi (un zombi ya no ejecuta nada)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def run_as_student(book: nbformat.NotebookNode, folder: Path) -> None:
    """Ejecuta ``book`` en ``folder`` como lo haría el estudiante antes de entregar."""
    from nbclient import NotebookClient

    folder.mkdir(parents=True)
    NotebookClient(book, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    nbformat.write(book, folder / "proyecto.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Construye las entregas, califica el lote una vez y devuelve lo necesario para comprobarlo."""
    root = tmp_path_factory.mktemp("lote")
    submissions, output = root / "entregas", root / "salida"
    run_as_student(project_like(), submissions / "correcta")
    shutil.copytree(submissions / "correcta", submissions / "no_reproduce")
    reported = json.loads((submissions / "no_reproduce" / "resultados_proyecto.json").read_text())
    reported["models"][0]["test"]["accuracy"] = max(0.0, reported["models"][0]["test"]["accuracy"] - 0.3)
    (submissions / "no_reproduce" / "resultados_proyecto.json").write_text(json.dumps(reported))
    # Un número cambiado y además los textos sin escribir: el número cambiado no debe quedar oculto.
    shutil.copytree(submissions / "no_reproduce", submissions / "no_reproduce_sin_texto")
    unfinished = nbformat.read(submissions / "no_reproduce_sin_texto" / "proyecto.ipynb", as_version=4)
    for cell in unfinished.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in ("interpretacion", "conclusiones"):
            cell.source = PLACEHOLDER_TEXT
    nbformat.write(unfinished, submissions / "no_reproduce_sin_texto" / "proyecto.ipynb")
    (submissions / "incompleta").mkdir()
    nbformat.write(project_like(families=("mlp", "other"), own_text=None),
                   submissions / "incompleta" / "proyecto.ipynb")
    victim = submissions / "correcta" / "proyecto.ipynb"
    failing = {
        "sintaxis": notebook("print('antes')", "def f(:\n    pass"),
        "memoria": notebook("import numpy as np\nbloque = np.ones(8 * 2**30, dtype=np.uint8)"),
        "muere": notebook("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
        "intrusa": notebook(
            "import os, shutil\nintentos = []",
            f"for accion in (lambda: open({str(victim)!r}, 'w').write('x'),\n"
            f"               lambda: os.remove({str(victim)!r}),\n"
            f"               lambda: open({str(output / 'trampa.txt')!r}, 'w').write('x'),\n"
            "               lambda: shutil.rmtree('../../correcta/trabajo'),\n"
            "               lambda: open('../../../entregas/nuevo.txt', 'w').write('x')):\n"
            "    try:\n        accion()\n    except PermissionError as error:\n"
            "        intentos.append(str(error))\nprint(len(intentos))"),
        "ruidosa": notebook("for _ in range(40):\n    print('x' * 1_000_000)"),
    }
    for name, book in failing.items():
        nbformat.write(book, submissions / f"{name}.ipynb")
    (submissions / "rota.ipynb").write_text('{"cells": [', encoding="utf-8")
    (submissions / "no_cuaderno.ipynb").write_text('["esto", "no", "es", "un", "cuaderno"]', encoding="utf-8")
    nbformat.write(notebook("print(1)", kernel=None), submissions / "sin_nucleo.ipynb")

    before = tree_digest(submissions)
    calls = []
    options = GradeOptions(time_limit=TIME_LIMIT, memory_gb=MEMORY_GB, workers=2, mode="quick",
                           max_output_mb=5)
    result = grade_submissions(submissions, output, options, progress=lambda *args: calls.append(args))
    write_class_reports(result)
    by_name = {student.submission.student: student for student in result.students}
    return {"result": result, "by_name": by_name, "before": before, "after": tree_digest(submissions),
            "calls": calls, "root": root, "output": output}


EXPECTED_VERDICTS = {
    "correcta": "complete", "no_reproduce": "not_reproduced", "incompleta": "incomplete",
    "no_reproduce_sin_texto": "not_reproduced",
    "sintaxis": "cell_error", "memoria": "memory", "muere": "kernel_died",
    "intrusa": "outside_write", "ruidosa": "incomplete", "rota": "invalid_json",
    "no_cuaderno": "not_notebook", "sin_nucleo": "kernel_unknown",
}


@pytest.mark.parametrize("student, verdict", sorted(EXPECTED_VERDICTS.items()))
def test_batch_verdict_per_submission(graded, student, verdict):
    graded_student = graded["by_name"][student]
    assert graded_student.verdict == verdict, graded_student.detail


def test_batch_completes_every_submission(graded):
    assert sorted(graded["by_name"]) == sorted(EXPECTED_VERDICTS)
    assert len(graded["calls"]) == len(EXPECTED_VERDICTS)
    assert graded["calls"][-1][0] == graded["calls"][-1][1] == len(EXPECTED_VERDICTS)


def test_batch_originals_unchanged(graded):
    assert graded["after"] == graded["before"]


def test_batch_nothing_outside_work_folders(graded):
    assert sorted(p.name for p in graded["root"].iterdir()) == ["entregas", "salida"]
    assert not (graded["output"] / "trampa.txt").exists()
    assert graded["result"].alerts == []


def test_batch_exit_code_reports_failures(graded):
    assert graded["result"].exit_code == 1


def test_batch_kernels_shut_down(graded):
    for student in graded["result"].students:
        pidfile = student.paths.private / "nucleo.pid"
        if not pidfile.is_file():
            continue
        cmdline = Path(f"/proc/{pidfile.read_text()}/cmdline")
        alive = cmdline.exists() and b"kernel_launch" in cmdline.read_bytes()
        assert not alive, student.submission.student


def test_correct_submission_rubric_all_pass(graded):
    student = graded["by_name"]["correcta"]
    assert [item.status for item in student.rubric] == ["pass"] * 7, [i.reason for i in student.rubric]
    assert student.reproduction.status == "pass"
    assert len(list((student.paths.workdir / "figuras").glob("*.png"))) == 3


def test_not_reproduced_lists_the_difference(graded):
    rows = graded["by_name"]["no_reproduce"].reproduction.differences
    assert [(row.model, row.metric) for row in rows] == [("mlp", "test.accuracy")]
    assert rows[0].reported == pytest.approx(rows[0].rerun - 0.3, abs=1e-6) or rows[0].reported == 0.0


def test_not_reproduced_outranks_incomplete(graded):
    student = graded["by_name"]["no_reproduce_sin_texto"]
    assert "test.accuracy" in student.detail or "mlp" in student.detail, student.detail
    assert "No cumple:" in student.detail
    failed = {item.key for item in student.rubric if item.status == "fail"}
    assert failed == {"student_text"}


def test_incomplete_fails_models_and_text(graded):
    failed = {item.key for item in graded["by_name"]["incompleta"].rubric if item.status == "fail"}
    assert failed == {"models", "student_text"}


def test_syntax_error_names_the_cell(graded):
    student = graded["by_name"]["sintaxis"]
    assert student.outcome.cell == 1
    assert student.outcome.ename == "SyntaxError"
    assert "Error de sintaxis en la celda 2" in student.detail


def test_intruder_attempts_blocked(graded):
    blocked = graded["by_name"]["intrusa"].outcome.blocked_writes
    assert len(blocked) == 5
    assert (graded["output"] / "alumnos" / "correcta" / "trabajo" / "proyecto.ipynb").is_file()


def test_noisy_output_truncated(graded):
    student = graded["by_name"]["ruidosa"]
    assert student.outcome.dropped_output_bytes > 30_000_000
    assert student.paths.executed_notebook.stat().st_size < 6_000_000
    assert any("Salida recortada" in note for note in student.notes)


def test_reports_written_for_everyone(graded):
    output = graded["output"]
    with open(output / "resumen.csv", encoding="utf-8-sig", newline="") as handle:
        rows = {row["alumno"]: row for row in csv.DictReader(handle)}
    assert {name: row["veredicto"] for name, row in rows.items()} == EXPECTED_VERDICTS
    summary = (output / "resumen.html").read_text(encoding="utf-8")
    for name in EXPECTED_VERDICTS:
        report = output / "alumnos" / name / "informe.html"
        assert report.is_file()
        assert f"alumnos/{name}/informe.html" in summary
    assert "figuras/caso_1.png" in (output / "alumnos" / "correcta" / "informe.html").read_text(encoding="utf-8")


def test_subprocess_write_detected(tmp_path):
    submissions = tmp_path / "entregas"
    submissions.mkdir()
    target = submissions / "colado.txt"
    nbformat.write(notebook(f"import subprocess\nsubprocess.run(['touch', {str(target)!r}], check=True)"),
                   submissions / "astuta.ipynb")
    result = grade_submissions(submissions, tmp_path / "salida", GradeOptions(time_limit=60, mode="quick"))
    assert len(result.alerts) == 1
    assert "añadido: colado.txt" in result.alerts[0]
    assert result.exit_code == 1
    assert any("procesos externos" in note for note in result.students[0].notes)


def test_existing_output_needs_overwrite(tmp_path):
    submissions = tmp_path / "entregas"
    submissions.mkdir()
    (submissions / "rota.ipynb").write_text("{", encoding="utf-8")
    grade_submissions(submissions, tmp_path / "salida")
    with pytest.raises(ValueError, match="--sobrescribir"):
        grade_submissions(submissions, tmp_path / "salida")
    again = grade_submissions(submissions, tmp_path / "salida", GradeOptions(overwrite=True))
    assert again.students[0].verdict == "invalid_json"


def test_timeout_kills_kernel_and_batch_goes_on(tmp_path):
    submissions = tmp_path / "entregas"
    submissions.mkdir()
    nbformat.write(notebook("import subprocess\nhijo = subprocess.Popen(['sleep', '600'])\nprint(hijo.pid)",
                            "while True:\n    pass"), submissions / "a_bucle.ipynb")
    nbformat.write(notebook("print('hola')"), submissions / "b_breve.ipynb")
    result = grade_submissions(submissions, tmp_path / "salida",
                               GradeOptions(time_limit=10, mode="quick", workers=1))
    looping, brief = result.students
    assert looping.verdict == "timeout"
    assert looping.outcome.cell == 1
    assert "celda 2" in looping.detail
    assert brief.verdict == "incomplete"
    executed = nbformat.read(looping.paths.executed_notebook, as_version=4)
    child = int(executed.cells[0].outputs[0]["text"])
    assert not process_alive(child)


TEMPLATE = Path(__file__).resolve().parents[1] / "notebooks" / "06_proyecto.ipynb"


@pytest.mark.skipif(os.environ.get("COURSEKIT_GRADE_TEMPLATE") != "1",
                    reason="tarda unos 4 minutos en 2 núcleos: COURSEKIT_GRADE_TEMPLATE=1 la activa")
def test_template_example_complete(tmp_path):
    """La plantilla real, ejecutada como la entregaría un estudiante, sale Completo al re-ejecutarla."""
    first = tmp_path / "primera"
    first.mkdir()
    book = nbformat.read(TEMPLATE, as_version=4)
    for cell in book.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in ("interpretacion", "conclusiones"):
            cell.source = OWN_TEXT
    nbformat.write(book, first / "plantilla.ipynb")
    options = GradeOptions(time_limit=900, mode="quick")
    run = grade_submissions(first, tmp_path / "salida1", options).students[0]
    assert run.verdict == "review", run.detail

    example = tmp_path / "entregas" / "ejemplo"
    example.mkdir(parents=True)
    shutil.copy2(run.paths.executed_notebook, example / "06_proyecto.ipynb")
    shutil.copy2(run.paths.workdir / "resultados_proyecto.json", example)
    student = grade_submissions(tmp_path / "entregas", tmp_path / "salida2", options).students[0]
    assert student.verdict == "complete", student.detail
