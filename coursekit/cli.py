"""La orden ``coursekit`` (script de consola); hoy tiene una suborden: ``coursekit grade``.

Importar este módulo no importa TensorFlow ni nbclient: ``coursekit --help`` responde al momento.

Códigos de salida de ``coursekit grade``:

* 0: todas las entregas se pudieron calificar y no cambió nada fuera de sus carpetas de trabajo.
* 1: alguna no se pudo calificar (error, tiempo agotado, memoria, núcleo caído, archivo no
  válido...) o hubo una alerta de integridad.
* 2: la orden está mal escrita o las carpetas no sirven.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

import coursekit

# Traducción de los textos fijos de argparse (usa gettext sin catálogo español).
_ARGPARSE_ES = {
    "usage: ": "uso: ",
    "positional arguments": "argumentos",
    "options": "opciones",
    "show this help message and exit": "muestra esta ayuda y termina",
    "show program's version number and exit": "muestra la versión y termina",
    "the following arguments are required: %s": "faltan estos argumentos: %s",
    "unrecognized arguments: %s": "argumentos no reconocidos: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "opción no válida: %(value)r (elige entre %(choices)s)",
    "invalid %(type)s value: %(value)r": "valor no válido: %(value)r",
    "expected one argument": "falta el valor de la opción",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: %(message)s\n",
}


@contextlib.contextmanager
def _spanish_argparse():
    original = argparse._
    argparse._ = lambda text: _ARGPARSE_ES.get(text, text)
    try:
        yield
    finally:
        argparse._ = original


GRADE_DESCRIPTION = """\
Re-ejecuta los cuadernos del proyecto que entregaron los estudiantes, cada uno en un proceso
aparte y sobre una copia en su propia carpeta de trabajo, con un límite de tiempo para el cuaderno
entero, de memoria y de salida. Comprueba los puntos del enunciado con resultados_proyecto.json,
compara las métricas declaradas con las re-ejecutadas y escribe un informe HTML por estudiante y
un resumen de la clase en HTML y CSV.

