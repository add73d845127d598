"""Constructores de modelos Keras del curso: MLP, LeNet-5, AlexNet, VGG, ResNet y U-Net.

Cada constructor vive en su propio submódulo, que se importa (con Keras y TensorFlow) solo cuando se
pide el nombre: ``from coursekit.models import lenet5``. Los submódulos se llaman ``*_builder`` porque
un submódulo con el mismo nombre que su función, al importarse, ocuparía ese atributo del paquete y
``from coursekit.models import unet`` daría el módulo en vez de la función.
"""

import importlib

_BUILDERS = {
    "mlp": "classic",
    "lenet5": "classic",
    "small_cnn": "classic",
    "alexnet": "alexnet_builder",
    "vgg": "vgg_builder",
    "resnet": "resnet_builder",
    "small_resnet": "resnet_builder",
    "unet": "unet_builder",
}

__all__ = sorted(_BUILDERS)


def __getattr__(name):
    if name in _BUILDERS:
        module = importlib.import_module(f"{__name__}.{_BUILDERS[name]}")
        builder = getattr(module, name)
        globals()[name] = builder
        return builder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
