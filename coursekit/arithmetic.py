"""Aritmética de capas convolucionales y de agrupamiento: tamaño de salida, relleno y traza de formas.

Para una entrada de lado ``I``, un núcleo de lado ``K``, un paso ``S`` y un relleno ``P`` por lado,
el número de posiciones que recorre la ventana es ``(I − K + 2P) / S + 1``. Cuando la división no
es exacta, la última ventana no cabe y se descarta: Keras redondea hacia abajo con ``'valid'`` y,
con ``'same'``, rellena lo justo para que salgan ``ceil(I / S)`` posiciones. Las mismas fórmulas
valen para ``Conv2D`` y para ``MaxPooling2D``/``AveragePooling2D``, por cada eje espacial.

Este módulo no importa TensorFlow: ``shape_trace`` recibe un modelo ya construido.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction

from coursekit._errors import invalid_value

__all__ = [
    "OutputSize",
    "LayerShape",
    "output_size",
    "explain_output_size",
    "same_padding",
    "shape_trace",
    "format_shape_trace",
]

PADDING_MODES = ("valid", "same")


@dataclass(frozen=True)
class OutputSize:
    """Resultado de la fórmula del tamaño de salida, con el detalle para explicarlo.

    Atributos:
        input_size, kernel_size, stride, dilation: los datos de la capa.
        padding: ``"valid"``, ``"same"`` o el relleno explícito por lado (``int``).
        size: tamaño de salida (número de posiciones de la ventana).
        exact: ``True`` si ``(I − K + relleno total) / S`` es entero y ninguna fila queda fuera.
        dropped: píxeles (de la entrada ya rellenada) que quedan tras la última ventana; 0 si exacto.
        pad_before, pad_after: relleno que se añade antes y después en este eje.
    """

    input_size: int
    kernel_size: int
    stride: int
    padding: str | int
    dilation: int
    size: int
    exact: bool
    dropped: int
    pad_before: int
    pad_after: int

    @property
    def effective_kernel(self) -> int:
        """Lado del núcleo dilatado: ``dilation · (K − 1) + 1``."""
        return self.dilation * (self.kernel_size - 1) + 1

    def __str__(self) -> str:
        kernel = self.effective_kernel
        pad_total = self.pad_before + self.pad_after
        lines = []
        if self.dilation > 1:
            lines.append(f"Núcleo efectivo con dilatación {self.dilation}: "
                         f"{self.dilation}·({self.kernel_size} − 1) + 1 = {kernel}.")
        if self.padding == "same":
            lines.append(f"Relleno 'same': salida = ceil({self.input_size} / {self.stride}) = "
                         f"{self.size}; relleno total {pad_total} "
                         f"({self.pad_before} antes y {self.pad_after} después).")
            pad_text = str(pad_total)
        elif self.padding == "valid":
            pad_text = "0"
        else:
            pad_text = f"2·{self.padding}"
        quotient = Fraction(self.input_size - kernel + pad_total, self.stride) + 1
        approximate, quotient_text = _spanish_number(quotient)
        formula = (f"({self.input_size} − {kernel} + {pad_text}) / {self.stride} + 1 "
                   f"{'≈' if approximate else '='} {quotient_text}")
        if self.exact:
            lines.append(f"{formula}: la división es exacta y la salida mide {self.size}.")
        else:
            pixels = "píxel" if self.dropped == 1 else "píxeles"
            verb = "queda" if self.dropped == 1 else "quedan"
            lines.append(f"{formula} → {self.size}: última ventana descartada (no cabe entera); "
                         f"{verb} {self.dropped} {pixels} sin cubrir al final.")
        return "\n".join(lines)


def _spanish_number(value: Fraction) -> tuple[bool, str]:
    """Escribe una fracción con coma decimal y dos decimales como mucho (``54,25``).

    Devuelve ``(aproximado, texto)``: ``aproximado`` es ``True`` si el texto redondea el valor.
    """
    if value.denominator == 1:
        return False, str(value.numerator)
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return Fraction(text) != value, text.replace(".", ",")


def _check_size(name: str, value: object, minimum: int, hint: str) -> int:
    """Comprueba que ``value`` es un entero ≥ ``minimum``.

    Un número no entero (``5.5``, y también ``5.0``) da ``ValueError``; algo que no es un número
    (texto, ``None``, ``True``) da ``TypeError``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise invalid_value(name, value, f"un número entero ≥ {minimum}",
                            f"Pasa un número entero, no un valor de tipo {type(value).__name__}.",
                            error=TypeError)
    if not isinstance(value, numbers.Integral):
        raise invalid_value(name, value, f"un número entero ≥ {minimum}",
                            "Los tamaños son números enteros de píxeles: si vienen de una "
                            "división, usa `//` o `int(...)`.")
    if value < minimum:
        raise invalid_value(name, value, f"un número entero ≥ {minimum}", hint)
    return int(value)


