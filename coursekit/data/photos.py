"""Fotos reales que trae scikit-image dentro de su paquete, sin ninguna descarga.

``skimage.data`` descarga algunas imágenes con ``pooch`` la primera vez que se piden. Aquí solo
se usan ficheros que ya vienen instalados en la carpeta de ``skimage.data`` y se leen
directamente con Pillow, de modo que nunca se intenta una descarga. :func:`available_photos`
comprueba cuáles están presentes.
"""

from __future__ import annotations

import os

import numpy as np

from coursekit._errors import check_choice, invalid_value

# Nombre → (fichero dentro de skimage/data, descripción en español).
PHOTOS = {
    "astronaut": ("astronaut.png", "la astronauta Eileen Collins (NASA)"),
    "chelsea": ("chelsea.png", "la gata Chelsea"),
    "coffee": ("coffee.png", "una taza de café"),
    "rocket": ("rocket.jpg", "el lanzamiento de un cohete (NASA)"),
    "camera": ("camera.png", "el cámara, imagen clásica en gris"),
    "coins": ("coins.png", "monedas griegas sobre fondo oscuro, en gris"),
}
DEFAULT_PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")


def _skimage_data_dir() -> str:
    import skimage.data

    return os.path.dirname(skimage.data.__file__)


def available_photos() -> list[str]:
    """Devuelve los nombres de :data:`PHOTOS` cuyo fichero está instalado con scikit-image."""
    folder = _skimage_data_dir()
    return [name for name, (filename, _) in PHOTOS.items()
            if os.path.exists(os.path.join(folder, filename))]


def _check_size(size):
    if (not isinstance(size, (tuple, list)) or len(size) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 8 for v in size)):
        raise invalid_value("size", size, "un par (alto, ancho) de enteros ≥ 8",
                            "Por ejemplo `size=(150, 150)`.")
    return tuple(size)


def load_photo(name: str, size=(150, 150), rgb: bool = True) -> np.ndarray:
    """Carga una foto de scikit-image, recortada al cuadrado central y redimensionada.

    Args:
        name: una clave de :data:`PHOTOS` (``"astronaut"``, ``"chelsea"``...).
        size: ``(alto, ancho)`` de salida en píxeles, o ``None`` para el tamaño original sin recorte.
        rgb: con ``True`` devuelve tres canales (las fotos en gris se repiten); con ``False``, un
            canal de gris.

    Returns:
        Array float32 (alto, ancho, 3), o (alto, ancho, 1) con ``rgb=False``, con valores en [0, 1].
    """
    from PIL import Image

    check_choice("name", name, tuple(PHOTOS))
    path = os.path.join(_skimage_data_dir(), PHOTOS[name][0])
    if not os.path.exists(path):
        raise invalid_value("name", name, f"una de las fotos instaladas: {', '.join(available_photos())}",
                            "Esta versión de scikit-image no trae ese fichero; elige otra foto.")
    with Image.open(path) as opened:
        image = opened.convert("RGB" if rgb else "L")
    if size is not None:
        height, width = _check_size(size)
        side = min(image.size)
        left = (image.size[0] - side) // 2
        top = (image.size[1] - side) // 2
        image = image.crop((left, top, left + side, top + side))
        image = image.resize((width, height), Image.BILINEAR)
    array = np.asarray(image, dtype=np.float32) / 255.0
    if array.ndim == 2:
        array = array[..., None]
    return array


def load_photos(names=DEFAULT_PHOTOS, size=(150, 150)) -> np.ndarray:
    """Carga varias fotos RGB del mismo tamaño como un lote float32 (N, alto, ancho, 3) en [0, 1]."""
    if isinstance(names, str):
        raise invalid_value("names", names, "una lista de nombres", f"Usa `[{names!r}]`.", error=TypeError)
    return np.stack([load_photo(name, size) for name in names])


def coins_segmentation(size=(128, 128)):
    """Crea una imagen real con su máscara de tres clases a partir de la foto de monedas.

    La máscara sale de una segmentación por cuencas (*watershed*) sobre el gradiente de Sobel, con
    marcadores de fondo (gris < 30 de 255) y de moneda (gris > 150), y relleno de huecos. Las
    monedas se reparten en dos clases por su área: 0 = fondo, 1 = moneda pequeña, 2 = moneda grande
    (área mayor que la mediana). Sirve para mostrar que interpolar la máscara bilinealmente
    inventa un borde de clase 1 alrededor de las monedas grandes.

    Returns:
        ``(image, mask)``: imagen float32 (alto, ancho, 3) en [0, 1] y máscara int32 (alto, ancho).
    """
    from PIL import Image
    from scipy import ndimage
    from skimage import filters, measure, segmentation

    height, width = _check_size(size)
    gray = load_photo("coins", size=None, rgb=False)[..., 0]
    markers = np.zeros(gray.shape, dtype=np.int32)
    markers[gray < 30 / 255] = 1
    markers[gray > 150 / 255] = 2
    regions = segmentation.watershed(filters.sobel(gray), markers)
    labels = measure.label(ndimage.binary_fill_holes(regions == 2))
    areas = np.bincount(labels.ravel())[1:]
    # Las manchas de menos de 200 píxeles son restos de la segmentación, no monedas.
    coin_areas = areas[areas >= 200]
    median_area = np.median(coin_areas)
    mask = np.zeros(labels.shape, dtype=np.int32)
    for region, area in enumerate(areas, start=1):
        if area >= 200:
            mask[labels == region] = 2 if area > median_area else 1
    image = Image.fromarray((gray * 255).astype(np.uint8)).resize((width, height), Image.BILINEAR)
    mask_small = Image.fromarray(mask.astype(np.uint8)).resize((width, height), Image.NEAREST)
    rgb = np.repeat(np.asarray(image, dtype=np.float32)[..., None] / 255.0, 3, axis=-1)
    return rgb, np.asarray(mask_small, dtype=np.int32)
