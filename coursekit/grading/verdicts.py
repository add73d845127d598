"""Veredictos de ``coursekit grade``: un código en inglés, una etiqueta y una explicación en español.

Cada entrega recibe exactamente un veredicto. Los cuatro primeros significan que el cuaderno se
ejecutó entero y se pudo comprobar la rúbrica («calificada»). El resto significa que algo impidió
calificarla y que una persona debe mirarla. El resumen de la clase cuenta los veredictos en el orden
de :data:`VERDICTS`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VerdictInfo:
    """Etiqueta corta y explicación general de un veredicto."""

    code: str
    label: str
    explanation: str
    graded: bool


VERDICTS = {info.code: info for info in (
    VerdictInfo("complete", "Completo",
                "El cuaderno se ejecutó entero, cumple todos los puntos de la rúbrica y sus números "
                "se reproducen dentro de la tolerancia.", True),
    VerdictInfo("review", "Revisar a mano",
                "El cuaderno se ejecutó entero y ningún punto falla, pero alguno no se pudo "
                "comprobar automáticamente (el informe dice cuál y por qué).", True),
    VerdictInfo("not_reproduced", "No reproducible",
                "Las métricas que declaró la entrega no coinciden con las de la nueva ejecución "
                "dentro de la tolerancia. Si además falta algún punto de la rúbrica, el detalle lo "
                "dice.", True),
    VerdictInfo("incomplete", "Incompleto",
                "El cuaderno se ejecutó entero, pero falta al menos un punto de la rúbrica.", True),
    VerdictInfo("cell_error", "Error en una celda",
                "Una celda lanzó una excepción y la ejecución se detuvo ahí.", False),
    VerdictInfo("timeout", "Tiempo agotado",
                "El cuaderno no terminó dentro del tiempo total asignado y se detuvo.", False),
    VerdictInfo("memory", "Memoria agotada",
                "El cuaderno superó el límite de memoria y la ejecución se detuvo.", False),
    VerdictInfo("kernel_died", "Núcleo caído",
                "El proceso del núcleo de Python terminó de forma inesperada (o no llegó a arrancar).",
                False),
    VerdictInfo("outside_write", "Escritura fuera de su carpeta",
                "El cuaderno intentó modificar archivos de otras entregas o del informe del "
                "calificador; se bloqueó o se detectó.", False),
    VerdictInfo("kernel_unknown", "Núcleo desconocido",
                "El cuaderno no declara núcleo, o declara uno que no está instalado y no es de "
                "Python.", False),
    VerdictInfo("invalid_json", "JSON no válido",
                "El archivo .ipynb no es JSON válido (suele deberse a un archivo truncado o editado "
                "a mano).", False),
    VerdictInfo("not_notebook", "No es un cuaderno",
                "El archivo no tiene la estructura de un cuaderno de Jupyter.", False),
    VerdictInfo("no_notebook", "Sin cuaderno",
                "La carpeta de la entrega no contiene exactamente un cuaderno .ipynb.", False),
    VerdictInfo("grader_error", "Error del calificador",
                "El propio calificador falló con esta entrega; el informe incluye la traza.", False),
)}


def verdict_info(code: str) -> VerdictInfo:
    """Devuelve la :class:`VerdictInfo` de ``code`` (``KeyError`` si no existe)."""
    return VERDICTS[code]
