"""Registro del proyecto de clase: lista de comprobación, evaluación única en prueba y fichero de resultados.

La plantilla (cuaderno 06) crea un :class:`ProjectRecord` al principio y le va pasando lo que hace:
la partición, cada búsqueda de hiperparámetros, la evaluación final en prueba y los casos de
interpretabilidad. Con eso marca sola la lista de comprobación del enunciado y escribe
``resultados_proyecto.json``, que ``coursekit grade`` valida con
``coursekit/schemas/project_results.schema.json`` y compara con una nueva ejecución.

Este módulo no importa TensorFlow; :meth:`ProjectRecord.evaluate_on_test` lo importa al usarse.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import tempfile
import time
import warnings
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

from coursekit._errors import CourseKitWarning, check_choice, invalid_value

RESULTS_FILE = "resultados_proyecto.json"
SCHEMA_VERSION = 1
STUDENT_FOLDER = "datos"
EXAMPLE_FOLDER = "proyecto_ejemplo"
PLACEHOLDER_TEXT = "✍️ Escribe aquí tu respuesta, con tus propias palabras, y borra esta frase."
FAMILIES = ("mlp", "cnn", "resnet", "other")

CHECKLIST_ITEMS = {
    "division": "Dividir los datos en entrenamiento, validación y prueba",
    "tamano": "Ajustar el tamaño de las imágenes",
    "aumento": "Aplicar aumento de datos (solo en entrenamiento)",
    "modelos": "Construir al menos 3 redes de arquitecturas distintas (MLP y CNN entre ellas)",
    "hiperparametros": "Optimizar al menos un hiperparámetro en cada modelo",
    "prueba": "Medir el rendimiento en un conjunto de prueba separado, una sola vez",
    "interpretabilidad": "Interpretar 3–5 casos del mejor modelo",
    "resultados": "Guardar el fichero de resultados",
}


class RepeatedTestEvaluationWarning(CourseKitWarning):
    """Aviso de que un modelo se ha evaluado en prueba más de una vez (el número deja de ser honesto)."""


class ProjectDataWarning(CourseKitWarning):
    """Aviso de que la plantilla no usa los datos que el estudiante parece haber preparado."""


_LOOKALIKE_FOLDERS = {"datos", "data", "dataset", "datasets", "imagenes", "imágenes", "images", "fotos"}


def project_dataset_path(cwd=None) -> Path:
    """Devuelve la carpeta de datos del proyecto: ``datos/`` junto al cuaderno o el ejemplo incluido.

    Si no hay ``datos/`` pero sí una carpeta de nombre parecido (``Datos``, ``data``, ``imagenes``...),
    emite un :class:`ProjectDataWarning`: sin él, la plantilla entrenaría en silencio con el ejemplo.
    """
    folder = Path(cwd or os.getcwd())
    own = folder / STUDENT_FOLDER
    if own.is_dir():
        return own
    lookalikes = sorted(p.name for p in folder.iterdir()
                        if p.is_dir() and p.name.lower() in _LOOKALIKE_FOLDERS)
    if lookalikes:
        warnings.warn(
            f"No hay una carpeta `{STUDENT_FOLDER}/` junto al cuaderno, pero sí "
            + ", ".join(f"`{name}/`" for name in lookalikes)
            + f". La plantilla usará el conjunto de ejemplo. Si son tus imágenes, renombra la carpeta a "
              f"`{STUDENT_FOLDER}/` (en minúsculas) y vuelve a ejecutar.", ProjectDataWarning, stacklevel=2)
    from coursekit.data import data_dir

    return data_dir() / EXAMPLE_FOLDER


class Checklist:
    """Lista de comprobación del enunciado que se marca sola.

    ``str(checklist)`` la escribe en texto; en Jupyter, :meth:`show` la muestra una vez y cada
    :meth:`tick` actualiza esa misma salida, así que la lista del principio refleja lo ejecutado.
    """

    def __init__(self, items=None):
        self.items = dict(items or CHECKLIST_ITEMS)
        self.done = {key: False for key in self.items}
        self._handle = None

    def tick(self, key: str, done: bool = True) -> None:
        """Marca (o desmarca) un punto de la lista y refresca la salida mostrada."""
        check_choice("key", key, tuple(self.items))
        self.done[key] = bool(done)
        if self._handle is not None:
            self._handle.update(self)

    def __str__(self) -> str:
        lines = [f"[{'x' if self.done[key] else ' '}] {text}" for key, text in self.items.items()]
        lines.append(f"Hecho: {sum(self.done.values())} de {len(self.items)}.")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f"<li>{'✅' if self.done[key] else '⬜'} {text}</li>"
                       for key, text in self.items.items())
        return (f"<ul style='list-style:none;padding-left:0'>{rows}</ul>"
                f"<p>Hecho: {sum(self.done.values())} de {len(self.items)}.</p>")

    def show(self):
        """Muestra la lista en el cuaderno y guarda la salida para actualizarla después."""
        from IPython.display import display

        self._handle = display(self, display_id=True)
        return self._handle


def _finite(value):
    """Devuelve ``float(value)`` o ``None`` si no es finito (JSON no admite NaN)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _family_of(model) -> str:
    import keras

    layers = model.layers
    if any(isinstance(layer, keras.layers.Add) for layer in layers):
        return "resnet"
    if any(isinstance(layer, (keras.layers.Conv2D, keras.layers.SeparableConv2D)) for layer in layers):
        return "cnn"
    if all(isinstance(layer, (keras.layers.Flatten, keras.layers.Dense, keras.layers.Dropout,
                              keras.layers.InputLayer, keras.layers.BatchNormalization)) for layer in layers):
        return "mlp"
    return "other"


