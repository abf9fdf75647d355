"""The platform as production runs it, under a steady mixed load, through four faults.

As infra/kubernetes/avhopp.yaml runs it: two `avhopp serve` processes (DATABASE_APP_URL, BROKER_URL,
AVHOPP_SECRET_KEY, AVHOPP_TRUSTED_PROXIES naming the proxy) behind Debian's HAProxy, and a job worker
(`run_worker`, as `avhopp worker` runs it, with the test jobs registered) on RabbitMQ.

PostgreSQL is a private server (pgserver's binaries, a cluster of its own, reached on its socket)
and RabbitMQ a private node (Debian's rabbitmq-server, data in a folder of its own): the shared
ones serve the other tests and must not be restarted. Without rabbitmq-server on this machine,
the shared RabbitMQ stands behind a TCP proxy of the test's own instead, whose "restart" drops
every connection and refuses new ones for a few seconds (the broker itself keeps running).

The load: public callback requests (writes, each with a window of its own, so that every
acknowledged one can be looked for afterwards) and public page reads, each pair from a client
address of its own (the callback limit counts per address). The jobs are the test jobs, committed
to the outbox by the test and relayed by the web processes.

Runs on the server path only (DATABASE_URL set; marker `topology`); needs haproxy.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from avhopp.platform.audit.chain import chain_key
from avhopp.platform.database import (
    RequestContext,
    context_session,
    create_app_engine,
    create_owner_engine,
    session_factory,
)
from avhopp.platform.jobs import enqueue
from avhopp.platform.times import STOCKHOLM
from tests.platform.jobs.sample_jobs import EFFECT_TABLE, QUEUE, record_effect, slow_effect
from tests.platform.jobs.support import DEFAULT_BROKERS, create_effect_table
from tests.platform.web.conftest import SECRET_KEY
from tests.support.live_server import free_port
from tests.support.postgres import create_database, prepare_database
from tests.support.rabbitmq import RABBITMQ_SERVER, PrivateRabbitMQ
from tests.support.tcp_proxy import OutageProxy
from tests.support.web_processes import require_haproxy, running, serve_command, wait_for_proxy, write_haproxy_config

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from subprocess import Popen

    from sqlalchemy import Engine

    from tests.support.postgres import TestDatabase

pytestmark = pytest.mark.topology

_CALLBACK = "/hitta-stod/ring-mig"
_READ = "/hitta-stod"
_BROWSER = {"accept": "text/html,application/xhtml+xml"}
_OUTAGE_SECONDS = 3.0
_JOBS_DURING_OUTAGE = 5
_OWN_SETTINGS = ("DATABASE_", "AVHOPP_", "BROKER_")
"""This environment's settings, which the processes do not inherit: they get production's."""


class RestartableBroker(Protocol):
    """A broker, or the way to it, that can go away and come back."""

    def outage(self) -> None:
        """Go away: every connection closed, new ones refused."""

    def restore(self) -> None:
        """Come back."""


@dataclass
class PrivatePostgres:
    """A PostgreSQL server of this test's own, which it may restart."""

    server: Any
    database: TestDatabase

    def restart(self) -> None:
        """Stop it fast (sessions cut, transactions rolled back) and start it again."""
        _pg_ctl(self.server, "-w", "-m", "fast", "-l", str(self.server.log), "restart")


def _stop_postgres(server: Any) -> None:
    """Stop it: pgserver's own clean-up knows only the postmaster it started, not a restarted one."""
    # pg_ctl fails when the server is already down, which is all this asks for.
    with suppress(subprocess.CalledProcessError):
        _pg_ctl(server, "-w", "-m", "immediate", "stop")


def _pg_ctl(server: Any, *arguments: str) -> None:
    import pgserver  # noqa: PLC0415 - only this test needs it

    pgserver.pg_ctl(list(arguments), pgdata=server.pgdata, user=server.system_user)  # type: ignore[attr-defined]


