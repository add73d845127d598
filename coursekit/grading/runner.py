"""Lado del calificador: preparar la carpeta de trabajo, lanzar el trabajador y vigilar el reloj.

Cada entrega se ejecuta en un proceso trabajador propio (``coursekit.grading.worker``) que arranca
en una sesión nueva. El núcleo arranca en otra sesión, porque así lo hace ``jupyter_client``, y
escribe su PID en un archivo. Al acabar, por las buenas o por tiempo agotado, se mata con SIGKILL el
grupo de procesos del trabajador y el del núcleo, para que no quede vivo nada que la entrega haya
lanzado dentro de esos grupos.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import coursekit

# Segundos que el trabajador tiene, además del presupuesto, para cerrar el núcleo y guardar.
SHUTDOWN_GRACE_S = 30
STDERR_TAIL_BYTES = 64_000


@dataclass
class RunPaths:
    """Rutas de una entrega dentro de la carpeta de salida."""

    student_dir: Path

    @property
    def workdir(self) -> Path:
        return self.student_dir / "trabajo"

    @property
    def private(self) -> Path:
        return self.student_dir / "registro"

    @property
    def scratch(self) -> Path:
        return self.student_dir / "temporal"

    @property
    def executed_notebook(self) -> Path:
        return self.student_dir / "cuaderno_ejecutado.ipynb"

    @property
    def report(self) -> Path:
        return self.student_dir / "informe.html"


@dataclass
class RunOutcome:
    """Lo que se sabe de una ejecución: estado del trabajador, registro de auditoría, stderr."""

    status: str
    cell: int | None = None
    detail: str = ""
    ename: str = ""
    evalue: str = ""
    traceback: str = ""
    elapsed: float = 0.0
    dropped_output_bytes: int = 0
    blocked_writes: list[str] = field(default_factory=list)
    processes: list[str] = field(default_factory=list)
    stderr_tail: str = ""
    forced_kill: bool = False


def _copy_ignore(directory, names):
    return [name for name in names
            if name in {".ipynb_checkpoints", "__pycache__"} or os.path.islink(os.path.join(directory, name))]


def prepare_workdir(source: Path, notebook: Path, paths: RunPaths, results_filename: str) -> Path:
    """Copia la entrega a su carpeta de trabajo y devuelve la ruta del cuaderno copiado.

    Los enlaces simbólicos no se copian. El archivo de resultados que trae la entrega se quita de
    la copia para que solo cuente el que escriba la nueva ejecución.
    """
    for folder in (paths.private, paths.scratch):
        folder.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, paths.workdir, ignore=_copy_ignore)
    else:
        paths.workdir.mkdir(parents=True)
        shutil.copy2(notebook, paths.workdir / notebook.name)
    stale_results = paths.workdir / results_filename
    if stale_results.is_file():
        stale_results.unlink()
    return paths.workdir / notebook.relative_to(source if source.is_dir() else notebook.parent)


def kernel_environment(paths: RunPaths, quick: bool, seed: int) -> dict[str, str]:
    """Variables de entorno para el núcleo: modo, semilla y cachés dentro de ``temporal/``."""
    scratch = paths.scratch
    package_root = str(Path(coursekit.__file__).resolve().parent.parent)
    python_path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
    env = {
        "COURSEKIT_QUICK": "1" if quick else "0", "COURSEKIT_SEED": str(seed),
        "PYTHONHASHSEED": str(seed), "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": python_path, "TMPDIR": str(scratch / "tmp"),
        "MPLCONFIGDIR": str(scratch / "matplotlib"), "IPYTHONDIR": str(scratch / "ipython"),
        "KERAS_HOME": str(scratch / "keras"), "XDG_CACHE_HOME": str(scratch / "cache"),
        "JUPYTER_RUNTIME_DIR": str(scratch / "jupyter"), "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    for key in ("TMPDIR", "MPLCONFIGDIR", "IPYTHONDIR", "KERAS_HOME", "XDG_CACHE_HOME",
                "JUPYTER_RUNTIME_DIR"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    _copy_font_cache(Path(env["MPLCONFIGDIR"]))
    return env


def _copy_font_cache(target: Path) -> None:
    """Copia la caché de fuentes de matplotlib del calificador para no reconstruirla en cada núcleo."""
    try:
        import matplotlib
    except ImportError:
        return
    for cache in Path(matplotlib.get_cachedir()).glob("fontlist-*.json"):
        shutil.copy2(cache, target / cache.name)


def _read_tail(stream, buffer: collections.deque) -> None:
    for chunk in iter(lambda: stream.read(4096), b""):
        buffer.append(chunk)
        while sum(len(c) for c in buffer) > STDERR_TAIL_BYTES and len(buffer) > 1:
            buffer.popleft()


def _kill_group(pid: int, expected_marker: str | None = None) -> bool:
    """Mata con SIGKILL el grupo de procesos ``pid``; devuelve si quedaba algo vivo."""
    if expected_marker is not None:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            cmdline = None
        if cmdline is not None and expected_marker not in cmdline:
            return False  # el PID ya es de otro proceso: no lo tocamos
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def run_notebook(spec: dict, time_limit: float) -> RunOutcome:
    """Lanza el trabajador con ``spec``, espera como mucho ``time_limit`` + margen y recoge el resultado."""
    private = Path(spec["result"]).parent
    spec_path = private / "encargo.json"
    spec_path.write_text(json.dumps(spec, ensure_ascii=False, indent=1), encoding="utf-8")
    env = dict(os.environ)
    env.update(spec["env"])
    process = subprocess.Popen(
        [sys.executable, "-m", "coursekit.grading.worker", str(spec_path)], cwd=private, env=env,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)
    tail: collections.deque = collections.deque()
    reader = threading.Thread(target=_read_tail, args=(process.stdout, tail), daemon=True)
    reader.start()
    hard_timeout = False
    try:
        process.wait(timeout=time_limit + SHUTDOWN_GRACE_S)
    except subprocess.TimeoutExpired:
        hard_timeout = True
    forced = _kill_group(process.pid) if hard_timeout else False
    process.wait()
    pidfile = Path(spec["pidfile"])
    if pidfile.is_file():
        forced |= _kill_group(int(pidfile.read_text() or 0), "kernel_launch")
    _kill_group(process.pid)  # nietos que la entrega dejara en el grupo del trabajador
    reader.join(timeout=5)
    outcome = _read_result(Path(spec["result"]), Path(spec["progress"]), hard_timeout, time_limit)
    outcome.forced_kill = forced
    outcome.stderr_tail = b"".join(tail).decode("utf-8", "replace")
    (private / "salida_errores.txt").write_text(outcome.stderr_tail, encoding="utf-8")
    _read_audit_log(Path(spec["audit_log"]), outcome)
    return outcome


def _read_result(result_path: Path, progress_path: Path, hard_timeout: bool, limit: float) -> RunOutcome:
    cell = None
    if progress_path.is_file():
        cell = json.loads(progress_path.read_text(encoding="utf-8")).get("cell")
    if hard_timeout or not result_path.is_file():
        status = "timeout" if hard_timeout else "worker_died"
        return RunOutcome(status=status, cell=cell, elapsed=limit if hard_timeout else 0.0,
                          detail="El proceso trabajador no dejó resultado.")
    data = json.loads(result_path.read_text(encoding="utf-8"))
    return RunOutcome(status=data["status"], cell=data.get("cell", cell),
                      detail=data.get("detail", ""), ename=data.get("ename", ""),
                      evalue=data.get("evalue", ""), traceback=data.get("traceback", ""),
                      elapsed=float(data.get("elapsed", 0.0)),
                      dropped_output_bytes=int(data.get("dropped_output_bytes", 0)))


def _read_audit_log(log_path: Path, outcome: RunOutcome) -> None:
    if not log_path.is_file():
        return
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle):
            if number >= 1000:
                break
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if entry.get("blocked"):
                outcome.blocked_writes.append(str(entry.get("path", "")))
            else:
                outcome.processes.append(f"{entry.get('event')}: {entry.get('detail', '')}")

