"""Conjuntos de imágenes en una carpeta por clase: revisión, informe, partición y carga.

Un estudiante trae sus imágenes así::

    mis_datos/
        gatos/   foto1.jpg  foto2.png ...
        perros/  ...

Antes de entrenar, :func:`scan_image_folder` abre y decodifica cada fichero una vez. Lo que no se
puede usar (ficheros vacíos, truncados, que no son imágenes, carpetas ocultas, restos de un ``.zip``
de macOS, copias exactas) se omite y queda anotado con el motivo, de modo que un fichero roto nunca
aparece a mitad de una época. :meth:`ImageFolderScan.report` lo resume en español.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coursekit._errors import invalid_value

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".bmp", ".gif", ".tif", ".tiff", ".webp"}
# Formato que Pillow detecta en el contenido → extensiones que lo anuncian correctamente.
FORMAT_EXTENSIONS = {
    "PNG": {".png"}, "JPEG": {".jpg", ".jpeg", ".jpe", ".jfif"}, "BMP": {".bmp"},
    "GIF": {".gif"}, "TIFF": {".tif", ".tiff"}, "WEBP": {".webp"}, "MPO": {".jpg", ".jpeg"},
}
ARCHIVE_EXTENSIONS = {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz"}
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}
DEBRIS_FOLDERS = {"__macosx": "restos de un archivo comprimido en macOS",
                  "__pycache__": "carpeta de caché de Python",
                  ".ipynb_checkpoints": "copias automáticas de Jupyter"}
GRAY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}
MODE_NAMES = {"L": "escala de grises", "1": "blanco y negro (1 bit)", "LA": "grises con transparencia",
              "RGB": "color RGB", "RGBA": "color con transparencia", "P": "paleta de colores",
              "CMYK": "CMYK", "I;16": "grises de 16 bits", "I": "grises de 32 bits", "F": "grises en coma flotante"}
IMBALANCE_WARNING = 1.5
# Con menos imágenes por clase, una partición 70/15/15 deja uno o dos ejemplos en validación y prueba.
FEW_IMAGES = 10


@dataclass(frozen=True)
class SkippedFile:
    """Fichero o carpeta que no entra en el conjunto, con el motivo en español."""

    file: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "reason": self.reason}


@dataclass
class ImageFolderScan:
    """Resultado de revisar una carpeta por clase: qué imágenes se usan y qué se ha omitido.

    ``files`` son rutas relativas a ``root`` con ``/`` como separador, ordenadas; ``labels[i]`` es el
    índice en ``classes`` de ``files[i]``. ``notes`` son avisos sobre ficheros que sí se usan.
    """

    root: Path
    classes: list[str]
    files: list[str]
    labels: np.ndarray
    skipped: list[SkippedFile] = field(default_factory=list)
    notes: list[SkippedFile] = field(default_factory=list)
    sizes: Counter = field(default_factory=Counter)
    modes: Counter = field(default_factory=Counter)

    def counts(self) -> dict[str, int]:
        """Devuelve el número de imágenes válidas por clase."""
        per_class = np.bincount(self.labels, minlength=len(self.classes))
        return {name: int(n) for name, n in zip(self.classes, per_class)}

    def imbalance_ratio(self) -> float:
        """Devuelve cuántas veces tiene la clase mayor las imágenes de la menor (1,0 = equilibrado)."""
        values = list(self.counts().values())
        return max(values) / max(min(values), 1)

    def channels(self) -> int:
        """Devuelve los canales sugeridos: 1 si todas las imágenes son grises, 3 si alguna tiene color."""
        return 1 if all(mode in GRAY_MODES for mode in self.modes) else 3

    def report(self) -> str:
        """Devuelve un informe en español de lo encontrado y lo omitido."""
        counts = self.counts()
        width = max(len(name) for name in self.classes)
        lines = [f"Carpeta: {self.root}", f"Clases encontradas: {len(self.classes)}"]
        lines += [f"  {name:<{width}}  {n:>6} imágenes" for name, n in counts.items()]
        lines.append(f"Total: {len(self.files)} imágenes válidas.")
        ratio = self.imbalance_ratio()
        verdict = ("desequilibrado: valora pesos por clase o aumento de datos en las clases menores"
                   if ratio >= IMBALANCE_WARNING else "equilibrado")
        ratio_text = f"{ratio:.1f}".replace(".", ",")
        lines.append(f"Desequilibrio: la clase mayor tiene {ratio_text} veces las imágenes de la menor "
                     f"({verdict}).")
        lines.append("Tamaños (ancho×alto): " + _describe_sizes(self.sizes))
        modes = ", ".join(f"{MODE_NAMES.get(mode, mode)} ({mode}): {n}" for mode, n in self.modes.most_common())
        lines.append(f"Modos de color: {modes}.")
        if len(self.modes) > 1:
            lines.append("  Hay modos mezclados: al cargar se convierten todas a "
                         f"{'escala de grises' if self.channels() == 1 else 'RGB'} "
                         "(la transparencia se compone sobre fondo blanco).")
        lines.append(f"Canales que se usarán: {self.channels()}.")
        lines.append(f"Omitidos: {len(self.skipped)}." if self.skipped else "Omitidos: ninguno.")
        lines += [f"  - {item.file}: {item.reason}" for item in self.skipped]
        if self.notes:
            lines.append(f"Avisos (se usan igualmente): {len(self.notes)}.")
            lines += [f"  - {item.file}: {item.reason}" for item in self.notes]
        return "\n".join(lines)

    def split(self, fractions=(0.7, 0.15, 0.15), *, seed: int = 0) -> dict[str, list[str]]:
        """Reparte los ficheros en entrenamiento, validación y prueba, estratificado por clase.

        Usa :func:`coursekit.data.stratified_split`: las particiones son disjuntas, suman todos los
        ficheros y la misma semilla da la misma partición. Cada clase necesita al menos una imagen
        por partición.
        """
        from coursekit.data.splits import stratified_split

        counts = self.counts()
        smallest = min(counts, key=counts.get)
        if counts[smallest] < len(fractions):
            raise invalid_value(
                "carpeta", f"{smallest}: {counts[smallest]} imágenes",
                f"al menos {len(fractions)} imágenes válidas por clase (una por partición)",
                "Añade imágenes a esa clase o quita su carpeta.")
        parts = stratified_split(self.labels, fractions, seed=seed)
        return {name: [self.files[i] for i in index] for name, index in parts.items()}

    def labels_of(self, files) -> np.ndarray:
        """Devuelve las etiquetas (índices de clase) de una lista de rutas relativas."""
        lookup = dict(zip(self.files, self.labels))
        missing = [name for name in files if name not in lookup]
        if missing:
            raise invalid_value("files", missing, "rutas relativas que estén en `scan.files`",
                                "Usa las listas que devuelve `scan.split(...)`.")
        return np.array([lookup[name] for name in files], dtype=np.int64)


def _describe_sizes(sizes: Counter) -> str:
    if len(sizes) == 1:
        (w, h), n = next(iter(sizes.items()))
        return f"todas de {w}×{h} ({n})."
    (w, h), n = sizes.most_common(1)[0]
    areas = sorted(sizes, key=lambda size: size[0] * size[1])
    small, large = areas[0], areas[-1]
    return (f"{len(sizes)} tamaños distintos, de {small[0]}×{small[1]} a {large[0]}×{large[1]}; "
            f"el más frecuente, {w}×{h} ({n}). Se redimensionan todas al cargar.")


def _inspect_image(path: Path, extension: str):
    """Decodifica la imagen entera; devuelve ``(tamaño, modo, aviso)`` o lanza ``OSError``."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path) as image:
            image_format = image.format or "?"
            image.load()
            note = None
            if extension not in FORMAT_EXTENSIONS.get(image_format, {extension}):
                note = f"la extensión dice {extension} pero el contenido es {image_format}"
            if getattr(image, "n_frames", 1) > 1:
                note = f"tiene {image.n_frames} fotogramas; se usa el primero"
            return image.size, image.mode, note


