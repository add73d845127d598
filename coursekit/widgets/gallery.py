"""Galería interactiva del aumento de datos: una técnica con su intensidad y semilla, o varias juntas.

Los controles solo envuelven :func:`technique_examples` y :func:`combined_examples`, que son
funciones puras (misma entrada y semilla, misma salida) y se prueban por separado.
"""

from __future__ import annotations

import numpy as np

from coursekit._errors import check_choice, check_positive_int, invalid_value

# Nombre en español → (campo de AugmentConfig, mínimo, máximo, paso, valor inicial, unidad).
TECHNIQUES = {
    "volteo horizontal": ("horizontal_flip", 0, 1, 1, 1, "apagado/encendido"),
    "volteo vertical": ("vertical_flip", 0, 1, 1, 1, "apagado/encendido"),
    "rotación": ("rotation_degrees", 0.0, 180.0, 5.0, 30.0, "grados"),
    "zoom": ("zoom", 0.0, 0.9, 0.05, 0.3, "fracción del lado"),
    "desplazamiento": ("shift", 0.0, 0.5, 0.05, 0.2, "fracción del lado"),
    "sesgo (shear)": ("shear_degrees", 0.0, 60.0, 5.0, 20.0, "grados"),
    "brillo": ("brightness", 0.0, 1.0, 0.05, 0.3, "fracción del rango"),
    "recorte": ("crop", 0.0, 0.8, 0.05, 0.3, "fracción del lado recortada"),
    "ruido gaussiano": ("noise_std", 0.0, 0.5, 0.01, 0.08, "desviación, fracción del rango"),
    "tono": ("hue_degrees", 0.0, 180.0, 5.0, 40.0, "grados del círculo de color"),
    "saturación": ("saturation", 0.0, 1.0, 0.05, 0.6, "fracción"),
    "contraste": ("contrast", 0.0, 1.0, 0.05, 0.5, "fracción"),
    "cutout": ("cutout", 0.0, 0.8, 0.05, 0.3, "lado del cuadrado, fracción"),
}

COMBINED_FIELDS = ("rotation_degrees", "zoom", "shift", "shear_degrees", "brightness", "contrast")


def _check_image(image):
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3:
        raise invalid_value("image", image, "una imagen (alto, ancho, canales)",
                            "Para una imagen en gris (H, W) usa `x[..., None]`.")
    return image


def technique_config(technique: str, strength, base=None):
    """Devuelve el :class:`AugmentConfig` de una sola técnica con la intensidad dada."""
    from coursekit.augment import AugmentConfig

    check_choice("technique", technique, tuple(TECHNIQUES))
    field = TECHNIQUES[technique][0]
    value = bool(strength) if field.endswith("flip") else float(strength)
    return (base or AugmentConfig()).replace(**{field: value})


def technique_examples(image, technique: str, strength, seed=0, count=5) -> np.ndarray:
    """Aplica una técnica ``count`` veces a una imagen y devuelve (count, alto, ancho, canales)."""
    from coursekit.augment import augment_batch

    image = _check_image(image)
    count = check_positive_int("count", count)
    config = technique_config(technique, strength)
    return augment_batch(np.repeat(image[None], count, axis=0), config, seed=seed)


def combined_examples(image, seed=0, count=5, horizontal_flip=True, **strengths) -> np.ndarray:
    """Aplica varias técnicas a la vez (campos de :class:`AugmentConfig`) ``count`` veces."""
    from coursekit.augment import AugmentConfig, augment_batch

    image = _check_image(image)
    count = check_positive_int("count", count)
    config = AugmentConfig(horizontal_flip=horizontal_flip, **strengths)
    return augment_batch(np.repeat(image[None], count, axis=0), config, seed=seed)


def _render(picture, figure_factory):
    """Dibuja la figura como PNG en el control ``picture`` (``widgets.Image``) y la cierra.

    No se usa un ``widgets.Output`` con ``clear_output(wait=True)``: dibujar en él mientras la celda
    aún se ejecuta dejaba colgado a ``jupyter execute`` con la CPU cargada (nbclient esperaba para
    siempre un mensaje del núcleo).
    """
    import io

    import matplotlib.pyplot as plt

    figure = figure_factory()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    picture.value = buffer.getvalue()


def technique_gallery(images: dict, count=5):
    """Control con foto, técnica, intensidad y semilla; dibuja la original y ``count`` versiones.

    Args:
        images: ``{nombre: imagen (alto, ancho, canales) en [0, 1]}``.
    """
    import ipywidgets as widgets

    from coursekit.plots.grids import show_before_after

    if not images:
        raise invalid_value("images", images, "un diccionario {nombre: imagen} no vacío")
    photo = widgets.Dropdown(options=list(images), description="Imagen")
    technique = widgets.Dropdown(options=list(TECHNIQUES), value="rotación", description="Técnica")
    strength = widgets.FloatSlider(description="Intensidad", continuous_update=False, readout_format=".2f")
    unit = widgets.Label()
    seed = widgets.IntText(value=0, description="Semilla")
    output = widgets.Image(format="png")

    updating = {"range": False}

    def set_range(*_):
        _, low, high, step, initial, unit_name = TECHNIQUES[technique.value]
        # Mientras se cambian los límites no se redibuja: cada cambio dispararía un dibujo.
        updating["range"] = True
        strength.max = max(high, strength.min)
        strength.min, strength.max = low, high
        strength.step, strength.value = step, initial
        unit.value = f"unidad: {unit_name}"
        updating["range"] = False

    def redraw(*_):
        if updating["range"]:
            return
        name = technique.value
        examples = technique_examples(images[photo.value], name, strength.value, seed.value, count)
        _render(output, lambda: show_before_after(images[photo.value], examples,
                                                   suptitle=f"{name}: intensidad {strength.value:g}"))

    technique.observe(set_range, "value")
    for control in (photo, technique, strength, seed):
        control.observe(redraw, "value")
    set_range()
    redraw()
    controls = widgets.HBox([widgets.VBox([photo, technique]), widgets.VBox([strength, unit, seed])])
    return widgets.VBox([controls, output])


def combined_gallery(image, count=5):
    """Control con un deslizador por técnica geométrica o de brillo y una semilla; aplica todas juntas."""
    import ipywidgets as widgets

    from coursekit.plots.grids import show_before_after

    image = _check_image(image)
    labels = {field: name for name, (field, *_) in TECHNIQUES.items()}
    sliders = {}
    for field in COMBINED_FIELDS:
        _, low, high, step, initial, _ = TECHNIQUES[labels[field]]
        sliders[field] = widgets.FloatSlider(value=initial / 2, min=low, max=high, step=step,
                                             description=labels[field], continuous_update=False,
                                             style={"description_width": "110px"})
    seed = widgets.IntText(value=0, description="Semilla")
    output = widgets.Image(format="png")

    def redraw(*_):
        strengths = {field: slider.value for field, slider in sliders.items()}
        examples = combined_examples(image, seed.value, count, **strengths)
        _render(output, lambda: show_before_after(image, examples, suptitle="Técnicas combinadas"))

    for control in (*sliders.values(), seed):
        control.observe(redraw, "value")
    redraw()
    return widgets.VBox([widgets.HBox([widgets.VBox(list(sliders.values())[:3]),
                                       widgets.VBox(list(sliders.values())[3:] + [seed])]), output])
