"""Two web processes behind HAProxy: the rate limits count per client, once for both processes.

The processes are `avhopp serve` as production runs it (the runtime role's connection only,
AVHOPP_TRUSTED_PROXIES naming the proxy). Clients reach the proxy from addresses of their own
(127.0.0.2, 127.0.0.3: all of 127/8 is this machine), so the proxy names them in X-Forwarded-For.
Without Debian's `haproxy` the test is skipped, unless AVHOPP_REQUIRE_PROXY=1 (set by .ci/run).
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import pytest

from avhopp.directory.line.web.callbacks import PUBLIC_CALLBACK_LIMIT
from avhopp.platform.times import STOCKHOLM
from tests.platform.web.conftest import SECRET_KEY
from tests.support.live_server import free_port
from tests.support.web_processes import require_haproxy, running, serve_command, wait_for_proxy, write_haproxy_config

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.support.postgres import TestDatabase

BROWSER = {"accept": "text/html,application/xhtml+xml"}
CALLBACK = "/hitta-stod/ring-mig"


@pytest.fixture
def haproxy() -> str:
    return require_haproxy()


@pytest.fixture
def proxied(haproxy: str, database: TestDatabase, tmp_path: Path, clean_database: None) -> Iterator[dict[str, str]]:  # noqa: ARG001
    """The proxy's URL and each web process's own URL."""
    ports = [free_port(), free_port()]
    proxy_port = free_port()
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith(("DATABASE_", "AVHOPP_"))},
        "DATABASE_APP_URL": database.app_url.render_as_string(hide_password=False),
        "AVHOPP_SECRET_KEY": SECRET_KEY,
        "AVHOPP_DATA_DIR": str(tmp_path),
        "AVHOPP_TRUSTED_PROXIES": "127.0.0.1",
    }
    config = tmp_path / "haproxy.cfg"
    write_haproxy_config(config, f"127.0.0.2:{proxy_port}", ports)
    with ExitStack() as stack:
        for port in ports:
            stack.enter_context(running(serve_command(port), env, f"http://127.0.0.1:{port}/health/live"))
        stack.enter_context(running([haproxy, "-db", "-f", str(config)], env, None))
        proxy = f"http://127.0.0.2:{proxy_port}"
        wait_for_proxy(proxy)
        yield {"proxy": proxy, "web0": f"http://127.0.0.1:{ports[0]}", "web1": f"http://127.0.0.1:{ports[1]}"}


def _client(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), headers=BROWSER, timeout=30)


def _form(phone: str = "070-765 43 21") -> dict[str, str]:
    now = datetime.now(STOCKHOLM)
    return {
        "phone_number": phone,
        "window_start": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "window_end": (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
    }


def test_the_callback_limit_holds_per_client_across_processes_behind_a_proxy(proxied: dict[str, str]) -> None:
    proxy = proxied["proxy"]
    with _client("127.0.0.3") as first, _client("127.0.0.4") as second:
        # Refused forms cost the person nothing: only accepted callbacks count.
        refused = [first.post(f"{proxy}{CALLBACK}", data=_form("nej")) for _ in range(3)]
        assert [answer.status_code for answer in refused] == [400] * 3
        accepted = [first.post(f"{proxy}{CALLBACK}", data=_form()) for _ in range(PUBLIC_CALLBACK_LIMIT.requests)]
        assert [answer.status_code for answer in accepted] == [200] * PUBLIC_CALLBACK_LIMIT.requests
        assert {answer.headers["x-served-by"] for answer in refused + accepted} == {"web0", "web1"}
        # Both processes know the limit is spent, whichever one answers, and a forged header changes nothing.
        over = [first.post(f"{proxy}{CALLBACK}", data=_form()) for _ in range(2)]
        over.append(first.post(f"{proxy}{CALLBACK}", data=_form(), headers={"x-forwarded-for": "10.9.8.7"}))
        assert [answer.status_code for answer in over] == [429] * 3
        assert {answer.headers["x-served-by"] for answer in over} == {"web0", "web1"}
        # Another person behind the same proxy is not locked out by the first.
        assert second.post(f"{proxy}{CALLBACK}", data=_form()).status_code == 200


def test_a_client_that_is_no_trusted_proxy_cannot_name_its_own_address(proxied: dict[str, str]) -> None:
    with _client("127.0.0.3") as direct:
        for index in range(PUBLIC_CALLBACK_LIMIT.requests):
            forged = {"x-forwarded-for": f"10.0.0.{index}"}
            assert direct.post(f"{proxied['web0']}{CALLBACK}", data=_form(), headers=forged).status_code == 200
        forged = {"x-forwarded-for": "10.0.1.1"}
        assert direct.post(f"{proxied['web1']}{CALLBACK}", data=_form(), headers=forged).status_code == 429
