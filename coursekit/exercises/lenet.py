"""Preguntas sobre las dimensiones de LeNet-5 y AlexNet (cuaderno 01).

Todas se resuelven con la fórmula del tamaño de salida ``(I − K + 2P) / S + 1``. Las respuestas
se calculan con ``coursekit.arithmetic``, así que la cuenta y la respuesta esperada no divergen.
Las dimensiones de LeNet-5 son las de LeCun et al. (1998), «Gradient-based learning applied to
document recognition»; las de AlexNet, las de Krizhevsky et al. (2012).
"""

from __future__ import annotations

from coursekit.arithmetic import output_size, same_padding
from coursekit.exercises import Question, register

FORMULA_HINT = ("Parte de salida = (I − K + 2P) / S + 1, sustituye lo que conoces y despeja la "
                "incógnita.")

register(Question(
    id="lenet_c1_kernel",
    prompt=("LeNet-5 recibe imágenes de 32×32 y su capa C1 produce mapas de características de "
            "28×28, sin relleno y con paso 1. ¿Qué lado tiene el núcleo de C1?"),
    answer=5,
    explanation=("Con relleno 'valid' y paso 1: 28 = (32 − K) / 1 + 1, luego 32 − K = 27 y "
                 "K = 5. C1 usa núcleos de 5×5."),
    feedback_for={
        4: ("Has restado 32 − 28 y falta el «+ 1» de la fórmula: con K = 4 saldrían "
            "(32 − 4) / 1 + 1 = 29 posiciones."),
        27: "27 es el valor de 32 − K en la cuenta; despeja K de 32 − K = 27.",
        6: "6 es el número de filtros (mapas de características) de C1, no el lado del núcleo.",
        3: "Con K = 3 saldrían (32 − 3) / 1 + 1 = 30 posiciones, no 28.",
        28: "28 es el lado de la salida; la pregunta pide el del núcleo.",
    },
    hint=FORMULA_HINT,
))

register(Question(
    id="lenet_s2_pool",
    prompt=("La capa S2 de LeNet-5 agrupa los mapas de 28×28 de C1 en mapas de 14×14, con paso 2 "
            "y sin relleno. ¿Qué lado tiene la ventana de agrupamiento?"),
    answer=2,
    explanation=("14 = (28 − K) / 2 + 1, luego 28 − K = 26 y K = 2: ventanas de 2×2 que no se "
                 "solapan y cubren la entrada entera."),
    feedback_for={
        1: ("Con K = 1 también salen 14 posiciones, porque (28 − 1) / 2 + 1 = 14,5 y se descarta "
            "la última ventana. Pero cada ventana vería un solo píxel: no agruparía nada y se "
            "perderían 3 de cada 4 valores. El lado que hace la división exacta es otro."),
        14: "14 es el lado de la salida; la pregunta pide el de la ventana.",
        26: "26 es el valor de 28 − K en la cuenta; despeja K de 28 − K = 26.",
        3: "Con K = 3: (28 − 3) / 2 + 1 = 13,5, que se queda en 13 posiciones, no 14.",
        4: "Con K = 4: (28 − 4) / 2 + 1 = 13 posiciones, no 14.",
    },
    hint=FORMULA_HINT,
))

register(Question(
    id="lenet_c3_shape",
    prompt=("C3 aplica 16 filtros de 5×5, sin relleno y con paso 1, a los mapas de 14×14×6 que "
            "salen de S2. ¿Qué forma tiene su salida (alto×ancho×mapas)?"),
    answer=(output_size(14, 5), output_size(14, 5), 16),
    explanation=("(14 − 5) / 1 + 1 = 10, y cada uno de los 16 filtros da un mapa: la salida es "
                 "10×10×16. Los 6 canales de entrada se suman dentro de cada filtro."),
    feedback_for={
        (9, 9, 16): "Falta el «+ 1»: 14 − 5 = 9 cuenta los desplazamientos, no las posiciones.",
        (14, 14, 16): "Eso sería con relleno 'same'; C3 no usa relleno.",
        (10, 10, 6): ("El número de mapas de salida es el número de filtros de C3, no el de "
                      "canales de la entrada."),
        10: ("Falta una dimensión: el lado sí es 10, pero la forma incluye también el número "
             "de mapas (10x10x?)."),
    },
    hint="Calcula el lado con la fórmula y recuerda que cada filtro produce un mapa.",
))

