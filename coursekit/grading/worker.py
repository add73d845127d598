"""Proceso trabajador de ``coursekit grade``: ejecuta UN cuaderno con nbclient y guarda el resultado.

El calificador lo lanza como ``python -m coursekit.grading.worker ENCARGO.json`` en una sesión de
procesos propia. El trabajador lee el encargo (rutas, límites, entorno) y arranca el núcleo a través
de ``kernel_launch.py``, que pone el límite de memoria y el *audit hook*. Después ejecuta las celdas
en orden hasta la primera excepción y recorta las salidas que superan el límite. Al final guarda el
cuaderno ejecutado y escribe ``resultado.json``.

El límite de tiempo es del cuaderno entero: cada celda recibe lo que quede del total. El calificador
vigila además el reloj desde fuera y mata el proceso si este no termina.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import traceback
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

LAUNCHER = Path(__file__).with_name("kernel_launch.py")


class LimitedKernelManager(AsyncKernelManager):
    """Gestor de núcleos que arranca el núcleo a través de ``kernel_launch.py``."""

    launcher_options: list[str] = []

    def format_kernel_cmd(self, extra_arguments=None):
        connection_file = os.path.realpath(self.connection_file)
        return [sys.executable, str(LAUNCHER), *self.launcher_options, "--",
                "-f", connection_file, *(extra_arguments or [])]


def _output_size(msg) -> int:
    content = msg.get("content", {})
    if msg.get("msg_type") == "stream":
        return len(content.get("text", "").encode("utf-8", "replace"))
    return sum(len(str(value)) for value in content.get("data", {}).values()) + len(
        "".join(content.get("traceback", [])))


class GradingClient(NotebookClient):
    """``NotebookClient`` que guarda como máximo ``max_output_bytes`` de salidas en todo el cuaderno."""

    def __init__(self, notebook, max_output_bytes: int, **kwargs):
        super().__init__(notebook, **kwargs)
        self.max_output_bytes = max_output_bytes
        self.stored_output_bytes = 0
        self.dropped_output_bytes = 0
        self._noted_cells: set[int] = set()

    def output(self, outs, msg, display_id, cell_index):
        size = _output_size(msg)
        if self.stored_output_bytes + size <= self.max_output_bytes or msg["msg_type"] == "error":
            self.stored_output_bytes += size
            return super().output(outs, msg, display_id, cell_index)
        room = self.max_output_bytes - self.stored_output_bytes
        if msg["msg_type"] == "stream" and room > 0:
            # Se guarda el principio del texto hasta llenar el límite y se descarta el resto.
            kept = msg["content"]["text"].encode("utf-8", "replace")[:room].decode("utf-8", "ignore")
            msg = {**msg, "content": {**msg["content"], "text": kept}}
            self.stored_output_bytes += room
            self.dropped_output_bytes += size - room
            super().output(outs, msg, display_id, cell_index)
        else:
            self.dropped_output_bytes += size
        if cell_index not in self._noted_cells:
            self._noted_cells.add(cell_index)
            limit_mb = self.max_output_bytes / 1e6
            outs.append(nbformat.v4.new_output(
                "stream", name="stderr",
                text=f"[coursekit grade: salida recortada; el cuaderno superó {limit_mb:g} MB de "
                     "salidas guardadas]\n"))
        return None


# Frases fijas de nbclient (en inglés) que llegan al informe; se traducen para quien corrige.
_NBCLIENT_ES = (
    ("An error occurred while executing the following cell:", "Se produjo un error al ejecutar esta celda:"),
    ("A cell timed out while it was being executed, after", "Una celda superó el tiempo disponible tras"),
    ("The message was:", "Mensaje:"),
    ("Here is a preview of the cell contents:", "Comienzo de la celda:"),
    ("Cell execution timed out", "La ejecución de la celda superó el tiempo"),
    (" seconds.", " segundos."),
)


def spanish_nbclient_text(text: str) -> str:
    """Traduce las frases fijas de nbclient y cambia «(123456.py, line 2)» por «(línea 2 de la celda)»."""
    import re

    for english, spanish in _NBCLIENT_ES:
        text = text.replace(english, spanish)
    return re.sub(r"\(\d+\.py, line (\d+)\)", r"(línea \1 de la celda)", text)


def _clean_traceback(lines) -> str:
    import re

    return spanish_nbclient_text(re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", "\n".join(lines or [])))


async def _execute(client: GradingClient, progress_path: Path, deadline: float) -> dict:
    """Ejecuta el cuaderno y devuelve el estado para ``resultado.json``."""
    current = {"cell": None}

    def on_cell_start(cell, cell_index):
        current["cell"] = cell_index
        progress_path.write_text(json.dumps({"cell": cell_index}), encoding="utf-8")

    client.on_cell_start = on_cell_start
    try:
        await client.async_execute()
    except CellTimeoutError as error:
        return {"status": "timeout", "cell": current["cell"], "detail": spanish_nbclient_text(str(error))[:2000]}
    except DeadKernelError as error:
        return {"status": "dead_kernel", "cell": current["cell"], "detail": str(error)[:2000]}
    except CellExecutionError as error:
        return {"status": "cell_error", "cell": current["cell"], "ename": error.ename,
                "evalue": spanish_nbclient_text(str(error.evalue))[:2000],
                "traceback": _clean_traceback(str(error.traceback).splitlines())[-8000:]}
    except (RuntimeError, TimeoutError) as error:
        status = "timeout" if time.monotonic() >= deadline else "kernel_start_failed"
        return {"status": status, "cell": current["cell"], "detail": f"{type(error).__name__}: {error}"[:2000]}
    return {"status": "completed", "cell": current["cell"]}


def run(spec: dict) -> dict:
    """Ejecuta el cuaderno descrito en ``spec`` y devuelve el resultado (también lo escribe)."""
    started = time.monotonic()
    deadline = started + float(spec["time_limit"])
    os.environ.update(spec["env"])
    LimitedKernelManager.launcher_options = [
        "--memory", str(spec["memory_bytes"]), "--pidfile", spec["pidfile"], "--log", spec["audit_log"],
        *[item for root in spec["allowed_roots"] for item in ("--allow", root)]]
    notebook = nbformat.read(spec["notebook"], as_version=4)

    def remaining(cell=None):
        return max(1, int(deadline - time.monotonic() + 0.999))

    client = GradingClient(
        notebook, max_output_bytes=int(spec["max_output_bytes"]),
        kernel_name=spec["kernel_name"], kernel_manager_class=LimitedKernelManager,
        resources={"metadata": {"path": spec["workdir"]}},
        timeout_func=remaining, startup_timeout=min(120, remaining()),
        interrupt_on_timeout=False, allow_errors=False, shutdown_kernel="immediate",
        record_timing=False, store_widget_state=False)
    try:
        result = asyncio.run(_execute(client, Path(spec["progress"]), deadline))
    except Exception as error:  # noqa: BLE001 — cualquier fallo se convierte en veredicto
        result = {"status": "worker_error",
                  "detail": "".join(traceback.format_exception(error))[-8000:]}
    result.update(elapsed=round(time.monotonic() - started, 2),
                  stored_output_bytes=client.stored_output_bytes,
                  dropped_output_bytes=client.dropped_output_bytes)
    nbformat.write(notebook, spec["executed_notebook"])
    Path(spec["result"]).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return result


def main(argv=None) -> int:
    """Punto de entrada del proceso trabajador."""
    argv = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    run(spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
