"""Encontrar las entregas, validar sus cuadernos y tomar huellas (SHA-256) de carpetas.

Una carpeta de entregas puede contener cuadernos sueltos (``ana.ipynb``: una entrega por archivo)
o una subcarpeta por estudiante con su cuaderno y sus datos (``ana/proyecto.ipynb``, ``ana/datos/``).
Se ignoran los archivos y carpetas ocultos y ``.ipynb_checkpoints``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from coursekit._errors import invalid_value

RESULTS_FILENAME = "resultados_proyecto.json"


@dataclass
class Submission:
    """Una entrega: su identificador, su carpeta o archivo original y el cuaderno a ejecutar."""

    student: str
    source: Path
    notebook: Path | None
    problem: str = ""  # motivo por el que no hay un único cuaderno, vacío si lo hay
    candidates: list[str] = field(default_factory=list)

    @property
    def is_folder(self) -> bool:
        return self.source.is_dir()


def _visible(path: Path) -> bool:
    return not path.name.startswith(".") and path.name != "__pycache__"


def _safe_id(name: str, taken: set[str]) -> str:
    """Convierte ``name`` en un nombre de carpeta seguro y único dentro de la salida."""
    base = re.sub(r"[^\w.-]+", "_", name, flags=re.UNICODE).strip("._") or "entrega"
    candidate, number = base, 2
    while candidate.lower() in taken:
        candidate, number = f"{base}_{number}", number + 1
    taken.add(candidate.lower())
    return candidate


def discover(folder: str | os.PathLike) -> list[Submission]:
    """Devuelve las entregas de ``folder`` ordenadas por nombre.

    Raises:
        ValueError: si ``folder`` no existe, no es una carpeta o no contiene ninguna entrega.
    """
    root = Path(folder)
    if root.is_file():
        raise invalid_value("ENTREGAS", str(folder), "una carpeta, no un archivo",
                            f"Pon el cuaderno en una carpeta (p. ej. entregas/) y pasa esa carpeta: "
                            f"`coursekit grade {root.parent or '.'}`.")
    if not root.is_dir():
        raise invalid_value("ENTREGAS", str(folder), "una carpeta que exista",
                            "Indica la carpeta que contiene los cuadernos o una subcarpeta por "
                            "estudiante.")
    submissions: list[Submission] = []
    taken: set[str] = set()
    for entry in sorted(root.iterdir(), key=lambda p: p.name.lower()):
        if not _visible(entry) or entry.is_symlink():
            continue
        if entry.is_file() and entry.suffix.lower() == ".ipynb":
            submissions.append(Submission(_safe_id(entry.stem, taken), entry, entry))
        elif entry.is_dir():
            notebooks = sorted(p for p in entry.glob("*.ipynb")
                               if _visible(p) and p.is_file() and not p.is_symlink())
            student = _safe_id(entry.name, taken)
            if len(notebooks) == 1:
                submissions.append(Submission(student, entry, notebooks[0]))
            else:
                problem = ("la carpeta no contiene ningún cuaderno .ipynb" if not notebooks else
                           "la carpeta contiene varios cuadernos .ipynb y no se sabe cuál calificar")
                submissions.append(Submission(student, entry, None, problem,
                                              [p.name for p in notebooks]))
    if not submissions:
        raise invalid_value("ENTREGAS", str(folder),
                            "una carpeta con cuadernos .ipynb o con una subcarpeta por estudiante",
                            "La carpeta está vacía o solo contiene otros tipos de archivo.")
    return submissions


@dataclass
class NotebookCheck:
    """Resultado de leer un cuaderno antes de ejecutarlo."""

    verdict: str | None  # None si el cuaderno se puede ejecutar
    detail: str = ""
    kernel_name: str = ""
    notebook: object = None  # nbformat.NotebookNode si se pudo leer


def check_notebook(path: Path, kernel_names: set[str]) -> NotebookCheck:
    """Lee ``path`` y decide si se puede ejecutar: JSON, estructura de cuaderno y núcleo."""
    import nbformat

    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return NotebookCheck("invalid_json", f"No se pudo leer como JSON en UTF-8: {error}.")
    if not isinstance(raw, dict) or "cells" not in raw or "nbformat" not in raw:
        kind = type(raw).__name__
        return NotebookCheck("not_notebook",
                             f"El JSON es un {kind} sin las claves 'cells' y 'nbformat' de un cuaderno.")
    try:
        notebook = nbformat.reads(json.dumps(raw), as_version=4)
        nbformat.validate(notebook)
    except (nbformat.ValidationError, ValueError, KeyError, TypeError, AttributeError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return NotebookCheck("not_notebook",
                             f"El cuaderno no cumple el formato nbformat 4: {first_line}")
    kernelspec = notebook.metadata.get("kernelspec") or {}
    name = kernelspec.get("name", "") if isinstance(kernelspec, dict) else ""
    if not name:
        return NotebookCheck("kernel_unknown",
                             "Los metadatos no indican el núcleo (falta 'kernelspec.name'). Ábrelo en "
                             "Jupyter, elige el núcleo «Python 3» y guárdalo.", notebook=notebook)
    language = str(kernelspec.get("language") or notebook.metadata.get("language_info", {}).get("name", ""))
    if name not in kernel_names and language.lower() == "python" and kernel_names:
        # Entornos con otro nombre (conda, venv, VS Code): el núcleo siempre se lanza con el Python
        # del calificador, así que basta con que el cuaderno sea de Python.
        fallback = "python3" if "python3" in kernel_names else sorted(kernel_names)[0]
        return NotebookCheck(None, f"El cuaderno pedía el núcleo '{name}', que no está instalado; se "
                             f"ejecutó con '{fallback}' (Python del calificador).",
                             kernel_name=fallback, notebook=notebook)
    if name not in kernel_names:
        installed = ", ".join(sorted(kernel_names)) or "ninguno"
        return NotebookCheck("kernel_unknown",
                             f"El cuaderno pide el núcleo '{name}', que no está instalado con lenguaje "
                             f"Python en esta máquina (instalados: {installed}).",
                             kernel_name=name, notebook=notebook)
    return NotebookCheck(None, kernel_name=name, notebook=notebook)


def python_kernel_names() -> set[str]:
    """Devuelve los nombres de los núcleos instalados cuyo lenguaje es Python."""
    from jupyter_client.kernelspec import KernelSpecManager

    manager = KernelSpecManager()
    names = set()
    for name, spec in manager.get_all_specs().items():
        if str(spec.get("spec", {}).get("language", "")).lower() == "python":
            names.add(name)
    return names


def hash_file(path: Path) -> str:
    """Devuelve el SHA-256 en hexadecimal del contenido de ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def snapshot(root: Path, exclude: tuple[Path, ...] = ()) -> dict[str, str]:
    """Devuelve ``{ruta relativa: sha256}`` de los archivos bajo ``root`` (o de ``root`` si es archivo).

    Los enlaces simbólicos se registran por su destino (``"enlace:…"``) sin seguirlos; las carpetas
    de ``exclude`` no se recorren.
    """
    root = Path(root)
    if root.is_file():
        return {root.name: hash_file(root)}
    excluded = {os.path.realpath(p) for p in exclude}
    result: dict[str, str] = {}
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs
                         if os.path.realpath(os.path.join(current, d)) not in excluded)
        for name in sorted(files):
            path = Path(current, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                result[relative] = "enlace:" + os.readlink(path)
            else:
                result[relative] = hash_file(path)
        for name in dirs:
            if Path(current, name).is_symlink():
                result[Path(current, name).relative_to(root).as_posix()] = (
                    "enlace:" + os.readlink(Path(current, name)))
    return result


def diff_snapshots(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Describe en español los archivos añadidos, borrados o modificados entre dos huellas."""
    changes = []
    for name in sorted(set(before) | set(after)):
        if name not in after:
            changes.append(f"borrado: {name}")
        elif name not in before:
            changes.append(f"añadido: {name}")
        elif before[name] != after[name]:
            changes.append(f"modificado: {name}")
    return changes
