"""Interpretabilidad de clasificadores de imágenes: Grad-CAM, saliencia y oclusión.

Los tres métodos funcionan igual con modelos ``Sequential`` y funcionales de Keras 3. La receta
habitual de Grad-CAM construye ``keras.Model(model.inputs, [capa.output, model.output])``, y con un
``Sequential`` de Keras 3 eso falla si el modelo nunca se llamó sobre un ``keras.Input``. Aquí se
construye una *vista funcional*: un ``keras.Input`` nuevo sobre el que se vuelven a llamar las capas
del ``Sequential`` (las mismas capas, con los mismos pesos).

Todos los mapas se calculan con la puntuación previa al softmax (el *logit* de la clase). Con una
salida softmax saturada (probabilidad 1,0) el gradiente de la probabilidad es casi cero, y el mapa
saldría vacío o con NaN al normalizar. Cada mapa se normaliza a [0, 1] con una guarda: si no hay
evidencia (todo cero), se devuelve un mapa de ceros con una nota, nunca NaN.

Referencias: Selvaraju et al. 2017, *Grad-CAM* (ICCV); Simonyan, Vedaldi y Zisserman 2014,
*Deep inside convolutional networks* (saliencia por gradiente); Smilkov et al. 2017, *SmoothGrad*;
Zeiler y Fergus 2014, *Visualizing and understanding convolutional networks* (oclusión).

Este módulo importa Keras y TensorFlow al importarse; ``import coursekit`` no lo importa.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from coursekit._errors import check_positive_int, invalid_value

METHODS = ("gradcam", "saliency", "occlusion")
METHOD_NAMES = {"gradcam": "Grad-CAM", "saliency": "Saliencia", "occlusion": "Oclusión"}
CONV_TYPES = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D, keras.layers.SeparableConv2D,
              keras.layers.DepthwiseConv2D, keras.layers.Conv2DTranspose)
ZERO_MAP_NOTE = ("El mapa es cero en toda la imagen: el modelo no muestra evidencia a favor de esta "
                 "clase con este método. Se devuelve un mapa de ceros.")
_EPS = 1e-12


@dataclass
class AttributionMap:
    """Mapa de atribución de una imagen: cuánto apoya cada píxel la puntuación de una clase.

    ``values`` tiene forma ``(alto, ancho)`` en [0, 1], o es ``None`` cuando el método no se puede
    aplicar al modelo (``note`` explica por qué). ``layer`` es la capa usada por Grad-CAM.
    """

    method: str
    values: np.ndarray | None
    class_index: int
    note: str | None = None
    layer: str | None = None


def normalize_map(values) -> tuple[np.ndarray, str | None]:
    """Escala un mapa no negativo a [0, 1]; devuelve ``(mapa, nota)``.

    Los NaN e infinitos pasan a 0 y los negativos se recortan a 0. Si el máximo es 0 (o casi), el
    resultado es un mapa de ceros con la nota :data:`ZERO_MAP_NOTE` en lugar de una división por cero.
    """
    values = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    values = np.clip(values, 0.0, None)
    peak = float(values.max()) if values.size else 0.0
    if peak <= _EPS:
        return np.zeros(values.shape, dtype=np.float32), ZERO_MAP_NOTE
    return (values / peak).astype(np.float32), None


def _is_conv(layer) -> bool:
    if isinstance(layer, CONV_TYPES):
        return True
    return isinstance(layer, keras.Model) and any(_is_conv(inner) for inner in layer.layers)


def _flat_layers(model):
    """Devuelve las capas de ``model`` con los ``Sequential`` anidados desplegados."""
    layers = []
    for layer in model.layers:
        if isinstance(layer, keras.Sequential):
            layers += _flat_layers(layer)
        else:
            layers.append(layer)
    return layers


def _check_built(model):
    if not isinstance(model, keras.Model):
        raise invalid_value("model", type(model).__name__, "un modelo de Keras 3 (keras.Model)",
                            error=TypeError)
    if keras.backend.backend() != "tensorflow":
        raise invalid_value("KERAS_BACKEND", keras.backend.backend(), "el backend 'tensorflow'",
                            "Los gradientes de este módulo usan tf.GradientTape.")
    try:
        shape = model.input_shape
    except (AttributeError, ValueError):
        shape = None
    if not model.built or shape is None:
        raise invalid_value("model", model.name, "un modelo construido, con forma de entrada conocida",
                            "Empieza el modelo con `keras.Input(shape=...)`, llama a "
                            "`model.build((None, alto, ancho, canales))` o entrénalo antes.")
    return tuple(shape)


class Explainer:
    """Calcula Grad-CAM, saliencia y oclusión de un modelo ya entrenado.

    Construye una vez la vista funcional, que devuelve a la vez el mapa de características de la capa
    objetivo y la entrada de la última capa. La puntuación previa al softmax se calcula con esa
    entrada y los pesos de la capa final.

    Args:
        model: clasificador Keras 3 (``Sequential`` o funcional) ya construido.
        layer_name: capa para Grad-CAM; por defecto la última con salida espacial (4-D) desde la
            última convolución, es decir, el mapa de características más profundo.
    """

    def __init__(self, model, layer_name: str | None = None):
        shape = _check_built(model)
        self.model = model
        self.input_shape = shape[1:]
        if isinstance(model, keras.Sequential):
            traced = self._retrace_sequential(model)
            head_input = traced[-2][1] if len(traced) > 1 else self._inputs
        else:
            traced = [(layer, layer.output) for layer in model.layers
                      if not isinstance(layer, keras.layers.InputLayer)]
            self._inputs = model.inputs
            head_input = traced[-1][0].input
        self.has_conv = any(_is_conv(layer) for layer, _ in traced)
        self.layer_name = self._choose_layer(traced, layer_name)
        self._head = traced[-1][0]
        self._head_mode = self._classify_head(self._head)
        outputs = [head_input if self._head_mode != "output" else traced[-1][1]]
        if self.layer_name is not None:
            outputs.append(dict((layer.name, tensor) for layer, tensor in traced)[self.layer_name])
        self.view = keras.Model(self._inputs, outputs, name=f"{model.name}_vista")

    def _retrace_sequential(self, model):
        """Vuelve a llamar las capas del ``Sequential`` sobre un ``keras.Input`` nuevo."""
        self._inputs = keras.Input(shape=model.input_shape[1:])
        tensor = self._inputs
        traced = []
        for layer in _flat_layers(model):
            tensor = layer(tensor)
            traced.append((layer, tensor))
        return traced

    def _choose_layer(self, traced, layer_name):
        names = [layer.name for layer, _ in traced]
        if layer_name is not None:
            if layer_name not in names:
                raise invalid_value("layer_name", layer_name, "el nombre de una capa del modelo",
                                    "Capas disponibles: " + ", ".join(names))
            return layer_name
        conv_positions = [i for i, (layer, _) in enumerate(traced) if _is_conv(layer)]
        if not conv_positions:
            return None
        # Un mapa de 1×1 (la C5 de LeNet-5) no localiza nada: se prefiere la última convolución con
        # extensión espacial, seguida de las capas que conservan su alto y ancho (activación, BN, suma).
        spatial = [i for i in conv_positions if _spatial(traced[i][1]) not in (None, (1, 1))]
        chosen = (spatial or conv_positions)[-1]
        for i in range(chosen + 1, len(traced)):
            if _spatial(traced[i][1]) != _spatial(traced[chosen][1]):
                break
            chosen = i
        return names[chosen]

    @staticmethod
    def _classify_head(head) -> str:
        """Clasifica la última capa: ``dense`` (se rehace sin su activación), ``activation`` u ``output``."""
        activation = getattr(head, "activation", None)
        activation_name = getattr(activation, "__name__", "")
        if isinstance(head, keras.layers.Dense) and activation_name in ("softmax", "sigmoid"):
            return "dense"
        if isinstance(head, (keras.layers.Softmax, keras.layers.Activation)):
            return "activation"
        return "output"

    def _scores(self, images, training=False):
        """Devuelve ``(logits, mapa_de_características o None)`` para un lote de imágenes."""
        outputs = self.view(images, training=training)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        before_head = tf.cast(outputs[0], tf.float32)
        if self._head_mode == "dense":
            logits = tf.matmul(before_head, tf.cast(self._head.kernel, tf.float32))
            if self._head.use_bias:
                logits = logits + tf.cast(self._head.bias, tf.float32)
        else:
            logits = before_head
        if logits.shape[-1] == 1:
            logits = tf.concat([-logits, logits], axis=-1)
        features = tf.cast(outputs[1], tf.float32) if len(outputs) > 1 else None
        return logits, features

    def _prepare(self, image):
        image = np.asarray(image, dtype=np.float32)
        if image.shape != tuple(self.input_shape):
            raise invalid_value("image", image, f"una sola imagen de forma {tuple(self.input_shape)}",
                                "Pasa `x[i]`, no el lote entero ni una imagen sin el canal.")
        return image

    def predict_logits(self, images) -> np.ndarray:
        """Devuelve las puntuaciones previas al softmax de un lote ``(N, alto, ancho, canales)``."""
        logits, _ = self._scores(tf.constant(np.asarray(images, dtype=np.float32)))
        return logits.numpy()

    def _class_index(self, image, class_index):
        if class_index is None:
            return int(np.argmax(self.predict_logits(image[None])[0]))
        return int(class_index)

    def grad_cam(self, image, class_index=None) -> AttributionMap:
        """Calcula Grad-CAM: mapa de la capa objetivo ponderado por el gradiente medio del logit.

        Raises:
            ValueError: si el modelo no tiene capas convolucionales (un MLP).
        """
        image = self._prepare(image)
        if self.layer_name is None:
            raise invalid_value(
                "model", self.model.name, "un modelo con al menos una capa convolucional",
                "Grad-CAM pondera los mapas de características de una convolución, y este modelo "
                "(p. ej. un MLP) no tiene ninguna. La saliencia y la oclusión sí funcionan con él.")
        class_index = self._class_index(image, class_index)
        batch = tf.constant(_even_batch(image[None]))
        with tf.GradientTape() as tape:
            logits, features = self._scores(batch)
            score = logits[0, class_index]
        gradients = tape.gradient(score, features)
        if gradients is None or len(features.shape) != 4:
            raise invalid_value("layer_name", self.layer_name,
                                "una capa con salida espacial (alto, ancho, canales) antes de la salida",
                                "Elige una capa convolucional con `layer_name=`.")
        weights = tf.reduce_mean(gradients[:1], axis=(1, 2), keepdims=True)
        cam = tf.nn.relu(tf.reduce_sum(weights * features[:1], axis=-1, keepdims=True))
        cam = tf.image.resize(cam, self.input_shape[:2], method="bilinear")[0, ..., 0]
        values, note = normalize_map(cam.numpy())
        return AttributionMap("gradcam", values, class_index, note, self.layer_name)

    def saliency(self, image, class_index=None, *, samples: int = 0, noise_level: float = 0.15,
                 seed: int = 0) -> AttributionMap:
        """Calcula el mapa de saliencia: valor absoluto del gradiente del logit respecto a la imagen.

        Con ``samples > 0`` aplica SmoothGrad: promedia el gradiente de ``samples`` copias con ruido
        gaussiano de desviación ``noise_level`` × (máximo − mínimo de la imagen).
        """
        image = self._prepare(image)
        if samples < 0 or isinstance(samples, bool) or not isinstance(samples, (int, np.integer)):
            raise invalid_value("samples", samples, "un entero ≥ 0 (0 = gradiente simple)", "Prueba 20.")
        if not 0 <= noise_level < 1:
            raise invalid_value("noise_level", noise_level, "un número en [0, 1)", "Smilkov et al. usan 0.1–0.2.")
        class_index = self._class_index(image, class_index)
        batch = image[None]
        if samples:
            spread = float(image.max() - image.min()) or 1.0
            noise = np.random.default_rng(seed).normal(0.0, noise_level * spread, (samples, *image.shape))
            batch = (image[None] + noise).astype(np.float32)
        count = len(batch)
        batch = tf.constant(_even_batch(batch))
        with tf.GradientTape() as tape:
            tape.watch(batch)
            logits, _ = self._scores(batch)
            score = tf.reduce_sum(logits[:count, class_index])
        gradients = tape.gradient(score, batch).numpy()[:count]
        values, note = normalize_map(np.abs(gradients).mean(axis=0).max(axis=-1))
        return AttributionMap("saliency", values, class_index, note)

    def occlusion(self, image, class_index=None, *, patch: int | None = None, stride: int | None = None,
                  batch_size: int = 64) -> AttributionMap:
        """Calcula la sensibilidad a la oclusión: cuánto baja el logit al tapar cada zona.

        Un parche de ``patch`` píxeles (por defecto 1/4 del lado menor) relleno con el valor medio de
        la imagen recorre la imagen con paso ``stride`` (por defecto medio parche). El mapa promedia
        la caída del logit en cada píxel; las zonas cuya oclusión sube la puntuación quedan en 0.
        """
        image = self._prepare(image)
        height, width = image.shape[:2]
        patch = check_positive_int("patch", patch if patch is not None else max(2, min(height, width) // 4))
        stride = check_positive_int("stride", stride if stride is not None else max(1, patch // 2))
        if patch > min(height, width):
            raise invalid_value("patch", patch, f"un parche de como mucho {min(height, width)} píxeles")
        class_index = self._class_index(image, class_index)
        starts_y = _starts(height, patch, stride)
        starts_x = _starts(width, patch, stride)
        fill = image.mean(axis=(0, 1))
        boxes = [(y, x) for y in starts_y for x in starts_x]
        occluded = np.repeat(image[None], len(boxes), axis=0)
        for i, (y, x) in enumerate(boxes):
            occluded[i, y:y + patch, x:x + patch] = fill
        reference = self.predict_logits(image[None])[0, class_index]
        scores = np.concatenate([self.predict_logits(occluded[i:i + batch_size])[:, class_index]
                                 for i in range(0, len(boxes), batch_size)])
        total = np.zeros((height, width))
        count = np.zeros((height, width))
        for (y, x), score in zip(boxes, scores):
            total[y:y + patch, x:x + patch] += reference - score
            count[y:y + patch, x:x + patch] += 1
        values, note = normalize_map(total / np.maximum(count, 1))
        return AttributionMap("occlusion", values, class_index, note)

    def explain(self, image, class_index=None, methods=METHODS, smoothgrad_samples: int = 0):
        """Aplica varios métodos y devuelve ``{método: AttributionMap}``.

        Con un modelo sin convoluciones, Grad-CAM no lanza un error: su entrada lleva ``values=None``
        y una nota en español que lo explica, y los demás métodos se calculan igual.
        """
        unknown = [m for m in methods if m not in METHODS]
        if unknown or not methods:
            raise invalid_value("methods", methods, "una lista con " + ", ".join(METHODS))
        image = self._prepare(image)
        class_index = self._class_index(image, class_index)
        maps = {}
        for method in methods:
            if method == "gradcam" and self.layer_name is None:
                maps[method] = AttributionMap(method, None, class_index, no_conv_message(self.model))
            elif method == "gradcam":
                maps[method] = self.grad_cam(image, class_index)
            elif method == "saliency":
                maps[method] = self.saliency(image, class_index, samples=smoothgrad_samples)
            else:
                maps[method] = self.occlusion(image, class_index)
        return maps


def _even_batch(batch: np.ndarray) -> np.ndarray:
    """Añade una copia de la última imagen si el lote es impar.

    En TensorFlow 2.21 sobre CPU con oneDNN, el gradiente de una convolución 1×1 con paso 2 (la
    proyección de los bloques residuales) aborta el proceso con lotes impares, también con un lote de
    una sola imagen. Quien llama descarta la copia.
    """
    if len(batch) % 2 == 0:
        return batch
    return np.concatenate([batch, batch[-1:]], axis=0)


def _spatial(tensor):
    """Devuelve ``(alto, ancho)`` de un tensor 4-D, o ``None`` si no es un mapa espacial."""
    shape = tuple(tensor.shape)
    return shape[1:3] if len(shape) == 4 else None


def _starts(size: int, patch: int, stride: int) -> list[int]:
    """Devuelve las posiciones de inicio del parche, incluida la que toca el borde final."""
    starts = list(range(0, size - patch + 1, stride))
    if starts[-1] != size - patch:
        starts.append(size - patch)
    return starts


def no_conv_message(model) -> str:
    """Devuelve el mensaje en español para un modelo sin capas convolucionales."""
    return (f"El modelo «{model.name}» no tiene capas convolucionales (es un MLP o similar), así que "
            "Grad-CAM no tiene mapas de características que ponderar. La saliencia y la oclusión sí "
            "funcionan: se muestran en su lugar.")


def grad_cam(model, image, class_index=None, layer_name=None) -> AttributionMap:
    """Calcula Grad-CAM de ``image`` para ``class_index`` (por defecto la clase predicha)."""
    return Explainer(model, layer_name).grad_cam(image, class_index)


def saliency_map(model, image, class_index=None, samples: int = 0) -> AttributionMap:
    """Calcula el mapa de saliencia (con SmoothGrad si ``samples > 0``)."""
    return Explainer(model).saliency(image, class_index, samples=samples)


def occlusion_map(model, image, class_index=None, patch=None, stride=None) -> AttributionMap:
    """Calcula el mapa de sensibilidad a la oclusión."""
    return Explainer(model).occlusion(image, class_index, patch=patch, stride=stride)


def find_target_layer(model) -> str | None:
    """Devuelve el nombre de la capa que usaría Grad-CAM, o ``None`` si no hay convoluciones."""
    return Explainer(model).layer_name


@dataclass
class Case:
    """Ejemplo elegido para interpretar: índice, tipo, clases real y predicha y confianza."""

    index: int
    kind: str
    true: int
    predicted: int
    confidence: float

    def describe(self, class_names=None) -> str:
        """Devuelve una línea en español, con los nombres de clase si se dan."""
        def name(label):
            return class_names[label] if class_names is not None else str(label)

        kind = {"correcto_seguro": "acierto seguro", "error_seguro": "error seguro", "dudoso": "dudoso"}
        return (f"Ejemplo {self.index} ({kind.get(self.kind, self.kind)}): real «{name(self.true)}», "
                f"predicho «{name(self.predicted)}» con probabilidad {self.confidence:.2f}")


CASE_KINDS = ("correcto_seguro", "error_seguro", "dudoso")


def select_cases(probabilities, y_true, n_cases: int = 4) -> list[Case]:
    """Elige ejemplos para interpretar: acierto seguro, error seguro y dudoso.

    Primero un caso de cada tipo: el acierto con la probabilidad más alta, el error con la
    probabilidad más alta y el ejemplo con menor margen entre las dos clases más probables. Si falta
    un tipo (p. ej. no hay errores) o se piden más casos, se completa con el siguiente mejor de cada
    tipo por turnos. Los empates se resuelven por el índice menor, así que el resultado es reproducible.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    y_true = np.asarray(y_true).reshape(-1).astype(np.int64)
    if probabilities.ndim != 2 or len(probabilities) != len(y_true):
        raise invalid_value("probabilities", probabilities, f"una matriz (N, clases) con N = {len(y_true)}",
                            "Usa `evaluation.probabilities` y `evaluation.y_true`.")
    n_cases = check_positive_int("n_cases", n_cases)
    if n_cases > len(y_true):
        raise invalid_value("n_cases", n_cases, f"como mucho {len(y_true)} casos (los ejemplos disponibles)")
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    ordered = np.sort(probabilities, axis=1)
    margin = ordered[:, -1] - ordered[:, -2] if probabilities.shape[1] > 1 else confidence
    correct = predicted == y_true
    index = np.arange(len(y_true))
    queues = {
        "correcto_seguro": list(index[correct][np.argsort(-confidence[correct], kind="stable")]),
        "error_seguro": list(index[~correct][np.argsort(-confidence[~correct], kind="stable")]),
        "dudoso": list(index[np.argsort(margin, kind="stable")]),
    }
    chosen: list[Case] = []
    used = set()
    while len(chosen) < n_cases:
        added = False
        for kind in CASE_KINDS:
            queue = queues[kind]
            while queue and queue[0] in used:
                queue.pop(0)
            if queue and len(chosen) < n_cases:
                i = int(queue.pop(0))
                used.add(i)
                chosen.append(Case(i, kind, int(y_true[i]), int(predicted[i]), float(confidence[i])))
                added = True
        if not added:
            break
    return chosen
