"""Preguntas sobre parámetros y formas de AlexNet, VGG y ResNet (cuaderno 02).

Las respuestas se calculan con la fórmula de parámetros de una convolución, (k·k·C_in + 1)·C_out,
y con ``coursekit.arithmetic.output_size``, para que enunciado y cuenta no puedan divergir. Las
arquitecturas son las de Krizhevsky et al. (2012), Simonyan y Zisserman (2014) y He et al. (2015).
"""

from __future__ import annotations

from coursekit.arithmetic import output_size
from coursekit.exercises import Question, register


def conv_parameters(kernel: int, in_channels: int, filters: int, bias: bool = True) -> int:
    """Devuelve los parámetros de una convolución: (k·k·C_in + 1)·C_out, o sin el +1 sin sesgo."""
    return (kernel * kernel * in_channels + int(bias)) * filters


PARAMS_HINT = ("Cada filtro tiene k·k·C_in pesos (ve todos los canales de entrada) y un sesgo; "
               "multiplica por el número de filtros.")

register(Question(
    id="arquitecturas_conv_params",
    prompt=("Una convolución de VGG aplica 128 filtros de 3×3 a un mapa de 112×112×64. "
            "¿Cuántos parámetros tiene?"),
    answer=conv_parameters(3, 64, 128),
    explanation=("(3·3·64 + 1)·128 = 577·128 = 73 856. El tamaño del mapa (112×112) no importa: "
                 "los mismos pesos se aplican en todas las posiciones."),
    feedback_for={
        conv_parameters(3, 64, 128, bias=False): "Faltan los 128 sesgos, uno por filtro.",
        conv_parameters(3, 1, 128): ("Cada filtro ve los 64 canales de entrada: tiene 3·3·64 "
                                     "pesos, no 3·3."),
        (3 * 3 + 1) * 64 * 128: "El sesgo se suma una vez por filtro, no una vez por canal.",
        112 * 112 * 64 * 128: ("Ese número depende del tamaño del mapa: una convolución comparte "
                               "sus pesos entre posiciones."),
    },
    hint=PARAMS_HINT,
))

register(Question(
    id="arquitecturas_alexnet_fc6_inputs",
    prompt=("Con entrada de 227×227, el último agrupamiento de AlexNet deja mapas de 6×6 con 256 "
            "canales. ¿Cuántas entradas ve la primera capa densa tras aplanarlos?"),
    answer=6 * 6 * 256,
    explanation=("Aplanar pone en fila todos los valores: 6·6·256 = 9 216. Con 4096 neuronas, "
                 "esa capa tiene (9 216 + 1)·4 096 = 37 752 832 parámetros, el 60 % de la red."),
    feedback_for={
        256: "256 son los canales; al aplanar entran también las 6·6 posiciones de cada uno.",
        4096: "4096 son las neuronas de la capa densa (sus salidas), no sus entradas.",
        5 * 5 * 256: "5×5×256 es lo que sale con entradas de 224×224; la pregunta dice 227.",
        36: "36 = 6·6 cuenta las posiciones de un solo canal; hay 256 canales.",
    },
    hint="Multiplica alto × ancho × canales de la salida del último agrupamiento.",
))

register(Question(
    id="arquitecturas_vgg16_fc1_params",
    prompt=("VGG16 con entrada de 224×224 aplica cinco agrupamientos máximos 2×2 con paso 2 y "
            "termina con 512 canales; su primera capa densa tiene 4096 neuronas. ¿Cuántos "
            "parámetros tiene esa capa densa?"),
    answer=(output_size(224 // 16, 2, 2) ** 2 * 512 + 1) * 4096,
    explanation=("224 / 2^5 = 7, así que la entrada aplanada tiene 7·7·512 = 25 088 valores y la "
                 "capa (25 088 + 1)·4 096 = 102 764 544 parámetros: el 74 % de los 138 357 544 de "
                 "VGG16."),
    feedback_for={
        7 * 7 * 512 * 4096: "Faltan los 4096 sesgos: (25 088 + 1)·4 096.",
        (14 * 14 * 512 + 1) * 4096: "Son cinco agrupamientos: 224 / 2^5 = 7, no 14.",
        (512 + 1) * 4096: "La capa densa ve los 7·7·512 valores aplanados, no solo los 512 canales.",
    },
    hint="Calcula primero el lado tras los cinco agrupamientos y aplana alto × ancho × canales.",
))

register(Question(
    id="arquitecturas_resnet50_stage_shape",
    prompt=("En ResNet-50 con entrada de 224×224×3, el tallo (convolución 7×7/2 y agrupamiento "
            "3×3/2) deja 56×56×64. La etapa conv2_x mantiene el lado y sus bloques de "
            "embotellamiento usan 64 filtros en la 3×3, con expansión ×4. La etapa conv3_x empieza "
            "con paso 2 y usa 128. ¿Qué forma (alto×ancho×canales) tiene la salida de conv3_x?"),
    answer=(28, 28, 512),
    explanation=("El paso 2 divide el lado: 56 / 2 = 28. La última 1×1 del embotellamiento "
                 "expande 128·4 = 512 canales: 28×28×512."),
    feedback_for={
        (28, 28, 128): "Falta la expansión: la última convolución 1×1 del bloque da 4·128 canales.",
        (56, 56, 512): "conv3_x empieza con paso 2, así que el lado se reduce a la mitad.",
        (56, 56, 256): "Esa es la salida de conv2_x (64·4 = 256 canales); la pregunta es conv3_x.",
        (14, 14, 1024): "Esa es la salida de conv4_x, una etapa más adelante.",
    },
    hint="Aplica el paso 2 al lado y la expansión ×4 a los filtros de la etapa.",
))

register(Question(
    id="arquitecturas_two_3x3_vs_5x5",
    prompt=("Dos convoluciones 3×3 seguidas ven la misma región de 5×5 que una sola 5×5. Con 256 "
            "canales de entrada y 256 filtros en cada capa (sin contar sesgos), ¿cuántos pesos "
            "ahorran las dos 3×3 frente a la 5×5?"),
    answer=conv_parameters(5, 256, 256, bias=False) - 2 * conv_parameters(3, 256, 256, bias=False),
    explanation=("Una 5×5: 25·256·256 = 1 638 400 pesos. Dos 3×3: 2·9·256·256 = 1 179 648. "
                 "Ahorran 458 752 (un 28 %) y añaden una no linealidad más: es el argumento de VGG "
                 "para usar solo núcleos 3×3."),
    feedback_for={
        conv_parameters(5, 256, 256, bias=False): "Ese es el total de la 5×5; falta restar las dos 3×3.",
        conv_parameters(5, 256, 256, bias=False) - conv_parameters(3, 256, 256, bias=False):
            "Son dos capas 3×3: resta el doble.",
    },
    hint="Cuenta k·k·C_in·C_out para cada capa y resta.",
))
