"""One rule for every text input: control characters and endless values are refused before any handler runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar import Controller, Request, get, post
from litestar.exceptions import ImproperlyConfiguredException
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from avhopp.app import build_app
from avhopp.platform.app import create_app
from avhopp.platform.text_input import (
    MAX_DEPTH,
    MAX_NAME_LENGTH,
    MAX_PARAMETER_LENGTH,
    MAX_PROBLEMS,
    MAX_VALUE_LENGTH,
    json_problems,
    text_problem,
)
from avhopp.platform.web.input_guard import refuse_unreadable_input
from avhopp.platform.web.parts import PartWeb
from avhopp.tenants.registry.service import People
from tests.platform.web.conftest import PROBE, PUBLIC, platform_settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from litestar import Litestar

    from avhopp.platform.settings import Settings
    from tests.support.postgres import TestDatabase

BROWSER = {"accept": "text/html,application/xhtml+xml"}
# NUL, other C0 controls, DEL and C1 controls (NEL, CSI): none is anything a person types.
CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9b"]
LINE_BREAKS = ["\t", "\n", "\r\n"]

received: list[object] = []
"""What the probes' handlers were given: a refused request must leave this empty."""


class PhoneIn(msgspec.Struct):
    number: str


class EntryIn(msgspec.Struct):
    name: str
    phones: list[PhoneIn] = msgspec.field(default_factory=list)
    extra: dict[str, Any] = msgspec.field(default_factory=dict)


@get("/probe/search", opt=PUBLIC)
async def search(q: FromQuery[str] = "") -> dict[str, str]:
    received.append(q)
    return {"q": q}


@get("/probe/words/{word:str}", opt=PUBLIC)
async def word(word: FromPath[str]) -> dict[str, str]:
    received.append(word)
    return {"word": word}


@post("/probe/form", opt=PROBE)
async def form(request: Request[Any, Any, Any]) -> dict[str, str]:
    values = dict((await request.form()).items())
    received.append(values)
    return {name: str(value) for name, value in values.items()}


@post("/api/probe/entry", opt=PROBE)
async def entry(data: JSONBody[EntryIn]) -> dict[str, str]:
    received.append(data)
    return {"name": data.name}