def _classify_entry(name: str, is_dir: bool) -> str | None:
    """Devuelve el motivo para omitir una carpeta o un fichero por su nombre, o ``None``."""
    lower = name.lower()
    if is_dir:
        if lower in DEBRIS_FOLDERS:
            return DEBRIS_FOLDERS[lower]
        if name.startswith("."):
            return "carpeta oculta"
        return None
    if name.startswith("._"):
        return "fichero de metadatos de macOS (AppleDouble), no es una imagen"
    if lower in SYSTEM_FILES:
        return "fichero del sistema operativo, no es una imagen"
    if name.startswith("."):
        return "fichero oculto"
    suffix = Path(lower).suffix
    if suffix in ARCHIVE_EXTENSIONS:
        return "archivo comprimido sin descomprimir (descomprímelo si contiene imágenes)"
    return None


def scan_image_folder(path, *, extensions=None, skip_duplicates: bool = True) -> ImageFolderScan:
    """Revisa una carpeta con una subcarpeta por clase y devuelve un :class:`ImageFolderScan`.

    Cada fichero se abre y se decodifica entero con Pillow. Se omiten, con su motivo: carpetas
    ocultas y restos de archivos comprimidos (``__MACOSX``, ``._*``), ficheros vacíos, ficheros que
    no son imágenes (también si su extensión dice lo contrario), imágenes truncadas o dañadas,
    ficheros fuera de las carpetas de clase y, con ``skip_duplicates``, copias exactas de otro
    fichero (evitan que la misma imagen acabe en entrenamiento y en prueba). Las subcarpetas de una
    clase cuentan como parte de esa clase.

    Args:
        path: carpeta raíz del conjunto.
        extensions: extensiones que se intentan abrir como imagen; por defecto ``IMAGE_EXTENSIONS``.
            Los ficheros con otra extensión también se abren, por si la extensión miente.
        skip_duplicates: omitir los ficheros con el mismo contenido que uno ya visto.

    Raises:
        ValueError: si la carpeta no existe, no tiene subcarpetas de clase o quedan menos de dos
            clases con imágenes válidas.
    """
    if str(path).strip() == "":
        raise invalid_value("path", path, "la ruta de una carpeta con una subcarpeta por clase",
                            "Escribe la ruta, p. ej. `scan_image_folder('datos')`.")
    root = Path(path).expanduser()
    if not root.is_dir():
        raise invalid_value("path", str(root), "una carpeta existente con una subcarpeta por clase",
                            "Comprueba la ruta (¿has descomprimido el .zip?).")
    extensions = {e.lower() for e in (extensions or IMAGE_EXTENSIONS)}
    skipped, notes = [], []
    class_dirs = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        reason = _classify_entry(entry.name, entry.is_dir())
        if reason:
            skipped.append(SkippedFile(entry.name + ("/" if entry.is_dir() else ""), reason))
        elif entry.is_dir():
            class_dirs.append(entry)
        else:
            skipped.append(SkippedFile(entry.name, "está fuera de las carpetas de clase"))
    if not class_dirs:
        loose = [item for item in skipped if item.reason == "está fuera de las carpetas de clase"]
        hint = ("Mueve las imágenes de cada clase a su propia subcarpeta (p. ej. datos/gatos/, datos/perros/)."
                if loose else "Crea una subcarpeta por clase y pon dentro sus imágenes "
                              "(p. ej. datos/gatos/, datos/perros/).")
        raise invalid_value("path", str(root), "una carpeta con una subcarpeta por clase", hint)

    classes, files, labels = [], [], []
    sizes, modes = Counter(), Counter()
    seen, conflicts, info_of = {}, set(), {}
    for class_dir in class_dirs:
        class_files = []
        for folder, subdirs, names in os.walk(class_dir):
            folder = Path(folder)
            for sub in sorted(subdirs):
                reason = _classify_entry(sub, True)
                if reason:
                    skipped.append(SkippedFile(_relative(folder / sub, root) + "/", reason))
            subdirs[:] = sorted(s for s in subdirs if not _classify_entry(s, True))
            for name in sorted(names):
                file_path = folder / name
                relative = _relative(file_path, root)
                problem, note, info = _check_file(file_path, name, extensions, skip_duplicates, seen, relative,
                                                  conflicts)
                if problem:
                    skipped.append(SkippedFile(relative, problem))
                    continue
                if note:
                    notes.append(SkippedFile(relative, note))
                info_of[relative] = info
                class_files.append(relative)
        class_files = [f for f in class_files if f not in conflicts]
        for relative in class_files:
            sizes[info_of[relative][0]] += 1
            modes[info_of[relative][1]] += 1
        if class_files:
            classes.append(class_dir.name)
            files += class_files
            labels += [len(classes) - 1] * len(class_files)
        else:
            skipped.append(SkippedFile(class_dir.name + "/", "carpeta de clase sin imágenes válidas; se ignora"))
    late = [f for f in files if f in conflicts]
    for relative in late:
        position = files.index(relative)
        del files[position], labels[position]
        sizes[info_of[relative][0]] -= 1
        modes[info_of[relative][1]] -= 1
    skipped += [SkippedFile(f, "la misma imagen está en otra clase: la etiqueta es ambigua, así que se "
                               "omiten las dos copias") for f in sorted(conflicts)]
    sizes, modes = +sizes, +modes
    for name in classes:
        count = sum(1 for f in files if _class_of(f) == name)
        if count < FEW_IMAGES:
            notes.append(SkippedFile(name + "/", f"solo {count} imágenes válidas: validación y prueba "
                                     "tendrán uno o dos ejemplos de esta clase y sus cifras no serán fiables; "
                                     f"reúne al menos {FEW_IMAGES}"))
    if len(classes) < 2:
        found = ", ".join(classes) if classes else "ninguna"
        omitted = "; ".join(f"{item.file}: {item.reason}" for item in skipped[:5])
        raise invalid_value("path", str(root), "una carpeta con dos o más subcarpetas de clase con imágenes válidas",
                            f"Clases con imágenes válidas: {found}. Un clasificador necesita al menos dos "
                            "clases: añade otra subcarpeta con sus imágenes."
                            + (f" Omitidos: {omitted}." if omitted else ""))
    return ImageFolderScan(root=root, classes=classes, files=files, labels=np.array(labels, dtype=np.int64),
                           skipped=skipped, notes=notes, sizes=sizes, modes=modes)


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _class_of(relative: str) -> str:
    return relative.split("/", 1)[0]


