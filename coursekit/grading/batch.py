"""Calificar una carpeta de entregas: preparar, ejecutar en paralelo, clasificar y vigilar cambios.

:func:`grade_submissions` es lo que ejecuta ``coursekit grade``. Devuelve un :class:`ClassResult`
con un :class:`StudentResult` por entrega y las alertas de integridad de todo el lote; escribir los
informes es cosa de :mod:`coursekit.grading.report`.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from coursekit._errors import check_choice, check_positive_int, invalid_value
from coursekit.grading import rubric as rubric_module
from coursekit.grading.reproduce import Reproduction, compare_results, reported_results
from coursekit.grading.runner import RunOutcome, RunPaths, kernel_environment, prepare_workdir, run_notebook
from coursekit.grading.submissions import (RESULTS_FILENAME, Submission, check_notebook, diff_snapshots,
                                           discover, python_kernel_names, snapshot)
from coursekit.grading.verdicts import verdict_info

logger = logging.getLogger(__name__)

MARKER = ".coursekit-grade"
MEMORY_HINTS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "out of memory")


@dataclass
class GradeOptions:
    """Opciones de un lote; :meth:`validate` comprueba cada una con un mensaje en español."""

    time_limit: float = 1800.0
    memory_gb: float = 8.0
    workers: int = 1
    seed: int | None = None
    mode: str = "full"
    tolerance: float = 0.02
    max_output_mb: float = 20.0
    overwrite: bool = False

    def validate(self) -> "GradeOptions":
        for name, value, minimum in (("tiempo", self.time_limit, 1.0), ("memoria", self.memory_gb, 0.0),
                                     ("max-salida", self.max_output_mb, 0.01),
                                     ("tolerancia", self.tolerance, 0.0)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or value < minimum:
                raise invalid_value(f"--{name}", value, f"un número ≥ {minimum:g}")
        if 0 < self.memory_gb < 1:
            raise invalid_value("--memoria", self.memory_gb, "0 (sin límite) o al menos 1 GB",
                                "Un núcleo de Python con NumPy ya reserva cerca de 1 GB de memoria "
                                "virtual; con TensorFlow, unos 3 GB.")
        check_positive_int("--trabajadores", self.workers)
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)
                                      or not 0 <= self.seed < 2**32):
            raise invalid_value("--semilla", self.seed, "un entero entre 0 y 2**32 - 1")
        check_choice("mode", self.mode, ("quick", "full"))
        return self


@dataclass
class StudentResult:
    """Todo lo que se sabe de una entrega después de calificarla."""

    submission: Submission
    paths: RunPaths
    verdict: str
    detail: str
    outcome: RunOutcome | None = None
    rubric: list = field(default_factory=list)
    reproduction: Reproduction | None = None
    rerun_results: dict | None = None
    notes: list[str] = field(default_factory=list)
    seed: int | None = None

    @property
    def label(self) -> str:
        return verdict_info(self.verdict).label

    @property
    def graded(self) -> bool:
        return verdict_info(self.verdict).graded


@dataclass
class ClassResult:
    """Resultado del lote: una entrada por entrega, alertas de integridad y ajustes usados."""

    students: list[StudentResult]
    alerts: list[str]
    options: GradeOptions
    submissions_dir: Path
    output_dir: Path
    elapsed: float

    @property
    def exit_code(self) -> int:
        """0 si todas se calificaron y no hubo alertas; 1 si alguna no o hubo alertas."""
        return 0 if all(s.graded for s in self.students) and not self.alerts else 1


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def prepare_output(submissions_dir: Path, output_dir: Path, overwrite: bool) -> None:
    """Crea la carpeta de salida; rechaza carpetas con otros archivos o solapadas con las entregas."""
    if _inside(output_dir, submissions_dir) or _inside(submissions_dir, output_dir):
        raise invalid_value("--salida", str(output_dir), "una carpeta fuera de la de entregas",
                            "Si no, los informes se mezclarían con las entregas originales.")
    if output_dir.exists() and any(output_dir.iterdir()):
        if not (output_dir / MARKER).is_file():
            raise invalid_value("--salida", str(output_dir), "una carpeta nueva o vacía",
                                "Elige otra carpeta; esta contiene archivos que no son de coursekit grade.")
        if not overwrite:
            raise invalid_value("--salida", str(output_dir), "una carpeta nueva o vacía",
                                "Ya contiene una calificación anterior; añade --sobrescribir para "
                                "reemplazarla.")
        shutil.rmtree(output_dir)
    (output_dir / "alumnos").mkdir(parents=True, exist_ok=True)
    (output_dir / MARKER).write_text("carpeta de salida de coursekit grade\n", encoding="utf-8")


def _load_rerun_results(workdir: Path) -> tuple[dict | None, str]:
    path = workdir / RESULTS_FILENAME
    if not path.is_file():
        return None, f"La ejecución no escribió {RESULTS_FILENAME} en su carpeta."
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"{RESULTS_FILENAME} no es JSON válido: {error}."
    if not isinstance(data, dict):
        return None, f"{RESULTS_FILENAME} no contiene un objeto JSON."
    try:
        from coursekit.project import validate_results
    except ImportError:
        return data, ""
    try:
        validate_results(data)
    except (ValueError, TypeError) as error:
        return data, f"{RESULTS_FILENAME} no cumple el esquema: {str(error)[:400]}"
    return data, ""


def classify_failure(outcome: RunOutcome) -> tuple[str, str]:
    """Traduce el estado del trabajador a ``(veredicto, detalle en español)``."""
    where = f" en la celda {outcome.cell + 1}" if outcome.cell is not None else ""
    memory_in_log = any(hint in outcome.stderr_tail for hint in MEMORY_HINTS)
    if outcome.status == "timeout":
        return "timeout", f"Se agotó el tiempo{where}."
    if outcome.status == "cell_error":
        if outcome.ename.endswith("MemoryError"):
            return "memory", f"{outcome.ename}{where}: el cuaderno pidió más memoria de la permitida."
        kind = "Error de sintaxis" if outcome.ename in {"SyntaxError", "IndentationError"} else "Excepción"
        return "cell_error", f"{kind}{where}: {outcome.ename}: {outcome.evalue}"
    if outcome.status in {"dead_kernel", "worker_died"}:
        if memory_in_log:
            return "memory", f"El núcleo murió{where} sin memoria (ver el final de su salida de errores)."
        return "kernel_died", f"El núcleo murió{where}."
    if outcome.status == "kernel_start_failed":
        return "kernel_died", f"El núcleo no llegó a arrancar: {outcome.detail}"
    return "grader_error", outcome.detail or f"Estado desconocido del trabajador: {outcome.status}"


def _seed_for(options: GradeOptions, reported: dict | None) -> int:
    if options.seed is not None:
        return options.seed
    seed = (reported or {}).get("seed")
    return seed if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < 2**32 else 42


def _grade_one(student: StudentResult, work_notebook: Path, kernel_name: str, options: GradeOptions,
               protected: tuple[Path, ...], original_notebook, baseline: dict[str, str],
               kernel_note: str = "") -> StudentResult:
    paths, submission = student.paths, student.submission
    reported, source = reported_results(submission.source, original_notebook, RESULTS_FILENAME)
    if kernel_note:
        student.notes.append(kernel_note)
    student.seed = _seed_for(options, reported)
    if snapshot(paths.workdir) != baseline:
        student.notes.append("Su carpeta de trabajo cambió antes de ejecutarse: otra entrega escribió en ella.")
    private = paths.private
    spec = {
        "notebook": str(work_notebook), "workdir": str(paths.workdir), "kernel_name": kernel_name,
        "executed_notebook": str(paths.executed_notebook), "result": str(private / "resultado.json"),
        "progress": str(private / "progreso.json"), "pidfile": str(private / "nucleo.pid"),
        "audit_log": str(private / "auditoria.jsonl"), "time_limit": options.time_limit,
        "memory_bytes": int(options.memory_gb * 2**30), "max_output_bytes": int(options.max_output_mb * 1e6),
        "allowed_roots": [str(paths.workdir.resolve()), str(paths.scratch.resolve())],
        "env": kernel_environment(paths, options.mode == "quick", student.seed),
    }
    started = time.time()
    outcome = run_notebook(spec, options.time_limit)
    student.outcome = outcome
    if outcome.dropped_output_bytes:
        student.notes.append(f"Salida recortada: se descartaron {outcome.dropped_output_bytes / 1e6:.1f} MB "
                             f"por encima del límite de {options.max_output_mb:g} MB.")
    if outcome.processes:
        student.notes.append(f"Lanzó {len(outcome.processes)} procesos externos (no los vigila el "
                             "bloqueo de escrituras, sí la comparación de huellas).")
    intrusions = [p for p in outcome.blocked_writes if any(_inside(Path(p), root) for root in protected)]
    other_blocked = [p for p in outcome.blocked_writes if p not in intrusions]
    if other_blocked:
        student.notes.append("Escrituras bloqueadas fuera de su carpeta: " + ", ".join(other_blocked[:5]))
    if intrusions:
        student.verdict = "outside_write"
        student.detail = ("Intentó escribir en " + ", ".join(sorted(set(intrusions))[:5])
                          + "; se bloqueó con PermissionError.")
        return student
    if outcome.status != "completed":
        student.verdict, student.detail = classify_failure(outcome)
        return student
    import nbformat

    executed = nbformat.read(paths.executed_notebook, as_version=4)
    results, problem = _load_rerun_results(paths.workdir)
    student.rerun_results = results
    student.rubric = rubric_module.check_rubric(results, problem, executed, paths.workdir, started)
    mode = "quick" if options.mode == "quick" else "full"
    student.reproduction = compare_results(reported, results, options.tolerance, source=source,
                                           rerun_mode=mode, rerun_seed=student.seed)
    statuses = {item.status for item in student.rubric}
    failed = [item.title for item in student.rubric if item.status == "fail"]
    missing = ("No cumple: " + "; ".join(failed) + ".") if failed else ""
    # Un número declarado que no sale al repetir pesa más que un punto pendiente: se antepone para
    # que no quede oculto tras «Incompleto» en el resumen.
    if student.reproduction.status == "fail":
        student.verdict = "not_reproduced"
        student.detail = " ".join(part for part in (student.reproduction.reason, missing) if part)
    elif failed:
        student.verdict, student.detail = "incomplete", missing
    elif "unchecked" in statuses or student.reproduction.status == "unchecked":
        pending = [item.title for item in student.rubric if item.status == "unchecked"]
        if student.reproduction.status == "unchecked":
            pending.append("reproducibilidad: " + student.reproduction.reason)
        student.verdict, student.detail = "review", "Sin comprobar: " + "; ".join(pending)
    else:
        student.verdict, student.detail = "complete", student.reproduction.reason
    return student


def _precheck(submission: Submission, paths: RunPaths, kernels: set[str]):
    """Devuelve ``(StudentResult con veredicto final o None, NotebookCheck)`` antes de ejecutar."""
    if submission.notebook is None:
        return StudentResult(submission, paths, "no_notebook", submission.problem.capitalize() + (
            f": {', '.join(submission.candidates)}." if submission.candidates else ".")), None
    check = check_notebook(submission.notebook, kernels)
    if check.verdict:
        return StudentResult(submission, paths, check.verdict, check.detail), check
    return None, check


def grade_submissions(submissions_dir, output_dir, options: GradeOptions | None = None,
                      progress=None) -> ClassResult:
    """Califica cada entrega de ``submissions_dir`` y deja su carpeta de trabajo en ``output_dir``.

    Args:
        submissions_dir: carpeta con cuadernos sueltos o una subcarpeta por estudiante.
        output_dir: carpeta nueva (o de una calificación anterior con ``overwrite``) para la salida.
        options: límites y modo; por defecto :class:`GradeOptions`.
        progress: función opcional ``progress(hechas, total, resultado)`` llamada al acabar cada entrega.

    Raises:
        ValueError: si las carpetas u opciones no son válidas (mensaje en español con la corrección).
    """
    options = (options or GradeOptions()).validate()
    begin = time.monotonic()
    submissions_dir, output_dir = Path(submissions_dir).resolve(), Path(output_dir).resolve()
    submissions = discover(submissions_dir)
    prepare_output(submissions_dir, output_dir, options.overwrite)
    originals_before = snapshot(submissions_dir)
    kernels = python_kernel_names()
    protected = (submissions_dir, output_dir)
    finished: list[StudentResult] = []
    pending = []
    for submission in submissions:
        paths = RunPaths(output_dir / "alumnos" / submission.student)
        paths.student_dir.mkdir(parents=True)
        done, check = _precheck(submission, paths, kernels)
        if done is not None:
            finished.append(done)
            continue
        try:
            work_notebook = prepare_workdir(submission.source, submission.notebook, paths, RESULTS_FILENAME)
        except OSError as error:
            logger.error("No se pudo copiar la entrega %s: %s", submission.student, error)
            finished.append(StudentResult(submission, paths, "grader_error",
                                          f"No se pudo copiar la entrega a su carpeta de trabajo: {error}"))
            continue
        pending.append((StudentResult(submission, paths, "grader_error", ""), work_notebook, check,
                        snapshot(paths.workdir)))
    total = len(submissions)
    for count, student in enumerate(finished, start=1):
        if progress:
            progress(count, total, student)
    end_snapshots: dict[str, dict[str, str]] = {}
    with ThreadPoolExecutor(max_workers=options.workers) as pool:
        futures = {pool.submit(_grade_one, student, notebook, check.kernel_name, options, protected,
                               check.notebook, baseline, check.detail): student
                   for student, notebook, check, baseline in pending}
        for future in as_completed(futures):
            student = futures[future]
            try:
                future.result()
            except Exception as error:  # noqa: BLE001 — un fallo del calificador no para el lote
                logger.exception("Fallo del calificador con %s", student.submission.student)
                student.verdict, student.detail = "grader_error", f"{type(error).__name__}: {error}"
            end_snapshots[student.submission.student] = snapshot(student.paths.student_dir)
            finished.append(student)
            if progress:
                progress(len(finished), total, student)
    alerts = _integrity_alerts(submissions_dir, originals_before, output_dir, finished, end_snapshots)
    finished.sort(key=lambda s: s.submission.student.lower())
    return ClassResult(finished, alerts, options, submissions_dir, output_dir, time.monotonic() - begin)


def _integrity_alerts(submissions_dir: Path, originals_before: dict, output_dir: Path,
                      students: list[StudentResult], end_snapshots: dict) -> list[str]:
    """Compara huellas de originales y carpetas de salida con las tomadas antes y al acabar cada una."""
    alerts = []
    changes = diff_snapshots(originals_before, snapshot(submissions_dir))
    if changes:
        alerts.append("Cambiaron archivos ORIGINALES de las entregas durante la calificación: "
                      + "; ".join(changes[:10]) + (" …" if len(changes) > 10 else ""))
        for student in students:
            prefix = student.submission.source.name
            own = [c for c in changes if c.split(": ", 1)[1].split("/", 1)[0] == prefix]
            if own:
                student.notes.append("Cambiaron sus archivos originales durante la calificación: "
                                     + "; ".join(own[:5]))
    for student in students:
        before = end_snapshots.get(student.submission.student)
        if before is None:
            continue
        later = diff_snapshots(before, snapshot(student.paths.student_dir))
        if later:
            message = (f"La carpeta de {student.submission.student} cambió después de su ejecución "
                       "(otra entrega escribió en ella): " + "; ".join(later[:5]))
            alerts.append(message)
            student.notes.append(message)
    expected = {MARKER, "alumnos"}
    extra = sorted(name for name in os.listdir(output_dir) if name not in expected)
    known = {s.submission.student for s in students}
    extra += sorted(f"alumnos/{n}" for n in os.listdir(output_dir / "alumnos") if n not in known)
    if extra:
        alerts.append("Aparecieron archivos inesperados en la carpeta de salida: " + ", ".join(extra[:10]))
    return alerts
