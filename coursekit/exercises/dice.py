"""Ejercicios del cuaderno de Dice: un cálculo a mano y qué pasa con la media si falta una clase.

Las respuestas son números fijos; ``tests/test_exercises_dice.py`` comprueba que coinciden con lo que
calcula ``coursekit.metrics`` sobre las mismas máscaras.
"""

from coursekit.exercises import Question, register

# Máscaras 4×4 del ejercicio a mano: VP = 3, FP = 2, FN = 1.
HAND_TRUTH = [[0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
HAND_PREDICTION = [[0, 1, 1, 1], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]

register(Question(
    id="dice_by_hand",
    prompt=("Verdad de referencia (por filas): [0 1 1 0], [0 1 1 0], [0 0 0 0], [0 0 0 0]. "
            "Predicción: [0 1 1 1], [0 1 0 0], [0 1 0 0], [0 0 0 0]. ¿Cuánto vale el Dice de la "
            "clase 1? Escribe un decimal con al menos dos cifras (p. ej. 0,42)."),
    answer=2 / 3,
    tolerance=0.005,
    explanation=("|G| = 4 y |P| = 5; coinciden 3 píxeles (VP = 3), sobran 2 (FP) y falta 1 (FN). "
                 "DSC = 2·3 / (4 + 5) = 6/9 ≈ 0,667."),
    feedback_for={
        0.5: ("0,5 es la IoU: 3 / (3 + 2 + 1). El Dice cuenta la intersección dos veces: "
              "2·VP / (|G| + |P|)."),
        1 / 3: "Falta el 2 del numerador: la fórmula es 2·|G∩P| / (|G| + |P|).",
        0.8125: ("0,8125 = 13/16 es la exactitud (accuracy) de los píxeles: cuenta el fondo "
                 "acertado, que el Dice de la clase 1 no usa."),
        0.768: ("Parece la media de fondo y clase 1. La pregunta pide solo la clase 1, y el fondo "
                "no se promedia."),
        0.75: "Revisa |P|: la predicción marca 5 píxeles de la clase 1, no 4.",
    },
    hint="Cuenta |G|, |P| y los píxeles que coinciden, y aplica 2·|G∩P| / (|G| + |P|).",
))

register(Question(
    id="dice_absent_class_mean",
    prompt=("Un modelo segmenta fondo y clases 1, 2 y 3. En una imagen obtiene Dice 0,9 en la "
            "clase 1 y 0,6 en la clase 3; la clase 2 no aparece ni en la verdad de referencia ni "
            "en la predicción. ¿Qué Dice medio (sin el fondo) devuelve coursekit.metrics.mean_dice "
            "con sus opciones por defecto?"),
    answer=0.75,
    tolerance=0.005,
    explanation=("La clase 2 da 0/0: está indefinida, vale NaN y queda fuera de la media. "
                 "Media = (0,9 + 0,6) / 2 = 0,75."),
    feedback_for={
        0.5: ("Has contado la clase ausente como 0. Un 0 castigaría al modelo por una clase que "
              "no tenía que encontrar, y nadie se equivocó en ella."),
        0.8333: ("Has contado la clase ausente como 1: es lo que hace `undefined_value=1.0`, no "
                 "la opción por defecto."),
        0.6: "0,6 es solo la clase 3; la clase 1 también está definida.",
    },
    hint="Decide primero cuánto vale 2·0 / (0 + 0) y si entra en la media.",
))

register(Question(
    id="dice_false_positive_class",
    prompt=("En otra imagen la clase 2 no aparece en la verdad de referencia, pero el modelo la "
            "predice en 3 píxeles. ¿Cuánto vale el Dice de la clase 2?"),
    answer=0,
    explanation=("|G| = 0 y |P| = 3: el denominador no es 0, así que el Dice está definido y "
                 "vale 2·0 / (0 + 3) = 0. Son tres falsos positivos y cuentan."),
    feedback_for={
        "nan": ("No es indefinido: solo 2·0 / (0 + 0) lo es. Aquí |G| + |P| = 3, así que el "
                "cociente existe."),
        "indefinido": ("No es indefinido: solo 2·0 / (0 + 0) lo es. Aquí |G| + |P| = 3, así que "
                       "el cociente existe."),
        1: "Un 1 premiaría tres píxeles inventados: no hay ningún acierto en la clase 2.",
    },
    hint="Escribe |G|, |P| y |G∩P| de la clase 2 y aplica la fórmula.",
))

register(Question(
    id="dice_false_positive_mean",
    prompt=("Siguiendo con esa imagen: las clases 1 y 3 obtienen Dice 0,9 y 0,6, y la clase 2 es "
            "la de los 3 falsos positivos. ¿Cuál es el Dice medio sin el fondo?"),
    answer=0.5,
    tolerance=0.005,
    explanation=("La clase 2 vale 0 y sí entra en la media: (0,9 + 0 + 0,6) / 3 = 0,5. Predecir "
                 "una clase que no está baja la media, como debe ser."),
    feedback_for={
        0.75: ("Has dejado fuera la clase 2. Solo se omite una clase indefinida (0/0); esta tiene "
               "|P| = 3 y vale 0."),
    },
    hint="Usa el Dice de la clase 2 que calculaste en la pregunta anterior.",
))
