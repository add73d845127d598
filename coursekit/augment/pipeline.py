"""Configuración del aumento en unidades habituales y los dos modos de ejecutarla.

:class:`AugmentConfig` guarda la intensidad de cada técnica en grados, fracciones o píxeles.
Con ella se construye:

* :func:`build_pipeline`: una capa :class:`ComposedAugmentation` que compone toda la geometría en
  una sola deformación afín por imagen y luego aplica los cambios de intensidad, por lotes. Es la
  vía rápida; funciona dentro de ``tf.data``, dentro de un modelo y en GPU.
* :meth:`AugmentConfig.to_keras_layers`: la cadena equivalente de capas de preprocesado de Keras 3
  (``RandomRotation``, ``RandomZoom``...), traduciendo cada unidad a la que espera cada capa.
  :func:`unit_table` muestra esa traducción.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import numbers

import keras
from keras import ops

from coursekit._errors import check_choice, invalid_value
from coursekit.augment import affine, photometric
from coursekit.augment.inputs import as_image_input, check_image_input, check_seed

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("bilinear", "nearest")

# Campo → (mínimo, máximo, ambos incluidos; unidad en español; pista ante un valor fuera de rango).
_LIMITS = {
    "rotation_degrees": (0.0, 180.0, "grados (0 a 180)",
                         "Escribe el ángulo en grados: 15 significa ±15°."),
    "zoom": (0.0, 0.95, "una fracción del lado entre 0 y 0,95",
             "0.2 significa acercar o alejar hasta un 20 %."),
    "shift": (0.0, 0.95, "una fracción del lado entre 0 y 0,95",
              "Para desplazar 20 píxeles en una imagen de 150, usa 20 / 150 ≈ 0.13."),
    "shear_degrees": (0.0, 75.0, "grados entre 0 y 75",
                      "Un sesgo de 90° aplasta la imagen en una línea; 10 a 20 ya se nota."),
    "crop": (0.0, 0.95, "la fracción del lado que se recorta, entre 0 y 0,95",
             "0.2 conserva una ventana del 80 % del lado y la estira al tamaño original."),
    "brightness": (0.0, 1.0, "una fracción del rango de valores entre 0 y 1",
                   "0.2 suma o resta hasta un 20 % del rango."),
    "contrast": (0.0, 1.0, "una fracción entre 0 y 1", "0.3 multiplica el contraste por 0,7 a 1,3."),
    "saturation": (0.0, 1.0, "una fracción entre 0 y 1",
                   "0.3 multiplica la saturación por 0,7 a 1,3."),
    "hue_degrees": (0.0, 180.0, "grados del círculo de color (0 a 180)",
                    "20 gira el tono hasta ±20°."),
    "noise_std": (0.0, 1.0, "una desviación típica como fracción del rango, entre 0 y 1",
                  "Con imágenes en [0, 1], 0.05 es un ruido visible pero moderado."),
    "cutout": (0.0, 1.0, "el lado del cuadrado como fracción del lado menor, entre 0 y 1",
               "0.25 tapa un cuadrado de un cuarto del lado."),
}


@dataclasses.dataclass(frozen=True)
class AugmentConfig:
    """Intensidad de cada técnica de aumento, en las unidades en que se piensa.

    Cada valor numérico es el máximo de un sorteo simétrico por imagen: ``rotation_degrees=15``
    sortea un ángulo uniforme entre -15° y +15°. Con 0 la técnica no se aplica.

    Attributes:
        horizontal_flip, vertical_flip: voltear con probabilidad 1/2.
        rotation_degrees: giro máximo en grados.
        zoom: acercar/alejar, fracción del lado (0.2: escala entre 0,8 y 1,2; conserva la proporción).
        shift: desplazamiento máximo, fracción del alto y del ancho.
        shear_degrees: ángulo máximo de sesgo horizontal, en grados.
        crop: fracción del lado que se recorta de una ventana aleatoria, estirada luego al tamaño original.
        brightness: desplazamiento de brillo, fracción del rango de valores.
        contrast, saturation: el factor se sortea en [1 - valor, 1 + valor].
        hue_degrees: giro máximo del tono en grados del círculo de color (solo RGB).
        noise_std: desviación típica del ruido gaussiano, fracción del rango de valores.
        cutout: lado del cuadrado tapado, fracción del lado menor de la imagen.
        fill_mode: relleno de los píxeles que quedan fuera tras la geometría:
            ``"reflect"`` (por defecto, como las capas de Keras), ``"nearest"``, ``"wrap"``,
            ``"constant"`` (usa ``fill_value``).
        interpolation: ``"bilinear"`` (por defecto) o ``"nearest"``.
        value_range: rango de los valores de entrada; la salida se recorta a él.
    """

    horizontal_flip: bool = False
    vertical_flip: bool = False
    rotation_degrees: float = 0.0
    zoom: float = 0.0
    shift: float = 0.0
    shear_degrees: float = 0.0
    crop: float = 0.0
    brightness: float = 0.0
    contrast: float = 0.0
    saturation: float = 0.0
    hue_degrees: float = 0.0
    noise_std: float = 0.0
    cutout: float = 0.0
    fill_mode: str = "reflect"
    fill_value: float = 0.0
    interpolation: str = "bilinear"
    value_range: tuple = (0.0, 1.0)

    def __post_init__(self):
        for name in ("horizontal_flip", "vertical_flip"):
            if not isinstance(getattr(self, name), (bool,)) and getattr(self, name) not in (0, 1):
                raise invalid_value(name, getattr(self, name), "True o False", error=TypeError)
        for name, (low, high, unit, hint) in _LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise invalid_value(name, value, f"un número: {unit}", hint, error=TypeError)
            if not low <= value <= high:
                raise invalid_value(name, value, unit, hint)
        check_choice("fill_mode", self.fill_mode, FILL_MODES)
        check_choice("interpolation", self.interpolation, INTERPOLATIONS)
        if (not isinstance(self.value_range, (tuple, list)) or len(self.value_range) != 2
                or not self.value_range[0] < self.value_range[1]):
            raise invalid_value("value_range", self.value_range, "un par (mínimo, máximo) con mínimo < máximo",
                                "Usa (0.0, 1.0) para imágenes en [0, 1] o (0.0, 255.0) para 0-255.")
        object.__setattr__(self, "value_range", (float(self.value_range[0]), float(self.value_range[1])))

    def replace(self, **changes) -> "AugmentConfig":
        """Devuelve una copia con algunos campos cambiados (y validados de nuevo)."""
        return dataclasses.replace(self, **changes)

    def to_keras_layers(self, image_size=None, seed=None) -> list:
        """Traduce la configuración a la cadena de capas de preprocesado de Keras 3.

        Cada capa deforma la imagen otra vez, así que esta cadena interpola varias veces y es más
        lenta que :func:`build_pipeline`; sirve para comparar y para ver la traducción de unidades.
        ``GaussianNoise`` solo actúa con ``training=True``: llama a la cadena así.

        Args:
            image_size: ``(alto, ancho)``; obligatorio si ``crop > 0`` (``RandomCrop`` + ``Resizing``).
            seed: semilla entera para las capas aleatorias.
        """
        layers = keras.layers
        geometry = {"fill_mode": self.fill_mode, "interpolation": self.interpolation,
                    "fill_value": self.fill_value, "seed": seed}
        chain = []
        flips = [name for name, on in (("horizontal", self.horizontal_flip),
                                       ("vertical", self.vertical_flip)) if on]
        if flips:
            chain.append(layers.RandomFlip("_and_".join(flips), seed=seed))
        if self.rotation_degrees:
            chain.append(layers.RandomRotation(self.rotation_degrees / 360.0, **geometry))
        if self.zoom:
            chain.append(layers.RandomZoom((-self.zoom, self.zoom), **geometry))
        if self.shift:
            chain.append(layers.RandomTranslation(self.shift, self.shift, **geometry))
        if self.shear_degrees:
            chain.append(layers.RandomShear(x_factor=math.tan(math.radians(self.shear_degrees)),
                                            **geometry))
        if self.crop:
            if image_size is None:
                raise invalid_value("image_size", image_size, "(alto, ancho) de las imágenes",
                                    "RandomCrop necesita el tamaño para recortar y volver a escalar.")
            height, width = image_size
            kept = 1.0 - self.crop
            chain += [layers.RandomCrop(round(height * kept), round(width * kept), seed=seed),
                      layers.Resizing(height, width)]
        colour = {"value_range": self.value_range, "seed": seed}
        if self.brightness:
            chain.append(layers.RandomBrightness(self.brightness, **colour))
        if self.contrast:
            chain.append(layers.RandomContrast(self.contrast, **colour))
        if self.saturation:
            # RandomSaturation multiplica por f / (1 - f): f = m / (1 + m) da el multiplicador m.
            low, high = 1.0 - self.saturation, 1.0 + self.saturation
            chain.append(layers.RandomSaturation((low / (1 + low), high / (1 + high)), **colour))
        if self.hue_degrees:
            # RandomHue gira como mucho factor / 2 de vuelta: factor = grados / 180.
            chain.append(layers.RandomHue((0.0, self.hue_degrees / 180.0), **colour))
        if self.noise_std:
            stddev = self.noise_std * (self.value_range[1] - self.value_range[0])
            if stddev > 1:
                # Keras 3.15 rechaza stddev > 1 en GaussianNoise, aunque las imágenes vayan en 0-255.
                raise invalid_value("noise_std", self.noise_std,
                                    "una desviación ≤ 1 en unidades de la imagen para GaussianNoise",
                                    "Escala las imágenes a [0, 1] con value_range=(0.0, 1.0).")
            chain.append(layers.GaussianNoise(stddev, seed=seed))
        if self.cutout:
            # RandomErasing toma como lado la raíz de `scale`; factor=(1, 1) borra siempre.
            chain.append(layers.RandomErasing(factor=(1.0, 1.0), scale=(self.cutout ** 2,) * 2,
                                              fill_value=self.value_range[0], **colour))
        return chain


# Nombres de ImageDataGenerator que la gente escribe por costumbre → campo de AugmentConfig.
_LEGACY_NAMES = {
    "rotation_range": "rotation_degrees (en grados, como rotation_range)",
    "width_shift_range": "shift (fracción del lado, para alto y ancho a la vez)",
    "height_shift_range": "shift (fracción del lado, para alto y ancho a la vez)",
    "zoom_range": "zoom (fracción; conserva la proporción)",
    "shear_range": "shear_degrees (en grados, como shear_range)",
    "brightness_range": "brightness (fracción del rango de valores que se suma o resta)",
}


def check_strength_names(strengths) -> None:
    """Rechaza nombres que no son campos de :class:`AugmentConfig` y sugiere el correcto."""
    fields = [field.name for field in dataclasses.fields(AugmentConfig)]
    for name in strengths:
        if name in fields:
            continue
        if name in _LEGACY_NAMES:
            hint = (f"`{name}` es el nombre de ImageDataGenerator; en coursekit se llama "
                    f"{_LEGACY_NAMES[name]}.")
        else:
            close = difflib.get_close_matches(name, fields, n=1)
            hint = f"¿Querías decir `{close[0]}`?" if close else f"Los campos son: {', '.join(fields)}."
        raise invalid_value("AugmentConfig", name, "el nombre de un campo de AugmentConfig", hint,
                            error=TypeError)


_dataclass_init = AugmentConfig.__init__


@functools.wraps(_dataclass_init)
def _init_with_name_check(self, *args, **strengths):
    check_strength_names(strengths)
    _dataclass_init(self, *args, **strengths)


# El __init__ que genera dataclasses lanza un TypeError en inglés ante un nombre desconocido. Este
# envoltorio da antes el error en español con la sugerencia; dataclasses.replace también pasa por él.
AugmentConfig.__init__ = _init_with_name_check


def unit_table(config: AugmentConfig, image_size=(150, 150)) -> list[dict]:
    """Devuelve una fila por capa de Keras: el campo de coursekit que la origina y sus argumentos.

    Los argumentos son los que :meth:`AugmentConfig.to_keras_layers` pasa de verdad a cada capa,
    leídos de la capa construida.
    """
    sources = {
        "RandomFlip": ("horizontal_flip", "vertical_flip"), "RandomRotation": ("rotation_degrees",),
        "RandomZoom": ("zoom",), "RandomTranslation": ("shift",), "RandomShear": ("shear_degrees",),
        "RandomCrop": ("crop",), "Resizing": ("crop",), "RandomBrightness": ("brightness",),
        "RandomContrast": ("contrast",), "RandomSaturation": ("saturation",),
        "RandomHue": ("hue_degrees",), "GaussianNoise": ("noise_std",), "RandomErasing": ("cutout",),
    }
    arguments = {
        "RandomFlip": ("mode",), "RandomRotation": ("factor",), "RandomZoom": ("height_factor",),
        "RandomTranslation": ("height_factor", "width_factor"), "RandomShear": ("x_factor",),
        "RandomCrop": ("height", "width"), "Resizing": ("height", "width"),
        "RandomBrightness": ("factor",), "RandomContrast": ("factor",), "RandomSaturation": ("factor",),
        "RandomHue": ("factor",), "GaussianNoise": ("stddev",), "RandomErasing": ("factor", "scale"),
    }
    rows = []
    for layer in config.to_keras_layers(image_size=image_size):
        name = type(layer).__name__
        fields = ", ".join(f"{field}={getattr(config, field)}" for field in sources[name]
                           if getattr(config, field))
        values = ", ".join(f"{key}={_rounded(getattr(layer, key))}" for key in arguments[name])
        rows.append({"coursekit": fields, "capa de Keras": f"{name}({values})"})
    return rows


def _rounded(value):
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(str(_rounded(v)) for v in value) + ")"
    if isinstance(value, float):
        return round(value, 4)
    return value


class ComposedAugmentation(keras.layers.Layer):
    """Capa de aumento que compone la geometría en una deformación afín por imagen.

    Recibe un lote (N, H, W, C) o una imagen (H, W, C) con valores en ``config.value_range`` y
    devuelve float32 de la misma forma. Con ``training=False`` devuelve la entrada sin cambios,
    como las capas aleatorias de Keras dentro de ``model.predict``.

    Args:
        config: :class:`AugmentConfig`.
        seed: entero; la misma semilla repite la misma secuencia de sorteos. Con y sin
            ``jit_compile`` las secuencias son distintas (dentro de XLA TensorFlow sortea con otro
            algoritmo), pero cada una se repite igual.
        jit_compile: con ``True`` (y backend TensorFlow) deforma con
            :func:`~coursekit.augment.affine.gather_warp` compilado con XLA: en CPU, unas tres veces
            más rápido que sin XLA y unas quince veces más que ``ImageDataGenerator``
            (docs/benchmarks.md). Lee uint8 sin convertirlo antes. Cada combinación de
            configuración, forma y tipo de la entrada se compila una vez (0,3-2 s), así que conviene
            para lotes de forma fija. Con ``fill_mode="wrap"`` se usa siempre el núcleo de
            TensorFlow, sin XLA (``gather_warp`` no implementa ese relleno). Con ``False`` usa
            ``keras.ops.image.affine_transform``, mejor para llamadas sueltas desde un control.
    """

    def __init__(self, config: AugmentConfig, seed=None, jit_compile=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(config, AugmentConfig):
            raise invalid_value("config", config, "un AugmentConfig",
                                "Crea uno con `AugmentConfig(rotation_degrees=15, ...)`.", error=TypeError)
        self.config = config
        self.seed = check_seed(seed)
        self.seed_generator = keras.random.SeedGenerator(seed)
        # gather_warp no implementa el relleno "wrap": en ese caso se usa el núcleo de TensorFlow.
        self.jit_compile = (bool(jit_compile) and keras.backend.backend() == "tensorflow"
                            and config.fill_mode != "wrap")
        self._compiled = None

    def __call__(self, images, *args, **kwargs):
        # Se comprueba aquí y no en call() porque Keras envuelve los errores de call() en un texto
        # en inglés.
        images = as_image_input(images)
        check_image_input(images, self.config)
        return super().__call__(images, *args, **kwargs)

    def call(self, images, training=True):
        if not training:
            return images
        single = len(images.shape) == 3
        batch = ops.expand_dims(images, 0) if single else images
        if self.jit_compile:
            if self._compiled is None:
                import tensorflow as tf

                # reduce_retracing: una sola traza con ejes sin fijar; XLA compila aparte cada forma
                # concreta, sin el aviso en inglés de TensorFlow tras cinco retrazados.
                self._compiled = tf.function(self._augment, jit_compile=True, reduce_retracing=True)
            # Sin convertir antes: gather_warp lee en el tipo de la entrada (uint8 lee 4 veces menos
            # memoria que float32) y devuelve float32.
            batch = self._compiled(batch)
        else:
            batch = self._augment(ops.cast(batch, "float32"))
        return batch[0] if single else batch

    def _augment(self, batch):
        shape = ops.shape(batch)
        if affine.has_geometry(self.config):
            draws = affine.draw_uniform(shape[0], self.seed_generator)
            transforms = affine.inverse_matrices(draws, shape[1], shape[2], self.config)
            warp = affine.gather_warp if self.jit_compile else affine.warp
            batch = warp(batch, transforms, self.config.interpolation,
                         self.config.fill_mode, self.config.fill_value)
        batch = ops.cast(batch, "float32")
        if photometric.has_photometric(self.config):
            batch = photometric.apply_photometric(batch, self.config, self.seed_generator)
        return batch

    def compute_output_shape(self, input_shape):
        return input_shape


def build_pipeline(config: AugmentConfig | None = None, seed=None, jit_compile=False,
                   **strengths) -> ComposedAugmentation:
    """Construye la capa rápida de aumento a partir de una configuración o de intensidades sueltas.

    ``build_pipeline(rotation_degrees=15, horizontal_flip=True, seed=0)`` equivale a
    ``ComposedAugmentation(AugmentConfig(rotation_degrees=15, horizontal_flip=True), seed=0)``.
    """
    if config is None:
        config = AugmentConfig(**strengths)
    elif strengths:
        config = config.replace(**strengths)
    return ComposedAugmentation(config, seed=seed, jit_compile=jit_compile)


def augment_batch(images, config: AugmentConfig, seed=0):
    """Aumenta un lote NumPy con una capa nueva sembrada con ``seed`` y devuelve un array NumPy."""
    layer = ComposedAugmentation(config, seed=seed)
    return ops.convert_to_numpy(layer(ops.convert_to_tensor(images, "float32"), training=True))
