"""Pruebas de la orden ``coursekit``: ayuda en español, errores de uso, códigos de salida, progreso."""

from __future__ import annotations

import io
import subprocess
import sys
from types import SimpleNamespace

import nbformat
import pytest

from coursekit import cli


def test_cli_import_without_tensorflow():
    code = "import sys, coursekit.cli, coursekit.grading; print('tensorflow' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "False"


def test_cli_help_in_spanish(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("uso: coursekit")
    assert "califica una carpeta de proyectos entregados" in text


def test_cli_grade_help_lists_options(capsys):
    with pytest.raises(SystemExit):
        cli.main(["grade", "--help"])
    text = capsys.readouterr().out
    for option in ("--salida", "--tiempo", "--memoria", "--trabajadores", "--semilla", "--modo",
                   "--tolerancia", "--max-salida", "--sobrescribir"):
        assert option in text
    assert "Códigos de salida" in text
    assert "opciones:" in text


def test_cli_missing_argument_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["grade"])
    assert exit_info.value.code == 2
    assert "faltan estos argumentos: ENTREGAS" in capsys.readouterr().err


def test_cli_bad_mode_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["grade", ".", "--modo", "turbo"])
    assert exit_info.value.code == 2
    assert "opción no válida: 'turbo'" in capsys.readouterr().err


def test_cli_bad_number_exit_2(capsys):
    with pytest.raises(SystemExit):
        cli.main(["grade", ".", "--tiempo", "mucho"])
    assert "se esperaba un número; se recibió 'mucho'" in capsys.readouterr().err


def test_cli_missing_folder_exit_2(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path / "nada"), "-o", str(tmp_path / "salida")]) == 2
    assert "se esperaba una carpeta que exista" in capsys.readouterr().err


def test_cli_invalid_option_value_exit_2(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path), "--trabajadores", "0"]) == 2
    assert "`--trabajadores` no es válido" in capsys.readouterr().err


def test_cli_without_command_exit_2(capsys):
    assert cli.main([]) == 2
    assert "ORDEN" in capsys.readouterr().out


def test_cli_grade_writes_reports_exit_1(tmp_path, capsys):
    submissions = tmp_path / "entregas"
    submissions.mkdir()
    (submissions / "rota.ipynb").write_text("{", encoding="utf-8")
    nbformat.write(nbformat.v4.new_notebook(), submissions / "sin_nucleo.ipynb")
    code = cli.main(["grade", str(submissions), "-o", str(tmp_path / "salida"), "-q"])
    assert code == 1
    out = capsys.readouterr().out
    assert "0 de 2 entregas calificadas" in out
    assert "rota: JSON no válido" in out
    assert (tmp_path / "salida" / "resumen.csv").is_file()
    assert (tmp_path / "salida" / "alumnos" / "rota" / "informe.html").is_file()


def test_progress_bar_lines():
    stream = io.StringIO()
    bar = cli.ProgressBar(stream, width=10)
    student = SimpleNamespace(submission=SimpleNamespace(student="ana"), label="Completo")
    bar(1, 4, student)
    bar(4, 4, student)
    assert stream.getvalue().splitlines() == [
        "Calificando [##--------] 1/4 · ana: Completo",
        "Calificando [##########] 4/4 · ana: Completo"]


def test_console_script_declared():
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")

    pyproject = tomllib.loads((Path(cli.__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["coursekit"] == "coursekit.cli:main"


def test_bad_option_value_message_is_spanish(capsys):
    from coursekit.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["grade", "entregas", "--modo", "lento"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "argumento --modo" in error
    assert "argument " not in error


def test_bare_command_prints_spanish_usage(capsys):
    from coursekit.cli import main

    assert main([]) == 2
    assert capsys.readouterr().out.startswith("uso: ")
