"""U-Net (Ronneberger, Fischer y Brox, 2015) en sus dos variantes: la del artículo y la de relleno 'same'.

Artículo: O. Ronneberger, P. Fischer y T. Brox, «U-Net: Convolutional Networks for Biomedical Image
Segmentation», MICCAI 2015, LNCS 9351, pp. 234-241 (arXiv:1505.04597).

Variante ``padding="valid"`` (la del artículo): cada bloque aplica dos convoluciones 3×3 sin relleno
con ReLU, y cada una quita 2 píxeles al lado. El codificador reduce a la mitad con un agrupamiento
máximo 2×2 de paso 2. El decodificador dobla el tamaño con una convolución transpuesta 2×2
(«up-convolution») que divide los filtros entre dos. Las conexiones de salto recortan el centro del
mapa del codificador antes de concatenarlo, así que la salida es más pequeña que la entrada:
572×572 → 388×388 con 4 agrupamientos.

Variante ``padding="same"``: el mismo esquema con relleno, de modo que la salida tiene el tamaño de la
entrada, que debe ser múltiplo de ``2**depth``.

Diferencias opcionales respecto al artículo (desactivadas por defecto): ``batch_norm=True`` añade
``BatchNormalization`` (momento 0,9) entre cada convolución y su ReLU (no existía en 2015); ``dropout`` se aplica al
final del codificador, donde el artículo dice que lo usa, sin dar su tasa. La última capa (convolución
1×1 y softmax) se construye siempre en float32 para que la precisión mixta no degrade las
probabilidades.
"""

from __future__ import annotations

import numbers

import keras
from keras import layers

from coursekit._errors import check_choice, check_positive_int, invalid_value

PADDINGS = ("valid", "same")


def output_size(input_size: int, depth: int = 4, padding: str = "valid") -> int | None:
    """Calcula el lado de la salida de una U-Net para un lado de entrada, o ``None`` si no es válido.

    Con ``padding="valid"`` sigue el tamaño por la red: cada bloque resta 4 píxeles (dos
    convoluciones 3×3 sin relleno), cada agrupamiento exige un tamaño par y lo divide entre 2 y cada
    subida lo multiplica por 2. Con ``padding="same"`` la salida es igual a la entrada, que debe ser
    divisible entre ``2**depth``.

    Ejemplo::

        >>> output_size(572, depth=4)   # 572→568→284→280→140→136→68→64→32→28, y de vuelta 388
        388
        >>> output_size(570, depth=4) is None   # 566 es par, pero 566/2 − 4 = 279 es impar
        True
    """
    if padding == "same":
        return input_size if input_size > 0 and input_size % (2 ** depth) == 0 else None
    size = input_size
    for _ in range(depth):
        size -= 4
        if size <= 0 or size % 2:
            return None
        size //= 2
    size -= 4
    for _ in range(depth):
        if size <= 0:
            return None
        size = 2 * size - 4
    return size if size > 0 else None


def valid_input_sizes(depth: int = 4, padding: str = "valid", start: int = 1,
                      stop: int = 1024) -> list[int]:
    """Devuelve los lados de entrada en ``[start, stop]`` que la U-Net acepta.

    Con ``padding="valid"`` y ``depth=4`` son 188, 204, 220, ... (de 16 en 16: ``2**depth``), y 572
    está entre ellos.
    """
    return [size for size in range(max(1, start), stop + 1)
            if output_size(size, depth, padding) is not None]


def nearest_valid_sizes(size: int, depth: int = 4, padding: str = "valid") -> tuple[int | None, int]:
    """Devuelve el lado válido más cercano por debajo (``None`` si no hay) y por encima de ``size``."""
    below = next((s for s in range(size, 0, -1) if output_size(s, depth, padding) is not None), None)
    above = next(s for s in range(max(size, 1), size + 64 * 2 ** depth + 200)
                 if output_size(s, depth, padding) is not None)
    return below, above


def _check_input_shape(input_shape, depth: int, padding: str) -> tuple:
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise invalid_value("input_shape", input_shape, "una tupla (alto, ancho, canales)",
                            "Por ejemplo (572, 572, 1) para una imagen en escala de grises.",
                            error=TypeError)
    height, width, channels = input_shape
    if isinstance(channels, numbers.Integral) and isinstance(height, numbers.Integral) \
            and height <= 4 < channels:
        raise invalid_value("input_shape", tuple(input_shape),
                            "los canales al final (alto, ancho, canales)",
                            f"Parece que los canales van primero; usa ({width}, {channels}, {height}).")
    check_positive_int("input_shape[2] (canales)", channels)
    for name, side in (("alto", height), ("ancho", width)):
        if side is None and padding == "same":
            continue
        if side is None:
            raise invalid_value(f"input_shape ({name})", side, "un tamaño fijo con padding='valid'",
                                "Los recortes de las conexiones de salto necesitan tamaños "
                                "conocidos; usa padding='same' para tamaños variables.")
        check_positive_int(f"input_shape ({name})", side)
        if output_size(side, depth, padding) is None:
            below, above = nearest_valid_sizes(side, depth, padding)
            near = f"{below} o {above}" if below is not None else f"{above} (el mínimo)"
            rule = ("múltiplo de 2**depth" if padding == "same" else
                    "un tamaño que quede par antes de cada agrupamiento tras restar 4")
            raise invalid_value(
                f"input_shape ({name})", side,
                f"{rule} (depth={depth}, padding='{padding}')",
                f"Los tamaños válidos más cercanos son {near}; recorta o rellena la imagen.")
    return (height, width, channels)


