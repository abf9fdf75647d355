"""The chart macro: SVG with its table beside it, a hidden count told in words, never by colour alone."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined


@dataclass(frozen=True)
class Figure:
    value: str
    count: int | None


TEMPLATES = Path(str(files("avhopp.platform.web").joinpath("templates")))


def render(figures: list[Figure], total: Figure | None) -> str:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
    environment.globals["_"] = lambda text: text
    template = environment.from_string(
        '{% from "macros/charts.html" import bar_chart with context %}'
        '{{ bar_chart("chart-x", "Vem hörde av sig", figures, {"person": "Personen själv"}, total) }}'
    )
    return template.render(figures=figures, total=total)


def test_a_chart_has_its_table_and_names_what_is_hidden() -> None:
    html = render([Figure("person", 40), Figure("relative", None), Figure("<b>", 9)], Figure("__total__", 55))
    assert 'role="img" aria-labelledby="chart-x-title"' in html
    assert '<title id="chart-x-title">Vem hörde av sig</title>' in html
    assert ">40</text>" in html  # every bar carries its number
    assert 'class="app-chart-hidden"/>\n    <text x="238" y="44">dolt</text>' in html
    assert "<caption>Vem hörde av sig</caption>" in html
    assert '<th scope="row">Personen själv</th><td>40</td>' in html
    assert '<td><span aria-hidden="true">..</span><span class="ds-sr-only">dolt</span></td>' in html
    assert '<th scope="row">Totalt</th><td>55</td>' in html
    assert "&lt;b&gt;" in html
    assert "<script" not in html
    assert " style=" not in html


def test_a_chart_of_hidden_counts_only_draws_no_bar() -> None:
    html = render([Figure("a", None), Figure("b", None)], None)
    assert 'class="app-chart-bar"' not in html
    assert html.count(">dolt</text>") == 2
    assert "Totalt" not in html
