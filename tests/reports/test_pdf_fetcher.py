"""The PDF renderer loads nothing from outside: no local files, no servers."""

from __future__ import annotations

import http.server
import io
import threading
from typing import Any

from pypdf import PdfReader

from meetapp.reports.pdf import render_pdf


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: Any) -> None:
        pass


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_render_pdf_refuses_files_and_servers(app: Any) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_port
    html = f"""<html><head>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
      <style>@import url(http://127.0.0.1:{port}/imported.css);</style>
      <link rel="attachment" href="file:///etc/passwd">
      </head><body><p>Hello PDF</p>
      <img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/image.png">
      </body></html>"""
    try:
        with app.test_request_context():
            pdf = render_pdf(html)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert _Recorder.hits == []
    reader = PdfReader(io.BytesIO(pdf))
    assert "Hello PDF" in _text(pdf)
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"])
    assert b"root:" not in pdf


def test_render_pdf_uses_the_print_stylesheet_and_static_files(app: Any) -> None:
    with app.test_request_context():
        pdf = render_pdf(
            '<html><body><div class="pdf-organisation">Mekong Migration Network</div>'
            '<p>Body</p><img src="css/print.css"></body></html>'
        )
    text = _text(pdf)
    assert "Mekong Migration Network" in text  # the header, from the print stylesheet
    assert "Page 1 of 1" in text