def collect_versions() -> dict:
    """Devuelve las versiones instaladas de Python, NumPy, Keras, TensorFlow y coursekit.

    Las lee de los metadatos de los paquetes, sin importar TensorFlow; ``None`` si falta alguno.
    """
    from importlib import metadata

    import coursekit

    versions = {"python": platform.python_version(), "coursekit": coursekit.__version__}
    for package in ("numpy", "keras", "tensorflow"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


class ProjectRecord:
    """Todo lo que el fichero de resultados necesita, reunido a medida que avanza el cuaderno.

    Args:
        seed: semilla del cuaderno (``coursekit.runtime.default_seed()``).
        checklist: :class:`Checklist` que se marca al registrar cada paso (se crea una si falta).
    """

    def __init__(self, seed: int, checklist: Checklist | None = None):
        from coursekit.runtime import is_quick

        self.seed = int(seed)
        self.mode = "quick" if is_quick() else "full"
        self.checklist = checklist or Checklist()
        self.started = time.perf_counter()
        self.dataset: dict = {}
        self.models: dict[str, dict] = {}
        self.test_evaluations = 0
        self.interpretability: dict | None = None
        self.texts: dict = {}

    def set_dataset(self, scan, parts: dict, image_size, channels: int, augmentation=None) -> None:
        """Registra la carpeta revisada, la partición, el tamaño y el aumento de datos."""
        files = {name: list(parts[name]) for name in ("train", "validation", "test")}
        if augmentation is not None and dataclasses.is_dataclass(augmentation):
            augmentation = dataclasses.asdict(augmentation)
        augmentation = {k: list(v) if isinstance(v, tuple) else v for k, v in (augmentation or {}).items()}
        self.dataset = {
            "path": str(scan.root), "classes": list(scan.classes), "image_size": [int(v) for v in image_size],
            "channels": int(channels), "counts": {name: len(f) for name, f in files.items()},
            "files": files, "skipped": [item.as_dict() for item in scan.skipped],
            "augmentation": augmentation,
        }
        self.checklist.tick("division")
        self.checklist.tick("tamano")
        self.checklist.tick("aumento", any(v not in (0, 0.0, False) for k, v in augmentation.items()
                                           if k not in ("fill_mode", "fill_value", "interpolation", "value_range")))

    def add_search(self, search, family: str | None = None) -> None:
        """Registra una búsqueda de :func:`coursekit.tuning.grid_search` (un modelo)."""
        model = search.best_model
        family = family or _family_of(model)
        check_choice("family", family, FAMILIES)
        self.models[search.name] = {
            "name": search.name, "family": family, "params": int(model.count_params()),
            "search": [_clean(record) for record in search.records()],
            "chosen": _clean(search.trials[search.best_index].as_record())["hyperparameters"],
            "validation": {"accuracy": _finite(search.best.val_accuracy), "loss": _finite(search.best.val_loss)},
            "test": None,
        }
        families = {entry["family"] for entry in self.models.values()}
        self.checklist.tick("modelos", len(self.models) >= 3 and {"mlp"} <= families
                            and bool(families & {"cnn", "resnet"}))
        self.checklist.tick("hiperparametros", len(self.models) >= 3 and all(
            len(entry["search"]) >= 2 for entry in self.models.values()))

    def evaluate_on_test(self, name: str, model, x_test, y_test):
        """Evalúa ``model`` en prueba, registra las métricas y devuelve el ``Evaluation``.

        Cuenta cada llamada; si el mismo modelo se evalúa por segunda vez, avisa con
        :class:`RepeatedTestEvaluationWarning`, porque elegir con el conjunto de prueba lo
        convierte en otro conjunto de validación.
        """
        from coursekit.training import evaluate

        if name not in self.models:
            raise invalid_value("name", name, "el nombre de un modelo registrado con `add_search`",
                                "Modelos registrados: " + (", ".join(self.models) or "ninguno"))
        if self.models[name]["test"] is not None:
            warnings.warn(f"El modelo «{name}» ya se había evaluado en prueba. Evaluar varias veces y "
                          "cambiar algo entre medias es ajustar con el conjunto de prueba: sus números ya "
                          "no estiman el rendimiento con datos nuevos.", RepeatedTestEvaluationWarning,
                          stacklevel=2)
        self.test_evaluations += 1
        result = evaluate(model, x_test, y_test, class_names=self.dataset.get("classes"))
        self.models[name]["test"] = {
            "accuracy": _finite(result.accuracy), "loss": _finite(result.loss),
            "macro_f1": _finite(result.f1.mean()),
            "per_class": {cls: {"precision": float(result.precision[i]), "recall": float(result.recall[i]),
                                "f1": float(result.f1[i]), "support": int(result.support[i])}
                          for i, cls in enumerate(result.class_names)},
            "confusion_matrix": result.confusion_matrix.astype(int).tolist(),
        }
        self.checklist.tick("prueba", all(entry["test"] is not None for entry in self.models.values()))
        return result

    def best_model_name(self, families=FAMILIES) -> str:
        """Devuelve el modelo con mayor exactitud de validación (la de prueba no elige nada).

        ``families`` limita la elección, p. ej. ``("cnn", "resnet")`` para el mejor convolucional.
        """
        candidates = [name for name, entry in self.models.items() if entry["family"] in families]
        if not candidates:
            raise invalid_value("families", families, "familias con algún modelo registrado",
                                "Registradas: " + (", ".join(e["family"] for e in self.models.values()) or "ninguna"))
        return max(candidates, key=lambda n: self.models[n]["validation"]["accuracy"] or 0.0)

    def set_interpretability(self, model_name: str, methods, cases, figures) -> None:
        """Registra los casos interpretados (``cases``: lista de dicts) y las figuras guardadas."""
        self.interpretability = {"model": model_name, "methods": list(methods), "cases": list(cases),
                                 "figures": [str(Path(f).as_posix()) for f in figures]}
        self.checklist.tick("interpretabilidad", 3 <= len(cases) <= 5)

    def to_dict(self) -> dict:
        """Devuelve el contenido del fichero de resultados."""
        return {
            "schema_version": SCHEMA_VERSION,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "seed": self.seed, "mode": self.mode, "versions": collect_versions(),
            "elapsed_seconds": round(time.perf_counter() - self.started, 1),
            "dataset": self.dataset, "models": list(self.models.values()),
            "best_model": self.best_model_name(), "test_evaluations": self.test_evaluations,
            "interpretability": self.interpretability or {"model": "", "methods": [], "cases": [], "figures": []},
            "checklist": dict(self.checklist.done), "texts": self.texts,
        }

    def write(self, path=RESULTS_FILE) -> Path:
        """Valida y escribe el fichero de resultados (de forma atómica) y devuelve su ruta."""
        self.checklist.tick("resultados")
        content = self.to_dict()
        validate_results(content)
        path = Path(path)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent or ".", suffix=".tmp",
                                         delete=False) as handle:
            json.dump(content, handle, ensure_ascii=False, indent=2)
        # NamedTemporaryFile crea el fichero con permisos 0600; se dejan los habituales (0644 con la
        # umask típica) para que un corrector con otra cuenta pueda leerlo.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)
        os.replace(handle.name, path)
        return path


