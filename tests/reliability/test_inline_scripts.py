"""Every template is free of code the Content-Security-Policy would refuse: the portal's pages
run only the script files under web/static, so the policy can forbid everything else."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
# Jinja's own syntax, blanked out so that the HTML parser sees only the markup around it.
JINJA = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
# htmx attributes whose values htmx hands to eval() (or Function): the same as inline script.
HTMX_CODE = re.compile(r"^(hx-on.*|hx-vals|hx-vars|data-hx-on.*)$")


class InlineCode(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        line = self.getpos()[0]
        if tag == "script" and not names.get("src"):
            self.found.append(f"line {line}: <script> without src")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"line {line}: event handler {name}=")
            elif value.startswith("javascript:"):
                self.found.append(f"line {line}: {name}=javascript:")
            elif HTMX_CODE.match(name) and (name.startswith(("hx-on", "data-hx-on")) or "js:" in value):
                self.found.append(f"line {line}: htmx code in {name}")
            elif name == "hx-trigger" and "[" in value:
                self.found.append(f"line {line}: htmx trigger filter (evaluated code) in {name}")


def inline_code(source: str) -> list[str]:
    # Replaced by spaces of the same length, newlines kept, so reported lines are the file's.
    parser = InlineCode()
    parser.feed(JINJA.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), source))
    parser.close()
    return parser.found


def templates() -> list[Path]:
    found = sorted(TEMPLATES.rglob("*.html"))
    assert len(found) >= 20, f"the portal's templates are not where this test looks: {TEMPLATES}"
    return found


@pytest.mark.parametrize("template", templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_has_no_inline_script_or_handler(template):
    assert inline_code(template.read_text(encoding="utf-8")) == []


def test_the_check_finds_what_it_looks_for():
    # Each kind of inline code the policy would refuse is caught, even inside Jinja blocks.
    source = """{% if x %}<script>alert(1)</script>{% endif %}
<button onclick="go()">x</button>
<a href="javascript:go()">y</a>
<div hx-on:click="go()" hx-vals='js:{a: go()}' hx-trigger="keyup[key=='Enter']"></div>
<script src="{{ url_for('static', filename='portal/portal.js') }}"></script>
<script type="application/json">{"a": 1}</script>"""
    assert inline_code(source) == [
        "line 1: <script> without src", "line 2: event handler onclick=", "line 3: href=javascript:",
        "line 4: htmx code in hx-on:click", "line 4: htmx code in hx-vals",
        "line 4: htmx trigger filter (evaluated code) in hx-trigger", "line 6: <script> without src"]