@pytest.fixture(scope="module")
async def probes(
    database: TestDatabase, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(
        platform_settings(database, tmp_path_factory.mktemp("input")),
        database.app_url,
        people=People(),
        parts=[PartWeb(name="probes", routes=[search, word, form, entry])],
    )
    async with AsyncTestClient(app) as test_client:
        yield test_client


@pytest.fixture
def client(probes: AsyncTestClient[Litestar]) -> AsyncTestClient[Litestar]:
    received.clear()
    return probes


def problem_fields(response: Any) -> list[str]:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "bad_request"
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("control", CONTROLS)
async def test_a_control_character_in_a_query_parameter_is_refused_by_name(
    client: AsyncTestClient[Litestar], control: str
) -> None:
    response = await client.get("/probe/search", params={"q": f"stöd{control}linje"})

    assert problem_fields(response) == ["q"]
    message = response.json()["errors"][0]["message"]
    assert message.startswith("Fältet ”q” innehåller ett tecken som inte är tillåtet")
    assert received == []


@pytest.mark.parametrize("control", CONTROLS + LINE_BREAKS)
async def test_parameters_in_a_url_are_single_lines(client: AsyncTestClient[Litestar], control: str) -> None:
    in_query = await client.get("/probe/search", params={"q": f"a{control}b"})
    in_path = await client.get(f"/probe/words/{quote(f'a{control}b', safe='')}")

    assert problem_fields(in_query) == ["q"]
    assert problem_fields(in_path) == ["word"]
    assert received == []


async def test_a_query_parameter_has_a_length_limit(client: AsyncTestClient[Litestar]) -> None:
    longest = await client.get("/probe/search", params={"q": "å" * MAX_PARAMETER_LENGTH})
    too_long = await client.get("/probe/search", params={"q": "å" * (MAX_PARAMETER_LENGTH + 1)})

    assert longest.status_code == 200
    assert problem_fields(too_long) == ["q"]
    assert too_long.json()["errors"][0]["message"] == "Fältet ”q” får vara högst 4\N{NO-BREAK SPACE}096 tecken långt."


@pytest.mark.parametrize("control", CONTROLS)
async def test_a_control_character_in_a_form_field_is_refused(client: AsyncTestClient[Litestar], control: str) -> None:
    response = await client.post("/probe/form", data={"title": "Mottagning", "note": f"Ring{control}tillbaka"})

    assert problem_fields(response) == ["note"]
    assert received == []


async def test_a_form_field_may_hold_tabs_and_lines_up_to_its_limit(client: AsyncTestClient[Litestar]) -> None:
    lines = "Första raden\r\nAndra\traden\n"
    note = lines + "x" * (MAX_VALUE_LENGTH - len(lines))
    accepted = await client.post("/probe/form", data={"note": note})
    refused = await client.post("/probe/form", data={"note": note + "x"})

    assert accepted.status_code == 201
    assert accepted.json() == {"note": note}
    assert problem_fields(refused) == ["note"]


async def test_a_multipart_form_is_read_by_the_same_rule(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/probe/form", files={"note": (None, "a\x00b")})

    assert problem_fields(response) == ["note"]
    assert received == []


async def test_a_field_name_with_a_control_character_is_refused_without_repeating_it(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.post("/probe/form", data={"no\x00te": "hej"})

    assert problem_fields(response) == [""]
    assert "no" not in response.json()["errors"][0]["message"]
    assert received == []


@pytest.mark.parametrize("control", CONTROLS)
async def test_json_strings_are_read_at_every_depth(client: AsyncTestClient[Litestar], control: str) -> None:
    body = {"name": "Mottagningen", "phones": [{"number": "031-365 00 00"}, {"number": f"031{control}"}]}
    response = await client.post("/api/probe/entry", json=body)

    assert problem_fields(response) == ["phones[1].number"]
    assert received == []


async def test_json_keys_and_values_nested_anywhere_are_limited(client: AsyncTestClient[Litestar]) -> None:
    over_long = await client.post(
        "/api/probe/entry", json={"name": "a", "extra": {"notes": ["ok", "x" * (MAX_VALUE_LENGTH + 1)]}}
    )
    bad_key = await client.post("/api/probe/entry", json={"name": "a", "extra": {"k\x00": "v"}})
    long_key = await client.post("/api/probe/entry", json={"name": "a", "extra": {"k" * (MAX_NAME_LENGTH + 1): "v"}})

    assert problem_fields(over_long) == ["extra.notes[1]"]
    assert problem_fields(bad_key) == [""]
    assert problem_fields(long_key) == [""]
    assert received == []


async def test_json_nested_too_deep_is_refused_not_a_server_error(client: AsyncTestClient[Litestar]) -> None:
    level: dict[str, Any] = {}
    deep = {"name": "a", "extra": level}
    for _ in range(MAX_DEPTH):
        level["x"] = {}
        level = level["x"]
    refused = await client.post("/api/probe/entry", json=deep)
    # Deeper than the decoder's own recursion limit.
    abyss = await client.post(
        "/api/probe/entry", content=b'{"name": "a", "extra": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    )

    assert problem_fields(refused) == [""]
    assert "nivåer" in refused.json()["errors"][0]["message"]
    assert problem_fields(abyss) == [""]
    assert received == []


async def test_a_body_of_many_bad_values_gets_an_answer_of_bounded_size(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/api/probe/entry", json={"name": "a", "phones": [{"number": "\x00"}] * 1000})

    assert len(problem_fields(response)) == MAX_PROBLEMS


async def test_people_get_the_error_page_naming_the_field(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/probe/search", params={"q": "a\x00"}, headers=BROWSER)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Något i förfrågan stämmer inte" in response.text
    assert "Fältet ”q” innehåller ett tecken som inte är tillåtet" in response.text
    assert received == []


async def test_clean_input_reaches_the_handler_unchanged(client: AsyncTestClient[Litestar]) -> None:
    text = "Stöd för unga i Göteborg – 24/7 ✓ \u200b\u00a0ﬁ"
    query = await client.get("/probe/search", params={"q": text})
    body = await client.post("/api/probe/entry", json={"name": text, "extra": {"rader": "ett\ntvå"}})

    assert query.json() == {"q": text}
    assert body.json() == {"name": text}


def test_an_app_whose_route_replaces_the_hook_is_not_built(database: TestDatabase, tmp_path: Path) -> None:
    class Bypass(Controller):
        path = "/bypass"
        before_request = None

        @get("/", opt=PUBLIC, before_request=lambda _request: None)
        async def open_door(self) -> None:
            return None

    with pytest.raises(ImproperlyConfiguredException):
        create_app(
            platform_settings(database, tmp_path),
            database.app_url,
            people=People(),
            parts=[PartWeb("bypass", [Bypass])],
        )


def test_every_route_of_the_product_reads_its_input_through_the_hook(
    test_settings: Settings, database: TestDatabase
) -> None:
    app = build_app(test_settings, database.app_url)
    handlers = [handler for route in app.routes if isinstance(route, HTTPRoute) for handler in route.route_handlers]

    assert len(handlers) > 50
    assert all(handler.resolve_before_request() is refuse_unreadable_input for handler in handlers)


@given(st.text(), st.sampled_from(CONTROLS), st.text())
def test_any_text_with_a_control_character_is_refused(before: str, control: str, after: str) -> None:
    value = before + control + after
    assert text_problem("f", value, max_length=MAX_VALUE_LENGTH, line_breaks=True) is not None


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from("\t\n\r"), max_size=200))
def test_text_without_control_characters_is_accepted_in_a_body(value: str) -> None:
    assert text_problem("f", value, max_length=MAX_VALUE_LENGTH, line_breaks=True) is None


def test_a_route_may_let_one_named_json_field_be_longer_and_no_other() -> None:
    encoded = "QUJD" * 5_000
    document = {"document": encoded, "note": encoded, "nested": {"document": encoded}}
    problems = list(json_problems(document, long_fields={"document": len(encoded)}))
    assert [problem.field for problem in problems] == ["note", "nested.document"]
    assert list(json_problems({"document": encoded + "x"}, long_fields={"document": len(encoded)})) != []
