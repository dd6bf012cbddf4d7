"""A bare Flask app: the yardstick the registration page is measured against.

One route renders an HTML page from a Jinja template and nothing else: no database, no
session, no extensions. The template is given as a string (`PAGE`) but loaded through a
DictLoader, so Jinja compiles it once and caches it, as it does meetapp's template files;
`render_template_string` would compile it again on every request and make the yardstick slow.

BARE_PAGE_BYTES sets roughly how large the page is, so that it can be made about as large as
the page it is compared with (the benchmark sets it).

Serve it with `gunicorn --pythonpath bench bare_app:app`.
"""

from __future__ import annotations

import os

from flask import Flask, render_template
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


def create_app(page_bytes: int | None = None) -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"page.html": PAGE})
    target = page_bytes or int(os.environ.get("BARE_PAGE_BYTES") or 8000)
    count = max(1, (target - len(PAGE)) // ITEM_BYTES)
    items = [{"key": f"item-{n:04d}", "label": f"Item number {n:04d}"} for n in range(count)]

    @app.get("/")
    def page() -> str:
        return render_template("page.html", title="Bare Flask", items=items)

    return app


app = create_app()