Códigos de salida: 0 = todas calificadas y sin alertas; 1 = alguna no se pudo calificar o hubo
una alerta de integridad (ver resumen.html); 2 = error en la orden o en las carpetas."""


def _positive_float(text: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"se esperaba un número; se recibió {text!r}") from None


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"se esperaba un número entero; se recibió {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """Construye el analizador de argumentos con la ayuda en español."""
    with _spanish_argparse():
        parser = argparse.ArgumentParser(
            prog="coursekit", add_help=False,
            description="Herramientas de línea de órdenes del curso (coursekit).")
        parser.add_argument("-h", "--help", action="help", help="muestra esta ayuda y termina")
        parser.add_argument("--version", action="version", version=f"coursekit {coursekit.__version__}",
                            help="muestra la versión y termina")
        commands = parser.add_subparsers(dest="command", title="órdenes", metavar="ORDEN")
        grade = commands.add_parser(
            "grade", add_help=False, help="califica una carpeta de proyectos entregados",
            description=GRADE_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
        grade.add_argument("-h", "--help", action="help", help="muestra esta ayuda y termina")
        grade.add_argument("entregas", metavar="ENTREGAS",
                           help="carpeta con un cuaderno .ipynb por estudiante, o con una subcarpeta "
                                "por estudiante (cuaderno y sus datos)")
        grade.add_argument("-o", "--salida", default="calificacion", metavar="CARPETA",
                           help="carpeta nueva para informes y copias de trabajo (por defecto: "
                                "./calificacion)")
        grade.add_argument("-t", "--tiempo", type=_positive_float, default=1800, metavar="SEGUNDOS",
                           help="tiempo máximo para el cuaderno ENTERO, en segundos (por defecto: 1800)")
        grade.add_argument("-m", "--memoria", type=_positive_float, default=8, metavar="GB",
                           help="memoria virtual máxima del núcleo, en GiB; 0 = sin límite, lo que "
                                "hace falta con GPU porque CUDA reserva decenas de GB de espacio "
                                "virtual (por defecto: 8)")
        grade.add_argument("-j", "--trabajadores", type=_integer, default=1, metavar="N",
                           help="cuadernos que se ejecutan a la vez (por defecto: 1)")
        grade.add_argument("--modo", choices=("rapido", "completo"), default="completo",
                           help="modo de los cuadernos: rapido (COURSEKIT_QUICK=1) o completo; para "
                                "comparar números debe ser el mismo con el que se entregaron "
                                "(por defecto: completo)")
        grade.add_argument("--semilla", type=_integer, default=None, metavar="N",
                           help="semilla (COURSEKIT_SEED) para todas las entregas; por defecto, la que "
                                "declara cada entrega en su archivo de resultados, o 42")
        grade.add_argument("--tolerancia", type=_positive_float, default=0.02, metavar="T",
                           help="diferencia admitida entre métricas declaradas y re-ejecutadas: un "
                                "valor coincide si la diferencia absoluta o la relativa es ≤ T "
                                "(por defecto: 0.02)")
        grade.add_argument("--max-salida", type=_positive_float, default=20, metavar="MB",
                           help="megabytes de salidas guardadas por cuaderno; lo demás se descarta "
                                "(por defecto: 20)")
        grade.add_argument("--sobrescribir", action="store_true",
                           help="reemplaza una calificación anterior que esté en la carpeta de salida")
        grade.add_argument("-q", "--silencioso", action="store_true",
                           help="no muestra la barra de progreso")
    return parser


class ProgressBar:
    """Barra de progreso en texto sobre las entregas, en ``stream`` (stderr)."""

    def __init__(self, stream=None, width: int = 30):
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()

    def __call__(self, done: int, total: int, student) -> None:
        filled = round(self.width * done / max(total, 1))
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"Calificando [{bar}] {done}/{total} · {student.submission.student}: {student.label}"
        if self.interactive:
            self.stream.write("\r" + line[:150].ljust(150))
            if done == total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _grade(args) -> int:
    from coursekit.grading import GradeOptions, grade_submissions, write_class_reports

    options = GradeOptions(time_limit=args.tiempo, memory_gb=args.memoria, workers=args.trabajadores,
                           seed=args.semilla, mode="quick" if args.modo == "rapido" else "full",
                           tolerance=args.tolerancia, max_output_mb=args.max_salida,
                           overwrite=args.sobrescribir)
    progress = None if args.silencioso else ProgressBar()
    if progress:
        # La barra solo avanza cuando termina una entrega; esta línea confirma que el lote arrancó.
        print(f"Calificando las entregas de {args.entregas} con {args.trabajadores} trabajador(es), hasta "
              f"{args.tiempo:g} s por cuaderno; la barra avanza al terminar cada entrega.",
              file=progress.stream, flush=True)
    try:
        result = grade_submissions(args.entregas, args.salida, options, progress=progress)
    except (ValueError, TypeError) as error:
        sys.stderr.write(f"coursekit grade: error: {error}\n")
        return 2
    html_path, csv_path = write_class_reports(result)
    graded = sum(1 for s in result.students if s.graded)
    print(f"{graded} de {len(result.students)} entregas calificadas en {result.elapsed:.0f} s.")
    for student in result.students:
        print(f"  {student.submission.student}: {student.label} — {student.detail[:160]}")
    for alert in result.alerts:
        print(f"ALERTA: {alert}")
    print(f"Resumen: {os.path.relpath(html_path)} y {os.path.relpath(csv_path)}")
    return result.exit_code


def main(argv: list[str] | None = None) -> int:
    """Punto de entrada de ``coursekit``; devuelve el código de salida."""
    parser = build_parser()
    with _spanish_argparse():
        args = parser.parse_args(argv)
        if args.command != "grade":
            parser.print_help()
            return 2
    return _grade(args)


if __name__ == "__main__":
    sys.exit(main())