@dataclass
class MixedLoad:
    """Reads and callback writes through the proxy, each write from a client address of its own."""

    proxy: str
    stop: threading.Event = field(default_factory=threading.Event)
    served: int = 0
    errors: int = 0
    acknowledged: list[datetime] = field(default_factory=list)
    _first_window: datetime = field(
        default_factory=lambda: datetime.now(STOCKHOLM).replace(second=0, microsecond=0) + timedelta(hours=1)
    )

    def run(self) -> None:
        """Until `stop`: a write, then a read, from the next address (the callback limit counts per address)."""
        count = 0
        while not self.stop.is_set():
            address = f"127.1.{count // 250}.{count % 250 + 1}"
            window = self._first_window + timedelta(minutes=count)
            count += 1
            transport = httpx.HTTPTransport(local_address=address)
            with httpx.Client(transport=transport, headers=_BROWSER, timeout=30) as client:
                if self._request(client, "POST", _CALLBACK, _form(window)):
                    self.acknowledged.append(window)
                self._request(client, "GET", _READ, None)
            self.stop.wait(0.02)

    def _request(self, client: httpx.Client, method: str, path: str, form: dict[str, str] | None) -> bool:
        try:
            answer = client.request(method, f"{self.proxy}{path}", data=form)
        except httpx.TransportError:
            self.errors += 1
            return False
        if answer.status_code == httpx.codes.OK:
            self.served += 1
            return True
        self.errors += 1
        return False