def comparison_table(models: dict) -> str:
    """Devuelve la tabla de comparación: parámetros, exactitud de validación y de prueba, F1 macro."""
    header = f"{'modelo':<10} {'familia':<8} {'parámetros':>11} {'exact_val':>9} {'exact_test':>10} {'F1_macro':>9}"
    lines = [header, "-" * len(header)]
    for entry in models.values():
        test = entry["test"] or {}
        cells = [_cell(entry["validation"]["accuracy"]), _cell(test.get("accuracy")), _cell(test.get("macro_f1"))]
        lines.append(f"{entry['name']:<10} {entry['family']:<8} {entry['params']:>11,d} "
                     f"{cells[0]:>9} {cells[1]:>10} {cells[2]:>9}".replace(",", " "))
    return "\n".join(lines)


def _cell(value) -> str:
    return "—" if value is None else f"{value:.4f}"


def _clean(record: dict) -> dict:
    return {**record, "val_accuracy": _finite(record["val_accuracy"]), "val_loss": _finite(record["val_loss"])}


def load_schema() -> dict:
    """Devuelve el esquema JSON del fichero de resultados."""
    text = resources.files("coursekit").joinpath("schemas/project_results.schema.json").read_text("utf-8")
    return json.loads(text)


def results_problems(results) -> list[str]:
    """Devuelve los problemas de un fichero de resultados ya leído (lista vacía si es válido).

    Comprueba el esquema y, además, la coherencia: recuentos iguales a las listas de ficheros,
    particiones disjuntas, matrices de confusión cuadradas que suman el tamaño de prueba y nombres de
    modelo existentes en ``best_model`` e ``interpretability.model``.
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema(), format_checker=jsonschema.FormatChecker())
    problems = [f"{'/'.join(str(p) for p in error.absolute_path) or '(raíz)'}: {error.message}"
                for error in sorted(validator.iter_errors(results), key=lambda e: list(map(str, e.path)))]
    if problems:
        return problems
    dataset = results["dataset"]
    files = dataset["files"]
    for split, names in files.items():
        if len(names) != dataset["counts"].get(split):
            problems.append(f"dataset/counts/{split}: dice {dataset['counts'].get(split)} pero hay "
                            f"{len(names)} ficheros en dataset/files/{split}")
    seen = {}
    for split, names in files.items():
        for name in names:
            if name in seen and seen[name] != split:
                problems.append(f"dataset/files: «{name}» está en {seen[name]} y en {split}")
            seen.setdefault(name, split)
    n_classes = len(dataset["classes"])
    names = [model["name"] for model in results["models"]]
    for model in results["models"]:
        test = model["test"]
        if test is None:
            continue
        matrix = test["confusion_matrix"]
        if len(matrix) != n_classes or any(len(row) != n_classes for row in matrix):
            problems.append(f"models/{model['name']}/test/confusion_matrix: no es de {n_classes}×{n_classes}")
        elif sum(map(sum, matrix)) != dataset["counts"]["test"]:
            problems.append(f"models/{model['name']}/test/confusion_matrix: suma {sum(map(sum, matrix))}, "
                            f"no {dataset['counts']['test']} (el tamaño de prueba)")
    if results["best_model"] not in names:
        problems.append(f"best_model: «{results['best_model']}» no es ninguno de {names}")
    interpreted = results["interpretability"]["model"]
    if interpreted and interpreted not in names:
        problems.append(f"interpretability/model: «{interpreted}» no es ninguno de {names}")
    return problems


def validate_results(results) -> dict:
    """Comprueba un fichero de resultados ya leído y lo devuelve; lanza ``ValueError`` si hay problemas."""
    if not isinstance(results, dict):
        raise invalid_value("results", type(results).__name__, "un objeto JSON (dict)", error=TypeError)
    problems = results_problems(results)
    if problems:
        raise ValueError("El fichero de resultados no es válido:\n  - " + "\n  - ".join(problems))
    return results


def load_results(path) -> dict:
    """Lee y valida ``resultados_proyecto.json``; lanza ``ValueError`` en español si no sirve."""
    path = Path(path)
    if not path.is_file():
        raise invalid_value("path", str(path), f"la ruta de un fichero {RESULTS_FILE} existente",
                            "Ejecuta el cuaderno del proyecto entero: la última sección lo escribe.")
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise invalid_value("path", str(path), "un fichero JSON en UTF-8",
                            f"No se puede leer: {error}.") from None
    return validate_results(results)
