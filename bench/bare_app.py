"""A bare Flask app: the yardsticks the registration page is measured against.

Two routes render the same HTML page from one Jinja template and do nothing else: no database,
no session, no extensions.

- `/`: the minimal page (about 340 bytes, one <option>): what Flask itself costs to serve a
  rendered template. The benchmark's goal is judged against this one.
- `POST /`: reads a posted form and answers with a redirect, as registering does: the
  yardstick of registrations per second.
- `/sized`: the same page padded with <option>s rendered in a Jinja loop until it is about
  BARE_PAGE_BYTES long (the benchmark sets it to the size of the registration page). It shows
  how much of the difference is only the size of the page; it is not the goal's yardstick.

The template is given as a string (`PAGE`) but loaded through a DictLoader, so Jinja compiles
it once and caches it, as it does meetapp's template files; `render_template_string` would
compile it again on every request and make the yardstick slow.

Serve it with `gunicorn --pythonpath bench bare_app:app`.
"""

from __future__ import annotations

import os

from flask import Flask, redirect, render_template, request
from flask.typing import ResponseReturnValue
from jinja2 import DictLoader

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<main>
<h1>{{ title }}</h1>
<form method="post">
<label for="item">Item</label>
<select id="item" name="item">
{% for item in items %}<option value="{{ item.key }}">{{ item.label }}</option>
{% endfor %}</select>
<button type="submit">Send</button>
</form>
</main>
</body>
</html>
"""

ITEM_BYTES = len('<option value="item-0000">Item number 0000</option>\n')


def _items(count: int) -> list[dict[str, str]]:
    return [{"key": f"item-{n:04d}", "label": f"Item number {n:04d}"} for n in range(count)]


def create_app(page_bytes: int | None = None) -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"page.html": PAGE})
    target = page_bytes or int(os.environ.get("BARE_PAGE_BYTES") or 8000)
    minimal = _items(1)
    sized = _items(max(1, (target - len(PAGE)) // ITEM_BYTES))

    @app.get("/")
    def page() -> str:
        return render_template("page.html", title="Bare Flask", items=minimal)

    @app.post("/")
    def post() -> ResponseReturnValue:
        return redirect(f"/done/{len(request.form.get('email', ''))}")

    @app.get("/sized")
    def sized_page() -> str:
        return render_template("page.html", title="Bare Flask", items=sized)

    return app


app = create_app()
