"""Segmentación con U-Net más allá del entrenamiento: predecir por teselas, vigilar y evaluar.

* :func:`predict_tiled`: predice una imagen de cualquier tamaño con teselas solapadas (la estrategia
  «overlap-tile» de Ronneberger et al., 2015), rellenando en espejo los bordes y promediando las
  zonas solapadas con pesos que bajan hacia el borde de cada tesela.
* :class:`LivePreview`: *callback* de Keras que redibuja en su sitio la predicción de una tesela
  reservada fija al final de cada época.
* :func:`evaluate_segmentation`: Dice e IoU por clase (con :mod:`coursekit.metrics`), medias de
  primer plano y matriz de confusión de píxeles.
* :func:`activation_memory` y :func:`memory_table`: memoria de activaciones por imagen según su lado,
  contada en la red; :func:`measure_step_memory` (CPU, Linux) y :func:`measure_peak_memory` (GPU)
  miden el pico real de un paso de entrenamiento.

Este módulo importa Keras al importarse; ``import coursekit`` no lo importa.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import keras
import numpy as np

from coursekit._errors import check_positive_int, invalid_value
from coursekit.data.nuclei import tile_origins

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- predicción por teselas


def _spatial_output(model, tile_size: int, channels: int) -> int:
    """Devuelve el lado de salida de ``model`` para una tesela de lado ``tile_size``."""
    try:
        shape = model.compute_output_shape((1, tile_size, tile_size, channels))
    except ValueError as error:
        raise invalid_value("tile_size", tile_size, "un lado que la red acepte",
                            f"Keras lo rechaza: {error}") from None
    return int(shape[1])


def _blend_weights(size: int, margin_fraction: float = 0.25) -> np.ndarray:
    """Pesos 2-D que valen 1 en el centro y bajan linealmente hasta 0,05 en el borde de la tesela."""
    ramp = max(1, int(size * margin_fraction))
    profile = np.ones(size, dtype=np.float32)
    steps = np.linspace(0.05, 1.0, ramp, endpoint=False, dtype=np.float32)
    profile[:ramp] = steps
    profile[size - ramp:] = steps[::-1]
    return np.outer(profile, profile)


def predict_tiled(model, image, tile_size: int | None = None, overlap: int = 32,
                  batch_size: int = 8) -> np.ndarray:
    """Predice una imagen completa por teselas solapadas y devuelve las probabilidades por píxel.

    Sirve cuando la imagen no cabe entera en memoria o cuando la red solo acepta un tamaño fijo.
    Con ``padding="valid"`` la salida de cada tesela es menor que la entrada: el margen que falta
    se rellena en espejo, como en el artículo, de modo que cada píxel de la salida tiene contexto.

    Args:
        model: U-Net (o cualquier red densa por píxel) con salida ``(lote, alto', ancho', clases)``.
        image: ``(alto, ancho)`` o ``(alto, ancho, canales)``, ya normalizada como en el
            entrenamiento.
        tile_size: lado de la tesela de entrada; por defecto el de ``model.input_shape`` (obligatorio
            si la red acepta cualquier tamaño).
        overlap: píxeles de solapamiento entre teselas vecinas en la salida.
        batch_size: teselas por llamada a ``model.predict``.

    Returns:
        Array ``float32`` de forma ``(alto, ancho, clases)``: la media ponderada de las teselas.
    """
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3:
        raise invalid_value("image", image, "una imagen (alto, ancho) o (alto, ancho, canales)",
                            "Para un lote, llama a la función con cada imagen.")
    height, width, channels = image.shape
    fixed = model.input_shape[1]
    if tile_size is None:
        if fixed is None:
            raise invalid_value("tile_size", tile_size, "un lado de tesela",
                                "La red acepta cualquier tamaño; elige p. ej. tile_size=128.")
        tile_size = fixed
    tile_size = check_positive_int("tile_size", tile_size)
    if fixed is not None and tile_size != fixed:
        raise invalid_value("tile_size", tile_size, f"el lado de entrada de la red, {fixed}",
                            "Omite `tile_size` para usar el de la red.")
    batch_size = check_positive_int("batch_size", batch_size)
    out_size = _spatial_output(model, tile_size, channels)
    if isinstance(overlap, bool) or not isinstance(overlap, int) or not 0 <= overlap < out_size:
        raise invalid_value("overlap", overlap, f"un entero entre 0 y {out_size - 1}",
                            "El solapamiento debe ser menor que el lado de la salida de la tesela.")
    margin = (tile_size - out_size) // 2

    # Relleno en espejo: el margen de la red y, si la imagen es menor que una tesela, lo que falte.
    extra_h, extra_w = max(0, out_size - height), max(0, out_size - width)
    padded = np.pad(image, ((margin, margin + extra_h), (margin, margin + extra_w), (0, 0)),
                    mode="symmetric")
    rows = tile_origins(height + extra_h, out_size, out_size - overlap)
    cols = tile_origins(width + extra_w, out_size, out_size - overlap)
    origins = [(r, c) for r in rows for c in cols]
    weights = _blend_weights(out_size) if overlap else np.ones((out_size, out_size), np.float32)

    total, weight_sum = None, np.zeros((height + extra_h, width + extra_w, 1), np.float32)
    for start in range(0, len(origins), batch_size):
        chunk = origins[start:start + batch_size]
        tiles = np.stack([padded[r:r + tile_size, c:c + tile_size] for r, c in chunk])
        # Llamada directa en vez de model.predict: el último grupo suele tener otro tamaño y
        # predict volvería a trazar su función de TensorFlow en cada imagen.
        probabilities = np.asarray(keras.ops.convert_to_numpy(model(tiles, training=False)),
                                   dtype=np.float32)
        if total is None:
            total = np.zeros(weight_sum.shape[:2] + (probabilities.shape[-1],), np.float32)
        for (r, c), tile in zip(chunk, probabilities):
            total[r:r + out_size, c:c + out_size] += tile * weights[..., None]
            weight_sum[r:r + out_size, c:c + out_size] += weights[..., None]
    return (total / weight_sum)[:height, :width]


# --------------------------------------------------------------------------- vista previa en vivo


class LivePreview(keras.callbacks.Callback):
    """Redibuja, en la misma figura, la predicción de una tesela reservada fija cada ``every`` épocas.

    En Jupyter la figura se muestra una vez con ``display(..., display_id=True)`` y cada época se
    actualiza esa misma salida: no se acumulan figuras en la celda. Fuera de IPython no muestra nada,
    pero sigue guardando ``epochs`` y ``dice`` (Dice de primer plano de la tesela por época).

    Args:
        image: tesela ``(alto, ancho)`` o ``(alto, ancho, canales)`` de entrada a la red.
        mask: su verdad de referencia (etiquetas). Si la salida de la red es menor (``"valid"``), se
            recorta su centro.
        num_classes: clases de la salida, fondo incluido.
        every: cada cuántas épocas se redibuja.
    """

    def __init__(self, image, mask, num_classes: int = 2, every: int = 1):
        super().__init__()
        image = np.asarray(image, dtype=np.float32)
        self.image = image[..., None] if image.ndim == 2 else image
        self.mask = np.asarray(mask)
        if self.mask.shape != self.image.shape[:2]:
            raise invalid_value("mask", self.mask, f"el alto y ancho de la tesela, {self.image.shape[:2]}")
        self.num_classes = check_positive_int("num_classes", num_classes, minimum=2)
        self.every = check_positive_int("every", every)
        self.epochs: list[int] = []
        self.dice: list[float] = []
        self.figure = None
        self._update = None
        self._handle = None
        self._truth = self.mask

    def on_train_begin(self, logs=None):
        import matplotlib.pyplot as plt

        from coursekit.plots.segmentation import preview_figure

        prediction = self._predict()
        self._truth = _center_crop(self.mask, prediction.shape)
        crop_image = _center_crop(self.image[..., 0], prediction.shape)
        self.figure, self._update = preview_figure(crop_image, self._truth, self.num_classes)
        plt.close(self.figure)  # la mostramos nosotros; así la celda no la repite al final
        self._handle = _display(self.figure)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        prediction = self._predict()
        dice = _foreground_dice(self._truth, prediction, self.num_classes)
        self.epochs.append(epoch + 1)
        self.dice.append(dice)
        self._update(prediction, f"Época {epoch + 1}: Dice de primer plano {dice:.3f}")
        if self._handle is not None:
            self._handle.update(self.figure)

    def _predict(self) -> np.ndarray:
        probabilities = keras.ops.convert_to_numpy(self.model(self.image[None], training=False))[0]
        return np.argmax(probabilities, axis=-1).astype(np.uint8)


def _display(figure):
    """Muestra ``figure`` en Jupyter y devuelve su ``DisplayHandle``; fuera de IPython, ``None``."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    if get_ipython() is None:
        return None
    return display(figure, display_id=True)


