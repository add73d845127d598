"""Calculadora del tamaño de salida de una capa conv o de agrupamiento, contrastada con Keras.

``calculate`` aplica la fórmula de ``coursekit.arithmetic`` y, en la misma llamada, construye la
capa Keras real sobre una imagen de ceros para medir su salida: si alguna vez no coincidieran, se
vería en el resultado. ``conv_calculator`` es el control interactivo que la envuelve.
"""

from __future__ import annotations

from dataclasses import dataclass

from coursekit._errors import invalid_value
from coursekit.arithmetic import OutputSize, _check_padding, explain_output_size

__all__ = ["CalculatorResult", "calculate", "conv_calculator"]

LAYER_TYPES = {
    "conv": "convolución (Conv2D)",
    "pool": "agrupamiento máximo (MaxPooling2D)",
}
PADDING_CHOICES = [("valid (sin relleno)", "valid"), ("same", "same"), ("explícito (P)", "explicit")]


@dataclass(frozen=True)
class CalculatorResult:
    """Tamaño de salida según la fórmula y según la capa Keras construida con los mismos datos.

    Atributos:
        formula: el ``OutputSize`` de la fórmula (con su explicación en ``str()``).
        keras_size: lado de la salida que produjo Keras.
        keras_layer: descripción de la capa (o capas) Keras que se construyeron.
        layer: ``"conv"`` o ``"pool"``.
    """

    formula: OutputSize
    keras_size: int
    keras_layer: str
    layer: str

    @property
    def size(self) -> int:
        """Tamaño de salida según la fórmula."""
        return self.formula.size

    @property
    def agree(self) -> bool:
        """``True`` si la fórmula y Keras dan el mismo tamaño."""
        return self.formula.size == self.keras_size

    def __str__(self) -> str:
        if self.agree:
            verdict = "✔ La fórmula y Keras coinciden."
        else:
            verdict = f"✘ La fórmula ({self.size}) y Keras ({self.keras_size}) no coinciden."
        return "\n".join([
            f"Capa: {LAYER_TYPES[self.layer]}",
            str(self.formula),
            f"Fórmula: {self.size}×{self.size}",
            f"Keras, {self.keras_layer}: {self.keras_size}×{self.keras_size}",
            verdict,
        ])


def _build_and_measure(result: OutputSize, layer: str) -> tuple[int, str]:
    """Construye la capa Keras equivalente, la aplica a ceros ``(1, I, I, 1)`` y mide la salida."""
    import keras
    import numpy as np

    images = np.zeros((1, result.input_size, result.input_size, 1), dtype="float32")
    steps = []
    mode = result.padding
    if isinstance(mode, int):
        if mode > 0:
            images = keras.layers.ZeroPadding2D(mode)(images)
            steps.append(f"ZeroPadding2D({mode})")
        mode = "valid"
    if layer == "conv":
        keras_layer = keras.layers.Conv2D(1, result.kernel_size, strides=result.stride,
                                          padding=mode, dilation_rate=result.dilation)
        steps.append(f"Conv2D(1, {result.kernel_size}, strides={result.stride}, "
                     f"padding={mode!r})")
    else:
        keras_layer = keras.layers.MaxPooling2D(result.kernel_size, strides=result.stride,
                                                padding=mode)
        steps.append(f"MaxPooling2D({result.kernel_size}, strides={result.stride}, "
                     f"padding={mode!r})")
    output = keras_layer(images)
    height, width = int(output.shape[1]), int(output.shape[2])
    if height != width:
        raise RuntimeError(f"Keras devolvió una salida no cuadrada ({height}×{width}).")
    return height, " → ".join(steps)


