"""Arranca un núcleo de IPython con límites para ``coursekit grade``.

Este archivo se ejecuta como script (``python kernel_launch.py OPCIONES -- -f CONEXION``) y solo usa
la biblioteca estándar, para no cargar nada más en el proceso del núcleo antes de poner los límites.
Antes de ceder el control a ``ipykernel_launcher`` en el mismo proceso:

* fija ``RLIMIT_AS`` (memoria virtual) y anula los volcados de memoria (``RLIMIT_CORE = 0``);
* pide a Linux que mate el núcleo si muere el proceso que lo lanzó (``PR_SET_PDEATHSIG``);
* escribe su PID para que el calificador pueda matar su grupo de procesos;
* instala un *audit hook* que bloquea, con ``PermissionError``, las escrituras hechas desde Python
  fuera de las carpetas permitidas y las anota en un registro JSON Lines.

El *audit hook* solo ve lo que pasa por Python (``open``, ``os.remove``, ``shutil.rmtree``...). No ve
lo que escribe código C (``ctypes``, extensiones) ni los subprocesos; esos los detecta después el
calificador comparando huellas de los archivos.
"""

import json
import os
import sys

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

# Eventos de auditoría que modifican rutas: posiciones de los argumentos que son rutas y posición
# del ``dir_fd`` relativo al que se interpretan (``None`` si el evento no lo lleva).
_PATH_EVENTS = {
    "os.remove": ((0,), 1), "os.rmdir": ((0,), 1), "os.mkdir": ((0,), 2), "os.chmod": ((0,), 2),
    "os.chown": ((0,), 3), "os.truncate": ((0,), None), "os.utime": ((0,), 3),
    "os.rename": ((0, 1), None), "os.link": ((1,), 3), "os.symlink": ((1,), 2),
    "shutil.rmtree": ((0,), 1), "shutil.copyfile": ((1,), None), "shutil.copymode": ((1,), None),
    "shutil.copystat": ((1,), None), "shutil.move": ((0, 1), None), "shutil.chown": ((0,), None),
}
# Eventos que lanzan procesos: se anotan, no se bloquean (``!ls`` en un cuaderno es legítimo).
_PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"}
# Programas que ipykernel y ``platform`` lanzan al arrancar; no dicen nada de la entrega.
_STARTUP_PROGRAMS = {"ip", "uname", "ifconfig"}


def _parse_args(argv):
    """Separa las opciones del lanzador (antes de ``--``) de las del núcleo (después)."""
    if "--" not in argv:
        raise SystemExit("kernel_launch: falta '--' antes de los argumentos del núcleo")
    split = argv.index("--")
    options = {"allow": []}
    own = argv[:split]
    for key, value in zip(own[::2], own[1::2]):
        if key == "--allow":
            options["allow"].append(os.path.realpath(value))
        else:
            options[key.lstrip("-")] = value
    return options, argv[split + 1:]


def _set_limits(memory_bytes):
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def _die_with_parent():
    """Pide a Linux SIGKILL para este proceso cuando muera su padre (el trabajador)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)


def _install_audit_hook(allowed_roots, log_path):
    """Bloquea las escrituras de Python fuera de ``allowed_roots`` y anota eventos en ``log_path``."""
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    roots = tuple(root.rstrip(os.sep) + os.sep for root in allowed_roots) + ("/dev/",)
    realpath, getcwd, fspath = os.path.realpath, os.getcwd, os.fsdecode
    state = {"busy": False, "process_notes": 0}

    def resolve(path, dir_fd=None):
        if isinstance(path, int):
            return None
        path = fspath(path)
        if not os.path.isabs(path):
            base = getcwd()
            if isinstance(dir_fd, int):
                base = os.readlink(f"/proc/self/fd/{dir_fd}")
            path = os.path.join(base, path)
        return realpath(path)

    def allowed(path):
        return (path + os.sep).startswith(roots)

    def record(entry):
        os.write(log_fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))

    def hook(event, args):
        if state["busy"]:
            return
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS)
            positions = (0,) if writes else ()
            dir_fd = None
        elif event in _PATH_EVENTS:
            positions, fd_position = _PATH_EVENTS[event]
            dir_fd = args[fd_position] if fd_position is not None and fd_position < len(args) else None
        elif event in _PROCESS_EVENTS:
            program = os.path.basename(fspath(args[0])) if args and isinstance(args[0], (str, bytes)) else ""
            if state["process_notes"] < 50 and program not in _STARTUP_PROGRAMS:
                state["process_notes"] += 1
                record({"event": event, "detail": repr(args)[:300], "blocked": False})
            return
        else:
            return
        for position in positions:
            state["busy"] = True
            try:
                target = resolve(args[position], dir_fd if isinstance(dir_fd, int) else None)
            except (OSError, TypeError, ValueError, IndexError):
                target = None
            finally:
                state["busy"] = False
            if target is None or allowed(target):
                continue
            record({"event": event, "path": target, "blocked": True})
            raise PermissionError(
                f"coursekit grade ha bloqueado la escritura en {target}: durante la calificación "
                "un cuaderno solo puede escribir dentro de su carpeta de trabajo")

    sys.addaudithook(hook)


def main(argv=None):
    """Aplica los límites y ejecuta ``ipykernel_launcher`` en este mismo proceso."""
    script_dir = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != script_dir]
    options, kernel_args = _parse_args(list(sys.argv[1:] if argv is None else argv))
    with open(options["pidfile"], "w", encoding="ascii") as handle:
        handle.write(str(os.getpid()))
    _set_limits(int(options.get("memory", "0")))
    _die_with_parent()
    _install_audit_hook(options["allow"], options["log"])

    import runpy

    sys.argv = ["ipykernel_launcher", *kernel_args]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
