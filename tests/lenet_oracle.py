"""LeNet-5 escrita capa a capa con Keras, como oráculo independiente de ``coursekit.models``.

La usan las pruebas de aritmética de capas y de coste: sus formas, parámetros y MACs se calculan a
mano en esas pruebas, así que no debe salir del constructor que se está probando.
"""

import keras


def hand_built_lenet(input_name=None, name="lenet"):
    """Construye LeNet-5 para 32×32×1 con tanh, agrupamiento medio y capas de nombres fijos."""
    return keras.Sequential([
        keras.Input((32, 32, 1), name=input_name),
        keras.layers.Conv2D(6, 5, activation="tanh", name="C1"),
        keras.layers.AveragePooling2D(2, name="S2"),
        keras.layers.Conv2D(16, 5, activation="tanh", name="C3"),
        keras.layers.AveragePooling2D(2, name="S4"),
        keras.layers.Conv2D(120, 5, activation="tanh", name="C5"),
        keras.layers.Flatten(name="aplanar"),
        keras.layers.Dense(84, activation="tanh", name="F6"),
        keras.layers.Dense(10, activation="softmax", name="salida"),
    ], name=name)
