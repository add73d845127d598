"""Núcleos celulares en fluorescencia (2018 Data Science Bowl) para entrenar una U-Net sin red.

El archivo ``data/nuclei_dsb2018.npz`` guarda una imagen real de 512×512 píxeles (uint8) y su máscara
de instancias (uint16: 0 = fondo, 1..125 = un núcleo cada uno), tomadas del paquete ``stardist``
0.9.2; ``data/README.md`` da su origen y licencia y ``data/build_nuclei.py`` lo reconstruye.

Flujo típico: :func:`load_nuclei` → :func:`instances_to_classes` (fondo / núcleo y, si se pide, una
tercera clase «borde» que separa núcleos que se tocan) → :func:`split_regions` (una zona de
entrenamiento y otra reservada, sin píxeles en común) → :func:`extract_patches` (teselas para
entrenar). :func:`load_nuclei_dataset` encadena los cuatro pasos. Nada aquí importa TensorFlow.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from coursekit._errors import check_choice, check_positive_int, invalid_value
from coursekit.data.paths import data_dir

NUCLEI_FILE = "nuclei_dsb2018.npz"
CLASS_NAMES = ("fondo", "núcleo", "borde")
SIDES = ("right", "left", "bottom", "top")


def load_nuclei() -> tuple[np.ndarray, np.ndarray]:
    """Carga la imagen de núcleos y su máscara de instancias desde ``data/``.

    Returns:
        ``(image, instances)``: ``image`` de forma (512, 512) y tipo uint8 (valores 0–235);
        ``instances`` de forma (512, 512) y tipo uint16, con 0 para el fondo y 1..125 por núcleo.
    """
    with np.load(data_dir() / NUCLEI_FILE) as archive:
        return archive["image"], archive["instances"]


def _check_2d(name: str, array) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim != 2:
        raise invalid_value(name, array, "una imagen 2-D (alto, ancho) o (alto, ancho, 1)",
                            "Pasa una sola imagen, no un lote.")
    return array


def instances_to_classes(instances, border: bool = False, border_width: int = 1) -> np.ndarray:
    """Convierte una máscara de instancias en un mapa de clases (uint8).

    Clases: 0 = fondo, 1 = núcleo y, con ``border=True``, 2 = borde. Un píxel de núcleo es de borde
    si a menos de ``border_width`` píxeles (vecindad de 4, repetida) hay un píxel con otra etiqueta,
    ya sea fondo u otro núcleo; el límite de la imagen no cuenta como borde. Así, dos núcleos que se tocan quedan separados por una línea de
    borde y un umbral sobre la clase «núcleo» los cuenta por separado.

    Ejemplo::

        >>> instances_to_classes(np.array([[0, 1, 1, 1, 2, 2, 0]]), border=True)
        array([[0, 2, 1, 2, 2, 2, 0]], dtype=uint8)
    """
    instances = _check_2d("instances", instances)
    if not np.issubdtype(instances.dtype, np.integer):
        raise invalid_value("instances", instances, "etiquetas enteras (0 = fondo)",
                            "Una máscara de probabilidades se convierte antes con `np.argmax`.",
                            error=TypeError)
    border_width = check_positive_int("border_width", border_width)
    classes = (instances > 0).astype(np.uint8)
    if not border:
        return classes
    is_border = np.zeros(instances.shape, dtype=bool)
    labels = instances
    for _ in range(border_width):
        padded = np.pad(labels, 1, mode="edge")
        center = padded[1:-1, 1:-1]
        differs = np.zeros(instances.shape, dtype=bool)
        for neighbour in (padded[:-2, 1:-1], padded[2:, 1:-1], padded[1:-1, :-2], padded[1:-1, 2:]):
            differs |= neighbour != center
        is_border |= differs & (instances > 0)
        # Los píxeles ya marcados cuentan como «otra etiqueta» en la siguiente pasada.
        labels = np.where(is_border, -1, instances.astype(np.int64))
    classes[is_border] = 2
    return classes


@dataclass(frozen=True)
class Region:
    """Zona rectangular de la imagen: sus píxeles, su máscara y dónde está (``top``, ``left``)."""

    image: np.ndarray
    mask: np.ndarray
    top: int
    left: int

    @property
    def rows(self) -> range:
        return range(self.top, self.top + self.image.shape[0])

    @property
    def cols(self) -> range:
        return range(self.left, self.left + self.image.shape[1])


def split_regions(image, mask, held_out_fraction: float = 0.25,
                  side: str = "right") -> dict[str, Region]:
    """Divide la imagen en una zona de entrenamiento y una zona reservada, sin píxeles en común.

    La zona reservada es la franja de ``side`` («right», «left», «bottom» o «top») que ocupa
    ``held_out_fraction`` del ancho (o del alto); el resto es de entrenamiento. Separar por zonas,
    y no por teselas al azar, evita que teselas solapadas de la misma zona caigan a los dos lados.
    Los núcleos que cruzan la línea de corte quedan partidos entre las dos zonas.

    Returns:
        ``{"train": Region, "held_out": Region}``.
    """
    image = _check_2d("image", image)
    mask = _check_2d("mask", mask)
    if image.shape != mask.shape:
        raise invalid_value("mask", mask, f"la misma forma que la imagen, {image.shape}",
                            "Comprueba que imagen y máscara son del mismo recorte.")
    check_choice("side", side, SIDES)
    if isinstance(held_out_fraction, bool) or not isinstance(held_out_fraction, numbers.Real) \
            or not 0 < held_out_fraction < 1:
        raise invalid_value("held_out_fraction", held_out_fraction, "un número entre 0 y 1",
                            "Por ejemplo 0.25 para reservar un cuarto de la imagen.")
    axis = 1 if side in ("right", "left") else 0
    length = image.shape[axis]
    held = int(round(length * held_out_fraction))
    if held == 0 or held == length:
        raise invalid_value("held_out_fraction", held_out_fraction,
                            f"una fracción que deje píxeles en las dos zonas ({length} píxeles)")
    cut = length - held if side in ("right", "bottom") else held
    first = np.s_[:, :cut] if axis == 1 else np.s_[:cut, :]
    second = np.s_[:, cut:] if axis == 1 else np.s_[cut:, :]
    origin_second = (0, cut) if axis == 1 else (cut, 0)
    region_first = Region(image[first], mask[first], 0, 0)
    region_second = Region(image[second], mask[second], *origin_second)
    if side in ("right", "bottom"):
        return {"train": region_first, "held_out": region_second}
    return {"train": region_second, "held_out": region_first}


def tile_origins(length: int, size: int, stride: int) -> list[int]:
    """Devuelve los inicios de teselas de lado ``size`` y paso ``stride`` que cubren ``length``.

    La última tesela se ajusta al borde si el paso no encaja exactamente, de modo que ningún píxel
    queda sin cubrir: ``tile_origins(10, 4, 3)`` → ``[0, 3, 6]``; ``tile_origins(11, 4, 3)`` →
    ``[0, 3, 6, 7]``.
    """
    if size > length:
        raise invalid_value("size", size, f"un lado de tesela ≤ {length} (el lado de la zona)",
                            "Usa teselas más pequeñas o una zona mayor.")
    origins = list(range(0, length - size + 1, stride))
    if origins[-1] != length - size:
        origins.append(length - size)
    return origins


def extract_patches(image, mask, size: int = 64, stride: int | None = None):
    """Corta imagen y máscara en teselas cuadradas de lado ``size`` que cubren toda la zona.

    Args:
        image: imagen 2-D de la zona.
        mask: máscara 2-D de la misma forma.
        size: lado de la tesela en píxeles.
        stride: paso entre teselas; por defecto ``size // 2`` (teselas solapadas a la mitad).

    Returns:
        ``(x, y)`` con formas ``(n, size, size, 1)`` y ``(n, size, size)``, del tipo de la entrada.
    """
    image = _check_2d("image", image)
    mask = _check_2d("mask", mask)
    if image.shape != mask.shape:
        raise invalid_value("mask", mask, f"la misma forma que la imagen, {image.shape}")
    size = check_positive_int("size", size)
    stride = check_positive_int("stride", size // 2 if stride is None else stride)
    rows = tile_origins(image.shape[0], size, stride)
    cols = tile_origins(image.shape[1], size, stride)
    x = np.stack([image[r:r + size, c:c + size] for r in rows for c in cols])[..., None]
    y = np.stack([mask[r:r + size, c:c + size] for r in rows for c in cols])
    return x, y


def normalize_image(image, low: float = 1.0, high: float = 99.8, reference=None,
                    clip: bool = True) -> np.ndarray:
    """Reescala las intensidades a float32 con los percentiles ``low`` y ``high`` de ``reference``.

    ``reference`` (por defecto la propia imagen) debe ser la zona de entrenamiento: así la zona
    reservada no influye en el preprocesado. Con ``clip=True`` el resultado se recorta a [0, 1],
    el rango que espera el aumento de datos; los núcleos más brillantes que el percentil ``high``
    quedan saturados a 1.
    """
    image = np.asarray(image, dtype=np.float32)
    reference = image if reference is None else np.asarray(reference, dtype=np.float32)
    lo, hi = np.percentile(reference, [low, high])
    if hi <= lo:
        raise invalid_value("reference", reference, "una imagen con contraste",
                            "La imagen de referencia es constante; revisa el recorte.")
    scaled = ((image - lo) / (hi - lo)).astype(np.float32)
    return np.clip(scaled, 0.0, 1.0) if clip else scaled


def load_nuclei_dataset(patch_size: int = 64, stride: int | None = None,
                        held_out_fraction: float = 0.25, side: str = "right",
                        border: bool = False) -> dict:
    """Carga los núcleos ya listos para entrenar: teselas de entrenamiento y zona reservada.

    Returns:
        Un diccionario con ``x_train`` (float32, ``(n, patch_size, patch_size, 1)``), ``y_train``
        (uint8, clases), ``held_out_image`` (float32, ``(alto, ancho)``), ``held_out_mask`` (uint8),
        ``train_image``, ``train_mask``, las dos :class:`Region` en bruto (``regions``) y
        ``class_names``.
    """
    image, instances = load_nuclei()
    classes = instances_to_classes(instances, border=border)
    regions = split_regions(image, classes, held_out_fraction=held_out_fraction, side=side)
    train, held_out = regions["train"], regions["held_out"]
    train_image = normalize_image(train.image)
    held_out_image = normalize_image(held_out.image, reference=train.image)
    x_train, y_train = extract_patches(train_image, train.mask, patch_size, stride)
    return {
        "x_train": x_train, "y_train": y_train,
        "train_image": train_image, "train_mask": train.mask,
        "held_out_image": held_out_image, "held_out_mask": held_out.mask,
        "regions": regions,
        "class_names": CLASS_NAMES[:3 if border else 2],
    }