register(Question(
    id="lenet_c5_output",
    prompt=("C5 aplica 120 filtros de 5×5, sin relleno y con paso 1, a los mapas de 5×5×16 que "
            "salen de S4. ¿Qué lado tiene cada mapa de salida de C5?"),
    answer=output_size(5, 5),
    explanation=("(5 − 5) / 1 + 1 = 1: cada filtro cubre la entrada entera y da un solo número. "
                 "La salida es 1×1×120, así que C5 equivale a una capa densa de 120 unidades "
                 "sobre los 5·5·16 = 400 valores de S4."),
    feedback_for={
        0: "Falta el «+ 1»: cuando K = I cabe exactamente una ventana.",
        5: "5 sería con relleno 'same'; C5 no usa relleno.",
        120: "120 es el número de mapas de C5, no su lado.",
    },
    hint=FORMULA_HINT,
))

register(Question(
    id="same_padding_k5",
    prompt=("Queremos que una convolución de 5×5 con paso 1 conserve una entrada de 32×32. "
            "¿Cuántos píxeles de relleno P hay que añadir a cada lado?"),
    answer=same_padding(32, 5)[0],
    explanation=("32 = (32 − 5 + 2P) / 1 + 1, luego 2P = 4 y P = 2 por lado. Con paso 1 y núcleo "
                 "impar, el relleno 'same' de Keras es siempre (K − 1) / 2 a cada lado."),
    feedback_for={
        4: "4 es el relleno total (2P), repartido entre los dos lados; la pregunta pide uno.",
        5: "No hace falta rellenar K píxeles: con P = 5 saldrían (32 − 5 + 10) / 1 + 1 = 38.",
        1: "Con P = 1 saldrían (32 − 5 + 2) / 1 + 1 = 30 posiciones, no 32.",
        2.5: "El relleno es un número entero de píxeles; revisa la cuenta de 2P.",
    },
    hint="Iguala la salida a 32 en (I − K + 2P) / S + 1 y despeja P.",
))

register(Question(
    id="alexnet_conv1_227",
    prompt=("La primera capa de AlexNet aplica 96 filtros de 11×11 con paso 4 y sin relleno a "
            "una imagen de 227×227×3. ¿Qué lado tiene su salida?"),
    answer=output_size(227, 11, 4),
    explanation="(227 − 11) / 4 + 1 = 54 + 1 = 55: la división es exacta y salen mapas de 55×55×96.",
    feedback_for={
        54: "54 es (227 − 11) / 4; falta el «+ 1».",
        217: "217 = 227 − 11 + 1 sería con paso 1; esta capa avanza 4 píxeles cada vez.",
        57: "57 = ceil(227 / 4) sería con relleno 'same'; esta capa no usa relleno.",
    },
    hint=FORMULA_HINT,
))

register(Question(
    id="alexnet_conv1_224",
    prompt=("El artículo de AlexNet menciona entradas de 224×224. Con la misma primera capa "
            "(11×11, paso 4, sin relleno), ¿qué lado tendría la salida?"),
    answer=output_size(224, 11, 4),
    explanation=("(224 − 11) / 4 + 1 = 54,25. La división no es exacta: la última ventana no cabe "
                 "y se descarta, así que salen 54 posiciones y queda 1 píxel sin cubrir (Keras "
                 "redondea hacia abajo con 'valid'). Con 224 no salen los 55×55 del artículo; por "
                 "eso muchas implementaciones usan entradas de 227×227."),
    feedback_for={
        55: ("55 es lo que sale con 227. Con 224 la cuenta da 54,25 y no se puede redondear hacia "
             "arriba: esa ventana se saldría de la imagen."),
        54.25: ("El número de posiciones es entero: cuando la división no es exacta, la última "
                "ventana no cabe y se descarta."),
        53: "53 es (224 − 11) / 4 sin decimales; falta el «+ 1».",
    },
    hint=FORMULA_HINT,
))
