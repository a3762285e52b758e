"""Language selection: docs languages come from the URL, UI locale follows them."""
from flask import current_app, g, has_request_context, request
from werkzeug.routing import BaseConverter


class LangConverter(BaseConverter):
    """Matches a language code such as `en`, `ko` or `pt-br` in a URL."""

    regex = r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?"


def content_languages():
    """Codes of the languages docs may be published in, source language first."""
    return list(current_app.config["CONTENT_LANGUAGES"])


def is_content_language(code):
    """True when `code` is a configured docs language."""
    return code in current_app.config["CONTENT_LANGUAGES"]


def language_name(code):
    """The language's own name, e.g. 한국어 for ko."""
    return current_app.config["CONTENT_LANGUAGES"].get(code, code)


def negotiate_language():
    """Best docs language for the request's Accept-Language header."""
    langs = content_languages()
    return request.accept_languages.best_match(langs) or current_app.config["SOURCE_LANGUAGE"]


def select_locale():
    """Flask-Babel locale selector: the page language when the UI speaks it."""
    ui = current_app.config["UI_LANGUAGES"]
    lang = getattr(g, "lang", None)
    if lang in ui:
        return lang
    if not has_request_context():  # CLI commands and reports run outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request and request.args.get("lang") in ui:
        return request.args["lang"]
    return request.accept_languages.best_match(list(ui)) or current_app.config["BABEL_DEFAULT_LOCALE"]