def _check_padding(padding: object) -> str | int:
    """Normaliza ``padding`` a ``"valid"``, ``"same"`` o un entero ≥ 0."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode in PADDING_MODES:
            return mode
        if mode.strip() in PADDING_MODES:
            hint = f"Quita los espacios: padding={mode.strip()!r}."
        elif mode.strip() == "full":
            hint = ("Keras no tiene relleno 'full' en Conv2D; para obtenerlo usa un relleno "
                    "explícito de K − 1 píxeles (padding=K-1).")
        else:
            hint = "Usa 'valid' (sin relleno), 'same' o un entero con el relleno por lado."
        raise invalid_value("padding", padding, "'valid', 'same' o un entero ≥ 0", hint)
    return _check_size("padding", padding, 0,
                       "Usa 'valid', 'same' o un entero ≥ 0 con el relleno por lado.")


def same_padding(input_size: int, kernel_size: int, stride: int = 1,
                 dilation: int = 1) -> tuple[int, int]:
    """Calcula el relleno ``(antes, después)`` que añade ``padding='same'`` en TensorFlow/Keras.

    El relleno total es ``max((ceil(I/S) − 1)·S + K − I, 0)``. La mitad, redondeada hacia abajo,
    va antes y el resto después: con un total impar, el píxel de más va al final.

    Ejemplo::

        >>> same_padding(224, 7, 2)   # ceil(224/2) = 112; total = 111·2 + 7 − 224 = 5
        (2, 3)
        >>> same_padding(5, 3, 2)     # ceil(5/2) = 3; total = 2·2 + 3 − 5 = 2
        (1, 1)
    """
    result = explain_output_size(input_size, kernel_size, stride, "same", dilation)
    return result.pad_before, result.pad_after


def explain_output_size(input_size: int, kernel_size: int, stride: int = 1,
                        padding: str | int = "valid", dilation: int = 1) -> OutputSize:
    """Calcula el tamaño de salida de una capa conv/agrupamiento y explica cómo se obtiene.

    Args:
        input_size: lado de la entrada ``I`` en píxeles.
        kernel_size: lado del núcleo (o de la ventana de agrupamiento) ``K``.
        stride: paso ``S`` (Keras usa por defecto ``S = 1`` en ``Conv2D`` y ``S = K`` en
            ``MaxPooling2D``: aquí hay que darlo siempre de forma explícita si no es 1).
        padding: ``"valid"`` (sin relleno, redondea hacia abajo), ``"same"`` (``ceil(I/S)``, como
            Keras) o un entero ``P`` con el relleno simétrico por lado.
        dilation: dilatación del núcleo (``dilation_rate`` en Keras).

    Returns:
        Un ``OutputSize``; ``str()`` da la cuenta con los números en español.

    Raises:
        ValueError: tamaños ≤ 0, relleno negativo, valores no enteros, modo de relleno desconocido
            o un núcleo que no cabe en la entrada rellenada.
        TypeError: un valor que no es un número (texto, ``None``, ``bool``).

    Ejemplo::

        >>> r = explain_output_size(224, 11, 4)   # AlexNet conv1 con entrada 224
        >>> r.size, r.exact, r.dropped            # (224 − 11) / 4 + 1 = 54,25
        (54, False, 1)
        >>> print(explain_output_size(32, 5))     # LeNet C1
        (32 − 5 + 0) / 1 + 1 = 28: la división es exacta y la salida mide 28.
    """
    size_hint = "Usa un tamaño de al menos 1 píxel."
    input_size = _check_size("input_size", input_size, 1, size_hint)
    kernel_size = _check_size("kernel_size", kernel_size, 1, "El núcleo mide al menos 1×1.")
    stride = _check_size("stride", stride, 1,
                         "El paso es cuántos píxeles avanza la ventana: al menos 1.")
    dilation = _check_size("dilation", dilation, 1, "Sin dilatación es 1.")
    mode = _check_padding(padding)
    kernel = dilation * (kernel_size - 1) + 1

    if mode == "same":
        size = -(-input_size // stride)
        pad_total = max((size - 1) * stride + kernel - input_size, 0)
        pad_before = pad_total // 2
    else:
        pad_before = 0 if mode == "valid" else mode
        pad_total = 2 * pad_before
        if kernel > input_size + pad_total:
            raise _kernel_too_large(input_size, kernel_size, kernel, pad_before)
    span = input_size + pad_total - kernel
    size = span // stride + 1
    dropped = span % stride
    return OutputSize(input_size=input_size, kernel_size=kernel_size, stride=stride,
                      padding=mode, dilation=dilation, size=size, exact=dropped == 0,
                      dropped=dropped, pad_before=pad_before,
                      pad_after=pad_total - pad_before)


def _kernel_too_large(input_size: int, kernel_size: int, kernel: int, pad: int) -> ValueError:
    """Construye el error de un núcleo mayor que la entrada rellenada, con las tres salidas."""
    padded = input_size + 2 * pad
    where = f"la entrada de {input_size}" if pad == 0 else f"la entrada rellenada de {padded}"
    dilated = "" if kernel == kernel_size else f" (dilatado: {kernel})"
    return invalid_value(
        "kernel_size", kernel_size,
        f"un núcleo{dilated} que quepa en {where} píxeles",
        f"Usa un núcleo de como mucho {padded}, padding='same', un relleno de al menos "
        f"{math.ceil((kernel - input_size) / 2)} por lado "
        f"o una entrada de al menos {kernel - 2 * pad} píxeles.")


def output_size(input_size: int, kernel_size: int, stride: int = 1,
                padding: str | int = "valid", dilation: int = 1) -> int:
    """Devuelve el tamaño de salida de una capa conv o de agrupamiento en un eje.

    Misma entrada y mismos errores que ``explain_output_size``; solo devuelve el entero.

    Ejemplo::

        >>> output_size(32, 5)                    # LeNet C1: (32 − 5)/1 + 1
        28
        >>> output_size(28, 2, stride=2)          # LeNet S2: (28 − 2)/2 + 1
        14
        >>> output_size(5, 2, 2), output_size(5, 2, 2, "same")   # floor(1,5)+1 y ceil(2,5)
        (2, 3)
        >>> output_size(32, 5, padding=2)         # (32 − 5 + 2·2)/1 + 1
        32
    """
    return explain_output_size(input_size, kernel_size, stride, padding, dilation).size


@dataclass(frozen=True)
class LayerShape:
    """Una fila de la traza de formas: capa, tipo, forma de salida sin el lote y parámetros."""

    name: str
    layer_type: str
    output_shape: tuple
    params: int


def _shape_of(tensor) -> tuple:
    """Devuelve la forma sin el eje del lote (o una tupla de formas si hay varias salidas)."""
    if isinstance(tensor, (list, tuple)):
        return tuple(_shape_of(t) for t in tensor)
    if isinstance(tensor, dict):
        return tuple(_shape_of(t) for _, t in sorted(tensor.items()))
    return tuple(tensor.shape[1:])


def shape_trace(model) -> list[LayerShape]:
    """Recorre un modelo Keras 3 construido y devuelve la forma de salida de cada capa.

    Sirve para ``Sequential`` y modelos funcionales. Las capas anidadas (un submodelo usado como
    capa) aparecen como una sola fila con la salida del submodelo. Las entradas aparecen como filas
    ``InputLayer`` con 0 parámetros. Una capa compartida (llamada varias veces) muestra la salida
    de su primera llamada.

    Raises:
        TypeError: si ``model`` no es un modelo Keras, o es una subclase de ``keras.Model`` (no
            guarda el grafo de capas).
        ValueError: si el modelo aún no está construido (sin ``keras.Input`` ni ``build``).

    Ejemplo (requiere Keras)::

        >>> import keras
        >>> m = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Conv2D(6, 5, name="C1")])
        >>> [(r.name, r.output_shape, r.params) for r in shape_trace(m)][1:]
        [('C1', (28, 28, 6), 156)]
    """
    if not (hasattr(model, "layers") and hasattr(model, "count_params")):
        raise invalid_value("model", model, "un modelo Keras (keras.Model o keras.Sequential)",
                            "Pasa el modelo, no una capa ni su resumen.", error=TypeError)
    if getattr(model, "built", False) and not hasattr(model, "inputs"):
        raise invalid_value("model", model, "un modelo Sequential o funcional",
                            "Un modelo subclase de keras.Model no guarda el grafo de capas: "
                            "usa `model.summary()` o escríbelo con la API funcional.",
                            error=TypeError)
    if not getattr(model, "built", False) or not getattr(model, "inputs", None):
        raise invalid_value("model", model, "un modelo construido",
                            "Empieza el modelo con `keras.Input(shape=...)` o llama antes a "
                            "`model.build((None, alto, ancho, canales))`.")
    rows = []
    if not any(type(layer).__name__ == "InputLayer" for layer in model.layers):
        # Sequential oculta su InputLayer en `layers`; la recuperamos del historial del tensor.
        for tensor in model.inputs:
            history = getattr(tensor, "_keras_history", None)
            name = history[0].name if history else "entrada"
            rows.append(LayerShape(name, "InputLayer", _shape_of(tensor), 0))
    for layer in model.layers:
        try:
            output = layer.output
        except AttributeError as error:
            raise invalid_value("model", model, "un modelo con todas sus capas llamadas",
                                f"La capa {layer.name!r} no tiene salida ({error}).") from error
        rows.append(LayerShape(layer.name, type(layer).__name__, _shape_of(output),
                               int(layer.count_params())))
    return rows


def _format_shape(shape: tuple) -> str:
    """Escribe ``(28, 28, 6)`` como ``28×28×6``; ``None`` como ``?``; varias salidas con comas."""
    if shape and isinstance(shape[0], tuple):
        return ", ".join(_format_shape(s) for s in shape)
    if not shape:
        return "escalar"
    return "×".join("?" if dim is None else str(dim) for dim in shape)


def _thousands(number: int) -> str:
    """Separa los miles con un espacio, como se escribe en español (61 706)."""
    return f"{number:,}".replace(",", " ")


def format_shape_trace(model_or_rows) -> str:
    """Devuelve la traza de formas como una tabla de ancho fijo, con una fila de total.

    Acepta un modelo (se llama a ``shape_trace``) o la lista de filas ya calculada. El texto solo
    depende de los nombres, formas y parámetros, así que se repite igual en cada ejecución si los
    nombres de las capas se repiten. Los nombres automáticos de Keras (``conv2d_3``) dependen de
    cuántas capas se crearon antes en la sesión, así que un cuaderno comprobado con nbval debe
    dar ``name=`` a cada capa y a ``keras.Input``.

    Ejemplo::

        >>> rows = [LayerShape("C1", "Conv2D", (28, 28, 6), 156),
        ...         LayerShape("S2", "AveragePooling2D", (14, 14, 6), 0)]
        >>> print(format_shape_trace(rows))
        Capa | Tipo             | Salida  | Parámetros
        -----+------------------+---------+-----------
        C1   | Conv2D           | 28×28×6 |        156
        S2   | AveragePooling2D | 14×14×6 |          0
        -----+------------------+---------+-----------
        Total                                      156
    """
    rows = model_or_rows
    if not isinstance(rows, (list, tuple)):
        rows = shape_trace(rows)
    elif not all(isinstance(row, LayerShape) for row in rows):
        raise invalid_value("model_or_rows", model_or_rows,
                            "un modelo Keras o la lista que devuelve `shape_trace`",
                            error=TypeError)
    header = ("Capa", "Tipo", "Salida", "Parámetros")
    table = [(r.name, r.layer_type, _format_shape(r.output_shape), _thousands(r.params))
             for r in rows]
    widths = [max(len(cells[i]) for cells in [header, *table]) for i in range(4)]

    def line(cells) -> str:
        left = [cell.ljust(width) for cell, width in zip(cells[:3], widths)]
        return " | ".join([*left, cells[3].rjust(widths[3])]).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    total = _thousands(sum(r.params for r in rows))
    full_width = len(rule)
    lines = [line(header), rule, *(line(cells) for cells in table), rule,
             "Total" + total.rjust(full_width - len("Total"))]
    return "\n".join(lines)