def _form(window: datetime) -> dict[str, str]:
    return {
        "phone_number": "070-765 43 21",
        "window_start": window.strftime("%Y-%m-%dT%H:%M"),
        "window_end": (window + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }


@pytest.fixture
def haproxy() -> str:
    """Debian's haproxy, asked for first: without it nothing else is started."""
    return require_haproxy()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A migrated database on a server of its own, with the test jobs' effect table."""
    if not os.environ.get("DATABASE_URL"):
        pytest.skip("the production topology runs on the server path only (DATABASE_URL)")
    import pgserver  # noqa: PLC0415 - only this test needs it

    # Outside pytest's temporary folders, which a concurrent pytest session may delete.
    folder = Path(tempfile.mkdtemp(prefix="avhopp-topology-"))
    server = pgserver.get_server(folder / "pgdata", cleanup_mode="delete")  # type: ignore[attr-defined]
    try:
        admin_url = make_url(server.get_uri()).set(drivername="postgresql+psycopg")
        database = prepare_database(create_database(admin_url))
        engine = create_owner_engine(database.owner_url)
        try:
            create_effect_table(engine, str(database.app_url.username))
        finally:
            engine.dispose()
        yield PrivatePostgres(server, database)
    finally:
        _stop_postgres(server)
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def broker() -> Iterator[tuple[RestartableBroker, str]]:
    """A RabbitMQ the test may restart, and the BROKER_URL that reaches it."""
    if RABBITMQ_SERVER.exists():
        # A short path outside pytest's temporary folders: Erlang and a concurrent pytest both care.
        folder = Path(tempfile.mkdtemp(prefix="avhopp-rabbitmq-"))
        try:
            with PrivateRabbitMQ(folder) as node:
                yield node, node.url
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    configured = os.environ.get("BROKER_URL", "")
    upstream = configured if configured.startswith("amqp") else DEFAULT_BROKERS["rabbitmq"]
    parts = urlsplit(upstream)
    where = (parts.hostname or "127.0.0.1", parts.port or 5672)
    try:
        socket.create_connection(where, timeout=0.5).close()
    except OSError:
        if configured:
            pytest.fail(f"BROKER_URL is set but RabbitMQ does not answer at {where[0]}:{where[1]}")
        pytest.skip(f"neither rabbitmq-server nor a RabbitMQ at {where[0]}:{where[1]}")
    credentials = f"{parts.username or 'guest'}:{parts.password or 'guest'}"
    with OutageProxy(where) as proxy:
        yield proxy, parts._replace(netloc=f"{credentials}@127.0.0.1:{proxy.port}").geturl()
    _delete_test_queues(upstream)


def _delete_test_queues(url: str) -> None:
    import pika  # noqa: PLC0415 - loading it costs every test collection time

    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        for name in (QUEUE, f"{QUEUE}.DQ", f"{QUEUE}.XQ"):
            channel.queue_delete(queue=name)
    finally:
        connection.close()


def _poll(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == httpx.codes.OK
    except httpx.TransportError:
        return False


def _scalar(engine: Engine, statement: str, **params: Any) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(statement), params).scalar()


def _enqueue(database: TestDatabase, tenant: uuid.UUID, jobs: list[tuple[Any, dict[str, Any]]]) -> None:
    """Commit jobs to the outbox as the runtime role, for `tenant`."""

    async def commit() -> None:
        engine = create_app_engine(database.app_url, pool_size=1)
        try:
            sessions = session_factory(engine, audit_key=chain_key(SECRET_KEY))
            async with context_session(sessions, RequestContext(tenant_id=tenant)) as session:
                for actor, arguments in jobs:
                    await enqueue(session, actor, **arguments)
        finally:
            await engine.dispose()

    asyncio.run(commit())


@dataclass
class Topology:
    """The running processes, and how to start them again as Kubernetes would."""

    stack: ExitStack
    env: dict[str, str]
    ports: list[int]
    web: list[Popen[bytes]]
    worker: Popen[bytes]

    def start_web(self, index: int) -> Popen[bytes]:
        """`avhopp serve` on the index'th port, once live."""
        port = self.ports[index]
        return self.stack.enter_context(running(serve_command(port), self.env, f"http://127.0.0.1:{port}/health/live"))

    def start_worker(self) -> Popen[bytes]:
        """The job worker with the test jobs."""
        app_url = self.env["DATABASE_APP_URL"]
        env = {**self.env, "AVHOPP_TEST_APP_URL": app_url, "AVHOPP_TEST_JOB_QUEUE": QUEUE}
        command = [sys.executable, "-m", "tests.platform.jobs.worker_process"]
        return self.stack.enter_context(running(command, env, None))


@dataclass
class Phases:
    """Requests served and failed while each fault played out."""

    load: MixedLoad
    figures: dict[str, tuple[int, int]] = field(default_factory=dict)
    _mark: tuple[int, int] = (0, 0)

    def begin(self) -> None:
        """A phase starts now."""
        self._mark = (self.load.served, self.load.errors)

    def end(self, name: str) -> tuple[int, int]:
        """The phase ends once the load has been served some more: its (served, errors)."""
        _poll(lambda: self.load.served >= self._mark[0] + 5, f"the load to be served during {name}")
        figures = (self.load.served - self._mark[0], self.load.errors - self._mark[1])
        self.figures[name] = figures
        return figures


def test_the_platform_survives_web_database_worker_and_broker_faults_under_load(
    haproxy: str, private_postgres: PrivatePostgres, broker: tuple[RestartableBroker, str], tmp_path: Path
) -> None:
    database = private_postgres.database
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith(_OWN_SETTINGS)},
        "DATABASE_APP_URL": database.app_url.render_as_string(hide_password=False),
        "BROKER_URL": broker[1],
        "AVHOPP_SECRET_KEY": SECRET_KEY,
        "AVHOPP_DATA_DIR": str(tmp_path),
        "AVHOPP_TRUSTED_PROXIES": "127.0.0.1",
    }
    proxy_port = free_port()
    config = tmp_path / "haproxy.cfg"
    owner = create_owner_engine(database.owner_url)
    with ExitStack() as stack:
        stack.callback(owner.dispose)
        topology = Topology(stack, env, [free_port(), free_port()], [], None)  # type: ignore[arg-type]
        topology.web = [topology.start_web(0), topology.start_web(1)]
        topology.worker = topology.start_worker()
        write_haproxy_config(config, f"127.0.0.2:{proxy_port}", topology.ports, failover=True)
        stack.enter_context(running([haproxy, "-db", "-f", str(config)], env, None))
        proxy = f"http://127.0.0.2:{proxy_port}"
        wait_for_proxy(proxy)
        load = MixedLoad(proxy)
        loader = threading.Thread(target=load.run, name="mixed-load", daemon=True)
        loader.start()
        stack.callback(loader.join, 30)
        stack.callback(load.stop.set)
        _poll(lambda: load.served >= 10, "the load to be served")
        phases = Phases(load)

        phases.begin()
        _kill_a_web_process(topology, proxy)
        _, errors = phases.end("web process killed")
        # One load thread: at most its one request in flight fails.
        assert errors <= 1

        phases.begin()
        _restart_postgres(private_postgres, topology)
        phases.end("PostgreSQL restarted")

        tenant = _scalar(owner, "SELECT id FROM tenant ORDER BY slug LIMIT 1")
        phases.begin()
        _kill_the_worker_mid_job(topology, database, owner, tenant)
        assert phases.end("worker killed mid-job")[1] == 0

        phases.begin()
        _restart_the_broker(broker[0], database, owner, tenant)
        assert phases.end("RabbitMQ restarted")[1] == 0

        load.stop.set()
        loader.join(30)
        lost = _writes_lost(owner, load.acknowledged)
        print(  # noqa: T201 - the figures the issue asks the test to show
            f"\nrequests served: {load.served}, errors: {load.errors}, "
            f"writes acknowledged: {len(load.acknowledged)}, writes lost: {len(lost)}"
        )
        for name, (served, failed) in phases.figures.items():
            print(f"  {name}: served {served}, errors {failed}")  # noqa: T201
        assert load.acknowledged
        assert lost == []


