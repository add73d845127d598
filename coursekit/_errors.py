"""Mensajes de error y avisos comunes a todo coursekit.

Todos los ``ValueError`` y ``TypeError`` que ve un estudiante se construyen aquí, para que el
formato no varíe entre módulos: qué parámetro falla, qué se esperaba, qué valor llegó y cómo
arreglarlo.
"""

from __future__ import annotations

import reprlib

_repr = reprlib.Repr()
_repr.maxstring = 80
_repr.maxother = 80
_repr.maxlist = 8
_repr.maxtuple = 8


class CourseKitWarning(UserWarning):
    """Aviso base de coursekit; cada módulo define subclases para sus casos (p. ej. Dice indefinido)."""


def describe(value: object) -> str:
    """Devuelve una representación corta de ``value`` para los mensajes (recorta listas y arrays)."""
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        # tf.DType y np.dtype tienen `name` ("float32"); su repr sería "<dtype: 'float32'>".
        kind = "texto" if getattr(dtype, "kind", "") in ("U", "S") else getattr(dtype, "name", dtype)
        return f"array de forma {tuple(shape)} y tipo {kind}"
    return _repr.repr(value)


def invalid_value(name: str, value: object, expected: str, hint: str = "",
                  error: type[Exception] = ValueError) -> Exception:
    """Construye el error estándar de coursekit para un valor no válido.

    Devuelve la excepción (no la lanza) para que quien llama escriba ``raise invalid_value(...)``
    y la traza apunte a su línea.

    Ejemplo::

        >>> str(invalid_value("kernel_size", 0, "un entero positivo", "Usa 3 o 5."))
        '`kernel_size` no es válido: se esperaba un entero positivo; se recibió 0. Usa 3 o 5.'
    """
    message = f"`{name}` no es válido: se esperaba {expected}; se recibió {describe(value)}."
    if hint:
        message += f" {hint}"
    return error(message)


def check_positive_int(name: str, value: object, minimum: int = 1, hint: str = "") -> int:
    """Comprueba que ``value`` es un entero ``>= minimum`` (no bool, no float) y lo devuelve."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise invalid_value(name, value, f"un número entero ≥ {minimum}", hint, error=TypeError)
    if value < minimum:
        raise invalid_value(name, value, f"un número entero ≥ {minimum}", hint)
    return int(value)


def check_choice(name: str, value: object, choices) -> object:
    """Comprueba que ``value`` está entre ``choices`` y lo devuelve."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise invalid_value(name, value, f"uno de {options}")
    return value