def calculate(input_size: int, kernel_size: int, stride: int = 1, padding: str | int = "valid",
              layer: str = "conv") -> CalculatorResult:
    """Calcula el lado de salida con la fórmula y con una capa Keras real, y los compara.

    Args:
        input_size, kernel_size, stride, padding: como en ``arithmetic.explain_output_size``
            (``padding`` es ``"valid"``, ``"same"`` o un entero ``P`` de relleno por lado, que en
            Keras se construye como ``ZeroPadding2D(P)`` seguido de la capa con ``'valid'``).
        layer: ``"conv"`` (``Conv2D`` con un filtro) o ``"pool"`` (``MaxPooling2D``).

    Raises:
        ValueError, TypeError: los mismos errores en español que ``explain_output_size``, antes de
            tocar Keras, y un ``layer`` desconocido.

    Ejemplo (importa TensorFlow)::

        >>> r = calculate(224, 11, 4, "valid")
        >>> r.size, r.keras_size, r.agree, r.formula.dropped
        (54, 54, True, 1)
    """
    if layer not in LAYER_TYPES:
        raise invalid_value("layer", layer, "'conv' o 'pool'",
                            "Usa 'conv' para Conv2D y 'pool' para MaxPooling2D.")
    formula = explain_output_size(input_size, kernel_size, stride, padding)
    keras_size, description = _build_and_measure(formula, layer)
    return CalculatorResult(formula=formula, keras_size=keras_size, keras_layer=description,
                            layer=layer)


def _render(text: str, ok: bool) -> str:
    import html

    color = "#1a7f37" if ok else "#b42318"
    return (f'<pre style="color:{color}; font-size:1.05em; white-space:pre-wrap">'
            f"{html.escape(text)}</pre>")


def conv_calculator(input_size: int = 32, kernel_size: int = 5, stride: int = 1,
                    padding: str | int = "valid", layer: str = "conv"):
    """Crea el control interactivo: deslizadores de I, K, S y P, modo de relleno y tipo de capa.

    Cada cambio llama a ``calculate`` y muestra la cuenta, el resultado de la fórmula, el de Keras
    y si coinciden. Una combinación imposible (p. ej. K > I con 'valid') muestra el mensaje de
    error en español en lugar de una traza. El deslizador de P solo se activa con relleno explícito.
    """
    import ipywidgets as widgets

    style = {"description_width": "initial"}
    layout = widgets.Layout(width="420px")
    padding = _check_padding(padding)
    explicit = isinstance(padding, int)
    sliders = {
        "input_size": widgets.IntSlider(value=input_size, min=1, max=256,
                                        description="Entrada I (píxeles)", style=style,
                                        layout=layout),
        "kernel_size": widgets.IntSlider(value=kernel_size, min=1, max=15,
                                         description="Núcleo K", style=style, layout=layout),
        "stride": widgets.IntSlider(value=stride, min=1, max=8, description="Paso S",
                                    style=style, layout=layout),
        "pad": widgets.IntSlider(value=padding if explicit else 0, min=0, max=10,
                                 description="Relleno P por lado", style=style, layout=layout),
    }
    mode = widgets.Dropdown(options=PADDING_CHOICES, value="explicit" if explicit else padding,
                            description="Modo de relleno", style=style, layout=layout)
    layer_choice = widgets.Dropdown(options=[(label, key) for key, label in LAYER_TYPES.items()],
                                    value=layer, description="Tipo de capa", style=style,
                                    layout=layout)
    output = widgets.HTML()

    def update(_change=None) -> None:
        sliders["pad"].disabled = mode.value != "explicit"
        chosen = sliders["pad"].value if mode.value == "explicit" else mode.value
        try:
            result = calculate(sliders["input_size"].value, sliders["kernel_size"].value,
                               sliders["stride"].value, chosen, layer_choice.value)
        except (ValueError, TypeError) as error:
            output.value = _render(f"⚠ {error}", ok=False)
            return
        output.value = _render(str(result), ok=result.agree)

    for control in [*sliders.values(), mode, layer_choice]:
        control.observe(update, names="value")
    update()
    title = widgets.HTML("<b>Calculadora: (I − K + 2P) / S + 1</b>")
    return widgets.VBox([title, *sliders.values(), mode, layer_choice, output])
