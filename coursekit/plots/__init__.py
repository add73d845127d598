"""Figuras del curso con títulos y ejes en español.

Cada submódulo agrupa un tipo de figura: ``curves`` (curvas de aprendizaje, matriz de confusión),
``grids`` (rejillas de imágenes), ``masks`` (máscaras y Dice), ``segmentation`` (superposiciones de
U-Net). Se importan al usarse: ``from coursekit.plots.curves import plot_history``.
"""
