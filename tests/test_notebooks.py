"""Pruebas de forma de los cuadernos de notebooks/: formato válido, sin salidas guardadas y esqueleto común.

nbval ejecuta los cuadernos aparte (``--nbval-lax``); aquí solo se lee el JSON, sin núcleo.
"""

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
# Secciones fijas, en este orden; entre «Configuración» y «Resumen» van las secciones de tareas.
SKELETON = ["Objetivos", "Configuración", "Resumen", "Ejercicios", "Para saber más"]


def _ids(paths):
    return [path.name for path in paths]


def _is_checked(cell) -> bool:
    lines = cell.source.splitlines()
    return bool(lines) and lines[0].strip() == CHECK_MARKER


def _headings(notebook, level: int) -> list[str]:
    prefix = "#" * level + " "
    found = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith(prefix):
                found.append(line[len(prefix):].strip())
    return found


def test_notebook_folder_has_notebooks():
    assert NOTEBOOKS, f"no hay cuadernos en {NOTEBOOK_DIR}"


def test_notebook_numbers_are_unique():
    numbers = [path.name.split("_", 1)[0] for path in NOTEBOOKS]
    assert all(re.fullmatch(r"\d\d", number) for number in numbers), numbers
    assert len(set(numbers)) == len(numbers)


@pytest.fixture(params=NOTEBOOKS, ids=_ids(NOTEBOOKS))
def notebook(request):
    return nbformat.read(request.param, as_version=nbformat.NO_CONVERT)


def test_notebook_is_valid_nbformat4(notebook):
    assert notebook.nbformat == 4
    nbformat.validate(notebook)


def test_notebook_kernel_is_python3(notebook):
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"


def test_unchecked_cells_have_no_outputs(notebook):
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or _is_checked(cell):
            continue
        assert cell.outputs == [], f"celda {index} tiene salidas guardadas"
        assert cell.execution_count is None, f"celda {index} tiene número de ejecución"


def test_checked_cells_store_expected_output(notebook):
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and _is_checked(cell):
            assert cell.outputs, f"celda {index} está marcada {CHECK_MARKER} pero no guarda su salida"
            # nbval rechaza una celda con salidas y sin número de ejecución («Unrun reference cell»).
            assert cell.execution_count is not None, f"celda {index} guarda salida sin número de ejecución"


def test_checked_cells_store_no_volatile_text(notebook):
    volatile = re.compile(r"0x[0-9a-f]{6,}|\d+ms/step|ETA:|\d+/\d+ \[=")
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not _is_checked(cell):
            continue
        text = "".join(output.get("text", "") for output in cell.outputs)
        assert not volatile.search(text), f"celda {index}: {text[:120]!r}"


def test_no_widget_state_saved(notebook):
    assert "widgets" not in notebook.metadata


def test_notebook_starts_with_title(notebook):
    first = notebook.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith("# ")
    assert len(_headings(notebook, 1)) == 1


def test_notebook_follows_skeleton(notebook):
    sections = _headings(notebook, 2)
    present = [name for name in sections if name in SKELETON]
    assert present == SKELETON, sections
    tasks = sections[sections.index("Configuración") + 1: sections.index("Resumen")]
    assert tasks, "falta al menos una sección de tareas entre «Configuración» y «Resumen»"
