"""Spanish: Snowball stems (whoosh.lang) plus what the stemmer cannot know.

- Stem-changing verbs: `probar` stems to `prob` but `prueba` to `prueb`; a reader asking
  `cómo probar` wants the page `Pruebas`. The pairs below map one stem onto the other.
- The Spanish pages keep some English words (`Response`, `Request`, `Body`) where a reader
  writes Spanish: both are indexed and queried as the English word.
Applies to page text and queries alike; changing it means bump `engine.INDEX_FORMAT`.
"""
from whoosh.analysis import Filter
from whoosh.lang import stemmer_for_language

# (verb form, noun/other form of the same root) whose stems differ.
STEM_PAIRS = (("probar", "prueba"), ("mostrar", "muestra"), ("encontrar", "encuentra"),
              ("resolver", "resuelve"), ("devolver", "devuelve"), ("volver", "vuelve"),
              ("poder", "puede"), ("contar", "cuenta"), ("recordar", "recuerda"),
              ("desplegar", "despliegue"), ("depurar", "depuración"))
WORDS = {"respuesta": "response", "respuestas": "response", "solicitud": "request",
         "solicitudes": "request", "petición": "request", "peticiones": "request",
         "cuerpo": "body", "encabezado": "header", "encabezados": "header",
         "cabecera": "header", "cabeceras": "header", "galleta": "cookie",
         "galletas": "cookie"}


def _stem_map():
    stem = stemmer_for_language("es")
    return {stem(a): stem(b) for a, b in STEM_PAIRS if stem(a) != stem(b)}


class SpanishWordsFilter(Filter):
    """Before stemming: Spanish words the pages write in English become the English word."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = WORDS.get(t.text, t.text)
            yield t


class SpanishStemFilter(Filter):
    """After stemming: one stem for both forms of a stem-changing verb."""

    def __init__(self):
        self.stems = _stem_map()

    def __eq__(self, other):
        return type(other) is type(self)

    def __getstate__(self):
        return {}

    def __setstate__(self, state):
        self.__init__()

    def __call__(self, tokens):
        stems = self.stems
        for t in tokens:
            t.text = stems.get(t.text, t.text)
            yield t