def _check_file(file_path: Path, name: str, extensions, skip_duplicates, seen, relative, conflicts):
    """Devuelve ``(motivo_para_omitir, aviso, (tamaño, modo))`` de un fichero dentro de una clase."""
    reason = _classify_entry(name, False)
    if reason:
        return reason, None, None
    if file_path.is_symlink() and not file_path.exists():
        return "enlace simbólico roto", None, None
    if file_path.stat().st_size == 0:
        return "fichero vacío (0 bytes)", None, None
    extension = file_path.suffix.lower()
    try:
        size, mode, note = _inspect_image(file_path, extension)
    except _decode_errors() as error:
        if extension not in extensions:
            return f"no es una imagen (extensión {extension or 'ninguna'})", None, None
        return f"no se puede leer como imagen: {_short_error(error)}", None, None
    if skip_duplicates:
        digest = hashlib.sha1(file_path.read_bytes()).hexdigest()
        if digest in seen:
            original = seen[digest]
            if _class_of(original) != _class_of(relative):
                conflicts.add(original)
                return (f"la misma imagen está en otra clase ({original}): la etiqueta es ambigua, así "
                        "que se omiten las dos copias"), None, None
            return f"copia exacta de {original}", None, None
        seen[digest] = relative
    return None, note, (size, mode)