def _kill_a_web_process(topology: Topology, proxy: str) -> None:
    """SIGKILL one web process: the other keeps serving; then a new one replaces it."""
    topology.web[0].kill()
    topology.web[0].wait()
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.5"), timeout=30) as client:
        answers = [client.get(f"{proxy}/health/live") for _ in range(20)]
    assert [answer.status_code for answer in answers] == [200] * 20
    assert {answer.headers["x-served-by"] for answer in answers} == {"web1"}
    topology.web[0] = topology.start_web(0)


def _restart_postgres(postgres: PrivatePostgres, topology: Topology) -> None:
    """Restart the server under the web processes: each recovers by itself."""
    postgres.restart()
    for port in topology.ports:
        ready = f"http://127.0.0.1:{port}/health/ready"
        _poll(partial(_answers, ready), f"{ready} to answer again")


def _kill_the_worker_mid_job(topology: Topology, database: TestDatabase, owner: Engine, tenant: uuid.UUID) -> None:
    """SIGKILL the worker while its job's transaction is open: restarted, it completes the job exactly once."""
    mark = f"mid-job-{uuid.uuid4().hex}"
    _enqueue(database, tenant, [(slow_effect, {"mark": mark, "seconds": 2.0})])
    under_way = (
        "SELECT count(*) FROM pg_stat_activity"
        f" WHERE state = 'idle in transaction' AND query LIKE '%INSERT INTO {EFFECT_TABLE}%'"
    )
    _poll(lambda: _scalar(owner, under_way) > 0, "the job to be under way")
    topology.worker.send_signal(signal.SIGKILL)
    topology.worker.wait()
    assert _effects(owner, mark) == 0
    topology.worker = topology.start_worker()
    finished = "SELECT count(*) FROM job_run WHERE actor_name = 'avhopp_test_slow_effect'"
    _poll(lambda: _scalar(owner, finished) == 1, "the job to complete after the restart", seconds=45)
    assert _effects(owner, mark) == 1


def _restart_the_broker(broker: RestartableBroker, database: TestDatabase, owner: Engine, tenant: uuid.UUID) -> None:
    """Jobs committed while RabbitMQ is gone are delivered, once each, when it is back."""
    broker.outage()
    marks = [f"outage-{index}-{uuid.uuid4().hex}" for index in range(_JOBS_DURING_OUTAGE)]
    _enqueue(database, tenant, [(record_effect, {"mark": each}) for each in marks])
    time.sleep(_OUTAGE_SECONDS)  # the outage lasting, not a wait for something to happen
    unsent = "SELECT count(*) FROM job_outbox WHERE sent_at IS NULL AND args->>'mark' LIKE 'outage-%'"
    assert _scalar(owner, unsent) == _JOBS_DURING_OUTAGE
    broker.restore()
    _poll(lambda: all(_effects(owner, each) for each in marks), "the outbox to deliver", seconds=60)
    assert [_effects(owner, each) for each in marks] == [1] * _JOBS_DURING_OUTAGE


def _effects(owner: Engine, mark: str) -> int:
    return int(_scalar(owner, f"SELECT count(*) FROM {EFFECT_TABLE} WHERE mark = :mark", mark=mark))


def _writes_lost(owner: Engine, acknowledged: list[datetime]) -> list[datetime]:
    """The acknowledged callbacks not in the database (the owner, a superuser here, sees every tenant's)."""
    with owner.connect() as connection:
        windows = connection.execute(text("SELECT window_start FROM line_callback")).scalars().all()
    saved = {window.astimezone(STOCKHOLM) for window in windows}
    return [window for window in acknowledged if window not in saved]