def _center_crop(array, shape) -> np.ndarray:
    """Recorta el centro de ``array`` al alto y ancho de ``shape``."""
    top = (array.shape[0] - shape[0]) // 2
    left = (array.shape[1] - shape[1]) // 2
    return array[top:top + shape[0], left:left + shape[1]]


def _foreground_dice(truth, prediction, num_classes: int) -> float:
    from coursekit.metrics import mean_dice

    return float(mean_dice(truth.astype(np.int32), prediction.astype(np.int32), num_classes,
                           undefined_value=1.0))


# --------------------------------------------------------------------------- evaluación


@dataclass
class SegmentationReport:
    """Dice e IoU por clase, medias de primer plano y matriz de confusión de píxeles."""

    dice: np.ndarray
    iou: np.ndarray
    mean_dice: float
    mean_iou: float
    confusion_matrix: np.ndarray
    class_names: list[str]

    def table(self, digits: int = 3) -> str:
        """Devuelve una tabla de texto con Dice, IoU y píxeles reales de cada clase."""
        width = max(5, *(len(name) for name in self.class_names))
        lines = [f"{'clase':<{width}}  {'Dice':>6}  {'IoU':>6}  {'píxeles':>8}"]
        for index, name in enumerate(self.class_names):
            lines.append(f"{name:<{width}}  {self.dice[index]:>6.{digits}f}  "
                         f"{self.iou[index]:>6.{digits}f}  {int(self.confusion_matrix[index].sum()):>8d}")
        lines.append(f"media de primer plano: Dice {self.mean_dice:.{digits}f}, "
                     f"IoU {self.mean_iou:.{digits}f}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def evaluate_segmentation(truth, prediction, num_classes: int, class_names=None) -> SegmentationReport:
    """Evalúa un mapa de etiquetas predicho contra la verdad de referencia.

    Dice e IoU salen de :func:`coursekit.metrics.dice_per_class` e ``iou_per_class`` sobre todos
    los píxeles a la vez; las medias excluyen el fondo (clase 0). ``prediction`` puede ser un mapa
    de etiquetas o de probabilidades ``(..., num_classes)``, que se convierte con ``argmax``.
    """
    from sklearn.metrics import confusion_matrix

    from coursekit.metrics import dice_per_class, iou_per_class, mean_over_classes

    num_classes = check_positive_int("num_classes", num_classes, minimum=2)
    truth = np.asarray(truth)
    prediction = np.asarray(prediction)
    if prediction.ndim == truth.ndim + 1:
        prediction = np.argmax(prediction, axis=-1)
    if prediction.shape != truth.shape:
        raise invalid_value("prediction", prediction, f"la forma de la verdad, {truth.shape}",
                            "Con padding='valid' recorta el centro de la verdad al tamaño de la salida.")
    truth = truth.astype(np.int32)
    prediction = prediction.astype(np.int32)
    if class_names is None:
        class_names = [str(i) for i in range(num_classes)]
    elif len(class_names) != num_classes:
        raise invalid_value("class_names", class_names, f"{num_classes} nombres, uno por clase")
    dice = np.asarray(dice_per_class(truth, prediction, num_classes))
    iou = np.asarray(iou_per_class(truth, prediction, num_classes))
    foreground = list(range(1, num_classes))
    return SegmentationReport(
        dice=dice, iou=iou,
        mean_dice=float(mean_over_classes(dice, foreground)),
        mean_iou=float(mean_over_classes(iou, foreground)),
        confusion_matrix=confusion_matrix(truth.ravel(), prediction.ravel(),
                                          labels=np.arange(num_classes)),
        class_names=list(class_names))


# --------------------------------------------------------------------------- memoria


def activation_memory(model, bytes_per_value: int | None = None) -> int:
    """Cuenta los bytes de las salidas de todas las capas de ``model`` para una imagen.

    Es la memoria que el entrenamiento guarda para la retropropagación (sin contar gradientes,
    estados del optimizador ni espacio de trabajo de cada operación), así que es un mínimo: la
    memoria real medida en GPU suele ser varias veces mayor. ``bytes_per_value`` es 4 (float32) por
    defecto, o 2 con la política ``mixed_float16``.
    """
    if bytes_per_value is None:
        bytes_per_value = 2 if keras.mixed_precision.global_policy().compute_dtype == "float16" else 4
    total = 0
    for layer in model.layers:
        shape = layer.output.shape
        if any(side is None for side in shape[1:]):
            raise invalid_value("model", model, "un modelo con alto y ancho fijos",
                                "Construye la red con input_shape=(lado, lado, canales).")
        total += math.prod(shape[1:])
    return int(total * bytes_per_value)


def memory_table(sides=(64, 128, 256, 512, 1024), **unet_kwargs) -> list[dict]:
    """Construye una U-Net 'same' por cada lado y devuelve memoria de activaciones y de pesos.

    Cada fila: ``side``, ``parameters``, ``weights_mib`` (pesos en float32) y ``activations_mib``
    (:func:`activation_memory` de una imagen). Construir la red es simbólico: no reserva memoria
    para las activaciones.
    """
    from coursekit.models.unet_builder import unet

    unet_kwargs.setdefault("padding", "same")
    channels = unet_kwargs.pop("channels", 1)
    rows = []
    for side in sides:
        model = unet((side, side, channels), **unet_kwargs)
        rows.append({
            "side": side,
            "parameters": model.count_params(),
            "weights_mib": model.count_params() * 4 / 2**20,
            "activations_mib": activation_memory(model) / 2**20,
        })
    return rows


def measure_peak_memory(model, batch_size: int = 1) -> int | None:
    """Mide en GPU el pico de memoria (bytes) de un paso hacia delante y atrás; ``None`` sin GPU.

    El pico incluye los pesos, que ya estaban en la GPU antes del paso.

    Usa ``tf.config.experimental.get_memory_info``, que TensorFlow solo ofrece para GPU.
    """
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        return None
    shape = (batch_size,) + tuple(model.input_shape[1:])
    x = tf.random.uniform(shape)
    tf.config.experimental.reset_memory_stats("GPU:0")
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(x, training=True))
    tape.gradient(loss, model.trainable_variables)
    return int(tf.config.experimental.get_memory_info("GPU:0")["peak"])