def _decode_errors() -> tuple[type[BaseException], ...]:
    """Devuelve las excepciones con las que Pillow señala un fichero dañado o que no es imagen."""
    from PIL import Image

    return (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning)


def _short_error(error: BaseException) -> str:
    from PIL import UnidentifiedImageError

    if isinstance(error, UnidentifiedImageError):
        return "el contenido no es un formato de imagen reconocido (¿extensión cambiada?)"
    text = str(error).split("\n")[0]
    if "truncated" in text or "broken data stream" in text:
        return f"imagen truncada o dañada ({text})"
    return f"{type(error).__name__}: {text[:120]}"


def read_image(path, image_size, channels: int) -> np.ndarray:
    """Lee una imagen y devuelve un array ``float32`` en [0, 1] de forma ``(alto, ancho, canales)``.

    Aplica la orientación EXIF (fotos de móvil), compone la transparencia sobre blanco, convierte a
    grises o RGB y redimensiona con interpolación bilineal a ``image_size = (alto, ancho)`` sin
    conservar la proporción.
    """
    from PIL import Image, ImageOps

    height, width = image_size
    with Image.open(path) as image:
        image.seek(0)
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            image = Image.alpha_composite(background, rgba)
        image = image.convert("L" if channels == 1 else "RGB")
        image = image.resize((width, height), Image.Resampling.BILINEAR)
        array = np.asarray(image, dtype=np.float32) / 255.0
    return array[..., None] if channels == 1 else array


def load_images(scan: ImageFolderScan, files, image_size=(32, 32), channels: int | None = None):
    """Carga ``files`` (rutas relativas de ``scan``) y devuelve ``(x, y)``.

    ``x`` tiene forma ``(N, alto, ancho, canales)`` en ``float32`` y valores en [0, 1]; ``y`` son los
    índices de clase. ``channels`` por defecto es ``scan.channels()``.
    """
    image_size = _check_size(image_size)
    channels = scan.channels() if channels is None else channels
    if channels not in (1, 3):
        raise invalid_value("channels", channels, "1 (grises) o 3 (RGB)")
    x = np.zeros((len(files), *image_size, channels), dtype=np.float32)
    for i, name in enumerate(files):
        x[i] = read_image(scan.root / name, image_size, channels)
    return x, scan.labels_of(files)


def load_split(scan: ImageFolderScan, parts: dict, image_size=(32, 32), channels: int | None = None):
    """Carga cada partición de ``parts`` (de :meth:`ImageFolderScan.split`): ``{nombre: (x, y)}``."""
    return {name: load_images(scan, files, image_size, channels) for name, files in parts.items()}


def _check_size(image_size) -> tuple[int, int]:
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    try:
        height, width = (int(v) for v in image_size)
    except (TypeError, ValueError):
        raise invalid_value("image_size", image_size, "una pareja (alto, ancho) de enteros",
                            "Por ejemplo (64, 64).") from None
    if min(height, width) < 8:
        raise invalid_value("image_size", image_size, "un alto y un ancho de al menos 8 píxeles",
                            "Las redes convolucionales pequeñas necesitan al menos 28×28.")
    return height, width