# Momento de las medias móviles de BatchNorm (Keras usa 0.99). Con 0.9 alcanzan a las de los lotes
# en unas decenas de pasos, y la red predice bien aunque se entrene solo unas pocas épocas.
BATCH_NORM_MOMENTUM = 0.9


def _conv_block(x, filters: int, padding: str, batch_norm: bool, name: str):
    """Aplica dos convoluciones 3×3 con ReLU (y BatchNorm antes de la ReLU si se pide)."""
    for index in (1, 2):
        x = layers.Conv2D(filters, 3, padding=padding, use_bias=not batch_norm,
                          kernel_initializer="he_normal", name=f"{name}_conv{index}")(x)
        if batch_norm:
            x = layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name=f"{name}_bn{index}")(x)
        x = layers.Activation("relu", name=f"{name}_relu{index}")(x)
    return x


def _center_crop(skip, target, name: str):
    """Recorta el centro de ``skip`` al alto y ancho de ``target`` («copy and crop» del artículo)."""
    skip_h, skip_w = skip.shape[1], skip.shape[2]
    target_h, target_w = target.shape[1], target.shape[2]
    if skip_h == target_h and skip_w == target_w:
        return skip
    crop_h, crop_w = skip_h - target_h, skip_w - target_w
    return layers.Cropping2D(((crop_h // 2, crop_h - crop_h // 2),
                              (crop_w // 2, crop_w - crop_w // 2)), name=name)(skip)


def unet(input_shape=(572, 572, 1), num_classes: int = 2, depth: int = 4, base_filters: int = 64,
         padding: str = "valid", batch_norm: bool = False, dropout: float = 0.0,
         name: str = "unet") -> keras.Model:
    """Construye una U-Net con salida softmax por píxel.

    Args:
        input_shape: ``(alto, ancho, canales)``. Con ``padding="valid"`` cada lado debe ser un
            tamaño válido (ver :func:`valid_input_sizes`); con ``"same"``, múltiplo de ``2**depth``
            o ``None`` para aceptar cualquier tamaño válido al predecir. Por defecto (572, 572, 1).
        num_classes: clases de la máscara, incluida la de fondo. Por defecto 2.
        depth: número de agrupamientos (el artículo usa 4).
        base_filters: filtros del primer bloque; se doblan en cada nivel (el artículo usa 64).
        padding: ``"valid"`` (artículo, salida recortada) o ``"same"`` (salida del tamaño de la entrada).
        batch_norm: añade ``BatchNormalization`` tras cada convolución. Por defecto ``False``.
        dropout: tasa de ``Dropout`` al final del codificador; 0 lo omite.
        name: nombre del modelo Keras.

    Formas: entrada ``(lote, alto, ancho, canales)``; salida ``(lote, alto', ancho', num_classes)``
    con probabilidades que suman 1 por píxel; ``alto' = output_size(alto, depth, padding)``.

    Raises:
        ValueError: tamaño de entrada que la red no acepta (el mensaje da los más cercanos válidos),
            canales primero, ``padding`` desconocido, ``dropout`` fuera de [0, 1).
        TypeError: ``input_shape`` que no es una tupla de 3 elementos, enteros que no son enteros.

    Ejemplo::

        >>> model = unet((572, 572, 1))          # configuración del artículo
        >>> model.output_shape, model.count_params()
        ((None, 388, 388, 2), 31030658)
    """
    check_choice("padding", padding, PADDINGS)
    depth = check_positive_int("depth", depth)
    base_filters = check_positive_int("base_filters", base_filters)
    num_classes = check_positive_int("num_classes", num_classes, minimum=2,
                                     hint="Incluye el fondo: una máscara binaria tiene 2 clases.")
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
        raise invalid_value("dropout", dropout, "un número en [0, 1)", "El artículo no da la tasa; "
                            "prueba 0.5 al final del codificador.")
    input_shape = _check_input_shape(input_shape, depth, padding)

    inputs = keras.Input(shape=input_shape, name="imagen")
    x = inputs
    skips = []
    for level in range(depth):
        x = _conv_block(x, base_filters * 2 ** level, padding, batch_norm, f"enc{level + 1}")
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"pool{level + 1}")(x)
    x = _conv_block(x, base_filters * 2 ** depth, padding, batch_norm, "fondo")
    if dropout:
        x = layers.Dropout(dropout, name="fondo_dropout")(x)

    for level in reversed(range(depth)):
        filters = base_filters * 2 ** level
        x = layers.Conv2DTranspose(filters, 2, strides=2, name=f"up{level + 1}")(x)
        skip = _center_crop(skips[level], x, name=f"crop{level + 1}")
        x = layers.Concatenate(name=f"concat{level + 1}")([skip, x])
        x = _conv_block(x, filters, padding, batch_norm, f"dec{level + 1}")

    # Las probabilidades en float32 aunque el resto de la red use mixed_float16.
    logits = layers.Conv2D(num_classes, 1, dtype="float32", name="logits")(x)
    outputs = layers.Softmax(dtype="float32", name="probabilidades")(logits)
    return keras.Model(inputs, outputs, name=name)