def _linux_memory_kib() -> tuple[int, int]:
    """Devuelve ``(VmRSS, VmHWM)`` del proceso en KiB, leídos de ``/proc/self/status``."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, amount = line.split(":")
                values[key] = int(amount.split()[0])
    return values["VmRSS"], values["VmHWM"]


def measure_step_memory(build_model, sides, batch_size: int = 1) -> list[dict] | None:
    """Mide el pico de memoria de un paso de entrenamiento (hacia delante y atrás) por lado de imagen.

    ``build_model()`` debe devolver un modelo nuevo que acepte cualquier tamaño (``(None, None, c)``):
    el paso con ``training=True`` cambia las medias de BatchNorm, así que no conviene usar el modelo
    entrenado. Solo en Linux: antes de cada paso se reinicia el pico de memoria residente del proceso
    (``/proc/self/clear_refs``) y después se lee (``VmHWM``). Cada fila da ``side`` y
    ``peak_mib``, el pico durante el paso menos la memoria residente de justo antes, que incluye
    activaciones, gradientes y memoria de trabajo de TensorFlow. Devuelve ``None`` en otros sistemas.

    La medida solo es fiable en un proceso nuevo: la memoria que TensorFlow y ``malloc`` ya
    reservaron en pasos anteriores sigue residente y se reutiliza sin subir el pico, así que un lado
    que cabe en ella da un pico cercano a 0. Por eso los lados se recorren de menor a mayor.
    """
    import tensorflow as tf

    batch_size = check_positive_int("batch_size", batch_size)
    sides = sorted(check_positive_int("sides", side) for side in sides)
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        logger.info("No se puede medir el pico de memoria: /proc/self/clear_refs no existe o no se "
                    "puede escribir (solo Linux).")
        return None
    model = build_model()
    channels = model.input_shape[-1]
    rows = []
    for side in sides:
        images = tf.random.uniform((batch_size, side, side, channels))
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")  # 5 reinicia VmHWM al valor actual de VmRSS
        before, _ = _linux_memory_kib()
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(images, training=True))
        tape.gradient(loss, model.trainable_variables)
        _, peak = _linux_memory_kib()
        rows.append({"side": side, "peak_mib": (peak - before) / 1024})
    return rows
