"""Escribir los informes de ``coursekit grade``: una página HTML por estudiante y el resumen de la clase.

Salida, dentro de la carpeta elegida:

* ``resumen.html``: tabla de la clase con el veredicto y los puntos de la rúbrica de cada entrega.
* ``resumen.csv``: la misma tabla para una hoja de cálculo (UTF-8 con BOM, separador coma, punto
  decimal).
* ``alumnos/<id>/informe.html``: veredicto, errores con la celda que falló, rúbrica, métricas
  declaradas frente a re-ejecutadas y figuras.
"""

from __future__ import annotations

import csv
import html
import os
from pathlib import Path

from coursekit.grading.rubric import STATUS_LABELS, TITLES
from coursekit.grading.verdicts import VERDICTS

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #bbb;padding:.3rem .6rem;
text-align:left;vertical-align:top}th{background:#eee}pre{background:#f6f6f6;padding:.6rem;
overflow-x:auto;white-space:pre-wrap}.pass{background:#e3f5e1}.fail{background:#fbe3e3}
.unchecked{background:#fff5d6}.verdict{font-size:1.3rem;padding:.5rem;border-radius:.3rem}
img{max-width:32rem;border:1px solid #ccc;margin:.3rem}
"""
VERDICT_CLASS = {"complete": "pass", "review": "unchecked", "not_reproduced": "unchecked"}


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"es\"><head><meta charset=\"utf-8\"><title>{_e(title)}</title>"
            f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>\n")


def _verdict_box(student) -> str:
    css = VERDICT_CLASS.get(student.verdict, "fail")
    info = VERDICTS[student.verdict]
    return (f"<p class=\"verdict {css}\"><strong>{_e(info.label)}</strong> — {_e(student.detail)}</p>"
            f"<p>{_e(info.explanation)}</p>")


def _error_section(student, executed) -> str:
    outcome = student.outcome
    if outcome is None or outcome.status == "completed":
        return ""
    parts = ["<h2>Errores de la ejecución</h2>"]
    if outcome.cell is not None:
        parts.append(f"<p>Celda {outcome.cell + 1} del cuaderno:</p>")
        cells = getattr(executed, "cells", None) or []
        if outcome.cell < len(cells):
            parts.append(f"<pre>{_e(cells[outcome.cell].source[:4000])}</pre>")
    if outcome.traceback:
        parts.append(f"<p>Traza:</p><pre>{_e(outcome.traceback[-6000:])}</pre>")
    elif outcome.detail:
        parts.append(f"<pre>{_e(outcome.detail[-6000:])}</pre>")
    if outcome.stderr_tail.strip():
        parts.append("<details><summary>Final de la salida de errores del núcleo</summary>"
                     f"<pre>{_e(outcome.stderr_tail[-6000:])}</pre></details>")
    return "\n".join(parts)


def _rubric_table(items) -> str:
    if not items:
        return "<p>La rúbrica no se comprobó porque el cuaderno no se ejecutó entero.</p>"
    rows = "".join(f"<tr class=\"{item.status}\"><td>{_e(item.title)}</td><td>{_e(item.status_label)}</td>"
                   f"<td>{_e(item.reason)}</td></tr>" for item in items)
    return f"<table><tr><th>Punto</th><th>Estado</th><th>Motivo</th></tr>{rows}</table>"


def _format_value(value) -> str:
    return f"{value:.4f}" if isinstance(value, float) else _e(value)


def _metrics_table(reproduction) -> str:
    if reproduction is None:
        return "<p>No se compararon métricas porque el cuaderno no se ejecutó entero.</p>"
    text = f"<p>{_e(STATUS_LABELS[reproduction.status].capitalize())}: {_e(reproduction.reason)}</p>"
    if reproduction.source:
        text += f"<p>Números declarados tomados de: {_e(reproduction.source)}.</p>"
    if not reproduction.rows:
        return text
    rows = "".join(f"<tr class=\"{'pass' if row.matches else 'fail'}\"><td>{_e(row.model)}</td>"
                   f"<td>{_e(row.metric)}</td><td>{_format_value(row.reported)}</td>"
                   f"<td>{_format_value(row.rerun)}</td></tr>" for row in reproduction.rows)
    return text + ("<table><tr><th>Modelo</th><th>Métrica</th><th>Declarado</th><th>Re-ejecutado</th></tr>"
                   f"{rows}</table>")


def _figures(student) -> str:
    results = student.rerun_results if isinstance(student.rerun_results, dict) else {}
    info = results.get("interpretability")
    figures = info.get("figures") if isinstance(info, dict) else None
    figures = figures if isinstance(figures, list) else []
    root = student.paths.workdir.resolve()
    shown = []
    for name in figures[:10]:
        path = (root / str(name)).resolve()
        if root in path.parents and path.is_file():
            relative = os.path.relpath(path, student.paths.student_dir)
            shown.append(f"<figure><img src=\"{_e(Path(relative).as_posix())}\" alt=\"{_e(name)}\">"
                         f"<figcaption>{_e(name)}</figcaption></figure>")
    return "<h2>Figuras de interpretabilidad</h2>" + ("".join(shown) or "<p>Ninguna.</p>")


def write_student_report(student, options) -> Path:
    """Escribe ``informe.html`` de una entrega y devuelve su ruta."""
    executed = None
    if student.paths.executed_notebook.is_file():
        import nbformat

        executed = nbformat.read(student.paths.executed_notebook, as_version=4)
    sub = student.submission
    outcome = student.outcome
    facts = [f"Entrega: {sub.source.name}", f"Cuaderno: {sub.notebook.name if sub.notebook else '—'}"]
    if outcome is not None:
        facts += [f"Tiempo de ejecución: {outcome.elapsed:.1f} s (límite {options.time_limit:g} s)",
                  f"Modo: {'rápido' if options.mode == 'quick' else 'completo'} · semilla {student.seed}",
                  f"Memoria máxima: {'sin límite' if not options.memory_gb else f'{options.memory_gb:g} GiB'}"]
        if outcome.forced_kill:
            facts.append("El núcleo o sus procesos no terminaron solos y se mataron al acabar.")
    links = []
    if student.paths.executed_notebook.is_file():
        links.append("<a href=\"cuaderno_ejecutado.ipynb\">cuaderno ejecutado</a>")
    if student.paths.workdir.is_dir():
        links.append("<a href=\"trabajo/\">carpeta de trabajo</a>")
    body = [f"<h1>Informe de {_e(sub.student)}</h1>", _verdict_box(student),
            "<ul>" + "".join(f"<li>{_e(fact)}</li>" for fact in facts) + "</ul>",
            "<p>" + " · ".join(links) + "</p>" if links else "",
            "<p><a href=\"../../resumen.html\">Volver al resumen de la clase</a></p>"]
    if student.notes:
        body.append("<h2>Observaciones</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in student.notes) + "</ul>")
    body += [_error_section(student, executed), "<h2>Rúbrica</h2>", _rubric_table(student.rubric),
             "<h2>Métricas declaradas frente a re-ejecutadas</h2>", _metrics_table(student.reproduction),
             _figures(student)]
    student.paths.student_dir.mkdir(parents=True, exist_ok=True)
    student.paths.report.write_text(_page(f"Informe de {sub.student}", "\n".join(body)), encoding="utf-8")
    return student.paths.report


def _rubric_status(student, key) -> str:
    for item in student.rubric:
        if item.key == key:
            return item.status_label
    return ""


def _best_test_accuracy(student):
    results = student.rerun_results if isinstance(student.rerun_results, dict) else {}
    for model in results.get("models") or []:
        if isinstance(model, dict) and model.get("name") == results.get("best_model"):
            return (model.get("test") or {}).get("accuracy")
    return None


CSV_COLUMNS = (["alumno", "veredicto", "veredicto_texto", "calificada", "detalle", "segundos", "semilla"]
               + [f"rubrica_{key}" for key in TITLES]
               + ["reproducibilidad", "diferencias", "mejor_modelo", "exactitud_test_mejor", "informe"])


def _csv_row(student, output_dir: Path) -> dict:
    row = {"alumno": student.submission.student, "veredicto": student.verdict,
           "veredicto_texto": student.label, "calificada": "sí" if student.graded else "no",
           "detalle": student.detail,
           "segundos": f"{student.outcome.elapsed:.1f}" if student.outcome else "",
           "semilla": "" if student.seed is None else student.seed,
           "reproducibilidad": STATUS_LABELS[student.reproduction.status] if student.reproduction else "",
           "diferencias": len(student.reproduction.differences) if student.reproduction else "",
           "mejor_modelo": (student.rerun_results or {}).get("best_model", "")
           if isinstance(student.rerun_results, dict) else "",
           "exactitud_test_mejor": _best_test_accuracy(student) if _best_test_accuracy(student) is not None else "",
           "informe": student.paths.report.relative_to(output_dir).as_posix()}
    for key in TITLES:
        row[f"rubrica_{key}"] = _rubric_status(student, key)
    return row


def _write_csv(result, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for student in result.students:
            writer.writerow(_csv_row(student, result.output_dir))


def _summary_html(result) -> str:
    counts: dict[str, int] = {}
    for student in result.students:
        counts[student.verdict] = counts.get(student.verdict, 0) + 1
    summary = "".join(f"<li>{_e(VERDICTS[code].label)}: {counts[code]}</li>" for code in VERDICTS if code in counts)

    head = "".join(f"<th>{_e(TITLES[key])}</th>" for key in TITLES)
    rows = []
    for student in result.students:
        css = VERDICT_CLASS.get(student.verdict, "fail")
        link = student.paths.report.relative_to(result.output_dir).as_posix()
        cells = "".join(f"<td>{_e(_rubric_status(student, key))}</td>" for key in TITLES)
        reproduction = STATUS_LABELS[student.reproduction.status] if student.reproduction else ""
        rows.append(f"<tr><td><a href=\"{_e(link)}\">{_e(student.submission.student)}</a></td>"
                    f"<td class=\"{css}\">{_e(student.label)}</td><td>{_e(student.detail[:300])}</td>"
                    f"{cells}<td>{_e(reproduction)}</td></tr>")

    if result.alerts:
        alerts = ("<h2>Alertas de integridad</h2><ul>"
                  + "".join(f"<li>{_e(alert)}</li>" for alert in result.alerts) + "</ul>")
    else:
        alerts = "<p>Sin cambios fuera de las carpetas de trabajo.</p>"
    options = result.options
    mode = "rápido" if options.mode == "quick" else "completo"
    return (f"<h1>Calificación del proyecto</h1><p>{len(result.students)} entregas de "
            f"{_e(result.submissions_dir)} · modo {mode} · límite {options.time_limit:g} s por cuaderno · "
            f"{result.elapsed:.0f} s en total.</p>"
            f"<ul>{summary}</ul>{alerts}<p><a href=\"resumen.csv\">resumen.csv</a></p>"
            f"<table><tr><th>Alumno</th><th>Veredicto</th><th>Detalle</th>{head}<th>Reproducibilidad</th></tr>"
            + "".join(rows) + "</table>")


def write_class_reports(result) -> tuple[Path, Path]:
    """Escribe el informe de cada entrega, ``resumen.html`` y ``resumen.csv``; devuelve los dos últimos."""
    for student in result.students:
        write_student_report(student, result.options)
    csv_path = result.output_dir / "resumen.csv"
    _write_csv(result, csv_path)
    html_path = result.output_dir / "resumen.html"
    html_path.write_text(_page("Calificación del proyecto", _summary_html(result)), encoding="utf-8")
    return html_path, csv_path
