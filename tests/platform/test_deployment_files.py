"""The deployment files: valid Kubernetes objects, and every setting the code needs set in them.

The manifests are checked offline against the JSON schemas that `kubernetes-validate` bundles,
strictly (an unknown field, such as a misspelt probe, is an error). The settings the code reads
are not listed here: they are the variables `load_settings` looks up, recorded as it runs.
"""

from __future__ import annotations

import copy
import re
import shlex
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from avhopp.platform.settings import load_settings

_INFRA = Path(__file__).resolve().parents[2] / "infra"

KUBERNETES_VERSION = "1.37"
"""The newest release whose schemas kubernetes-validate 1.37 bundles: what a cluster set up or upgraded
now runs, and an API removed from Kubernetes has no schema there, so a manifest using one fails. Named,
not `latest_version()`, so that upgrading the package does not move the target unnoticed."""

# Settings the web and worker processes may leave unset, each for the reason given. A variable the
# code reads that is neither here nor in the deployment files fails the test.
SAFE_UNSET = {
    "DATABASE_URL": "the owner's connection: only the migration and audit jobs have it; checked absent below",
    "AVHOPP_DATA_DIR": "the embedded database's folder and generated key, unused with a database server",
    "AVHOPP_PREVIOUS_SECRET_KEY": "set only during a key rotation",
    "AVHOPP_LOG_LEVEL": "INFO is the production level",
    "AVHOPP_SESSION_IDLE_MINUTES": "the default, 30 minutes, is the intended policy",
    "AVHOPP_SESSION_MAX_HOURS": "the default, 12 hours, is the intended policy",
    "AVHOPP_DISCLOSURE_THRESHOLD": "the default, 5, is the intended statistical disclosure rule",
    "AVHOPP_DIRECTORY_LICENCE": "the default, CC0-1.0, is the common licence of Swedish open data",
    "OIDC_ISSUER": "unset means the built-in identity provider, a supported production set-up",
    "OIDC_CLIENT_ID": "as OIDC_ISSUER: the three are given together or not at all",
    "OIDC_CLIENT_SECRET": "as OIDC_ISSUER",
    "AVHOPP_SMTP_HOST": "unset means notifications are shown in the app only",
    "AVHOPP_SMTP_PORT": "only with AVHOPP_SMTP_HOST (and then it has a default per TLS mode)",
    "AVHOPP_SMTP_TLS": "only with AVHOPP_SMTP_HOST (default starttls)",
    "AVHOPP_SMTP_USER": "only with AVHOPP_SMTP_HOST, for a server that wants a login",
    "AVHOPP_SMTP_PASSWORD": "as AVHOPP_SMTP_USER",
    "AVHOPP_SMTP_FROM": "only with AVHOPP_SMTP_HOST",
}
WORKER_MAY_LEAVE_UNSET = {
    "AVHOPP_TRUSTED_PROXIES": "only the web process reads forwarded headers; the worker serves no HTTP",
}

# Stand-ins for what the secrets hold, so that the files' settings can be loaded and checked.
_SECRET_VALUES = {
    "DATABASE_URL": "postgresql://avhopp_owner:pw@postgres/avhopp",
    "DATABASE_APP_URL": "postgresql://avhopp_app:pw@postgres/avhopp",
    "BROKER_URL": "amqp://avhopp:pw@rabbitmq:5672/",
    "AVHOPP_SECRET_KEY": "k" * 40,
}
# What compose's `.env` file would give its `${…}` references.
_DOT_ENV = {"APP_DB_PASSWORD": "pw", "POSTGRES_PASSWORD": "pw", "AVHOPP_SECRET_KEY": "k" * 40}

Manifest = dict[str, Any]


def manifests() -> list[Manifest]:
    """Every object of every file in infra/kubernetes."""
    return [
        document
        for path in sorted((_INFRA / "kubernetes").glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text())
        if document
    ]


def test_every_manifest_is_a_valid_kubernetes_object() -> None:
    found = manifests()

    for manifest in found:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    assert {manifest["kind"] for manifest in found} >= {"Deployment", "Job", "PodDisruptionBudget", "Service"}


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (lambda web: web["spec"]["template"]["spec"]["containers"][0].update(livenesProbe={}), "ValidationError"),
        (lambda web: web["spec"].update(replicas="two"), "ValidationError"),
        # Not skipped as an object the package has no schema for: a misspelt kind is an error too.
        (lambda web: web.update(kind="Deploymnet"), "SchemaNotFoundError"),
    ],
    ids=["misspelt field", "wrong type", "unknown kind"],
)
def test_a_broken_manifest_is_refused(damage: Callable[[Manifest], object], error: str) -> None:
    web = copy.deepcopy(_object(manifests(), "Deployment", "avhopp-web"))
    damage(web)

    with pytest.raises(getattr(kubernetes_validate, error)):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)


def test_every_container_has_requests_and_limits() -> None:
    for manifest in manifests():
        for container in _containers(manifest):
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                assert set(resources.get(bound, {})) >= {"cpu", "memory"}, f"{container['name']}: {bound}"


def test_web_has_probes_a_disruption_budget_and_trusted_proxies_and_the_job_migrates() -> None:
    found = manifests()
    web = _object(found, "Deployment", "avhopp-web")
    container = web["spec"]["template"]["spec"]["containers"][0]
    budgets = [m for m in found if m["kind"] == "PodDisruptionBudget"]
    job = _object(found, "Job", "avhopp-migrate")["spec"]["template"]["spec"]["containers"][0]

    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert any(b["spec"]["selector"] == web["spec"]["selector"] and b["spec"]["minAvailable"] == 1 for b in budgets)
    assert load_settings(_kubernetes_environment(found, container)).trusted_proxies
    assert "avhopp db migrate" in " ".join(job["command"])


def test_the_jobs_name_each_secret_key_they_read_and_get_no_broker() -> None:
    found = manifests()
    jobs = [manifest for manifest in found if manifest["kind"] in {"Job", "CronJob"}]

    assert len(jobs) == 3, "the migration and the audit heads' export and check"
    for job in jobs:
        for container in _containers(job):
            environment = _kubernetes_environment(found, container)
            assert load_settings(environment).database_url is not None, f"{container['name']}: the owner"
            assert "BROKER_URL" not in environment, f"{container['name']} sends no job"


def test_the_code_reads_the_settings_the_files_are_checked_for(tmp_path: Path) -> None:
    names = _settings_read({"AVHOPP_DATA_DIR": str(tmp_path)})

    assert {"DATABASE_APP_URL", "BROKER_URL", "AVHOPP_SECRET_KEY", "AVHOPP_PUBLIC_URL"} <= names
    stale = (set(SAFE_UNSET) | set(WORKER_MAY_LEAVE_UNSET)) - names
    assert not stale, f"no longer read by the code, remove from the exemptions: {sorted(stale)}"


@pytest.mark.parametrize("process", ["kubernetes web", "kubernetes worker", "compose web", "compose worker"])
def test_every_setting_the_code_needs_is_set(process: str, tmp_path: Path) -> None:
    environment = _environment(process)
    exempt = set(SAFE_UNSET) | (set(WORKER_MAY_LEAVE_UNSET) if process.endswith("worker") else set())
    needed = (_settings_read({"AVHOPP_DATA_DIR": str(tmp_path)}) | _settings_read(environment)) - exempt

    assert not needed - set(environment), f"{process} leaves unset: {sorted(needed - set(environment))}"
    assert "DATABASE_URL" not in environment, "the runtime processes must not hold the owner's connection"
    settings = load_settings(environment)  # every value given is a valid one
    assert not settings.embedded


def _environment(process: str) -> dict[str, str]:
    where, service = process.split()
    image = _image_environment()
    if where == "kubernetes":
        found = manifests()
        container = _object(found, "Deployment", f"avhopp-{service}")["spec"]["template"]["spec"]["containers"][0]
        return image | _kubernetes_environment(found, container)
    compose = yaml.safe_load((_INFRA / "compose.yaml").read_text())
    given = compose["services"][service]["environment"]
    return image | {name: _interpolated(str(value)) for name, value in given.items()}


def _settings_read(environment: Mapping[str, str]) -> set[str]:
    """The variables `load_settings` looks up given `environment` (which decides what else it reads)."""
    reads = _RecordedReads(environment)
    load_settings(reads)
    return reads.names


class _RecordedReads(Mapping[str, str]):
    """An environment that notes every variable looked up in it."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self.names: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.names.add(name)
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _kubernetes_environment(found: list[Manifest], container: Manifest) -> dict[str, str]:
    """The container's variables, ConfigMaps resolved from the manifests and secrets given stand-ins."""
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        # A whole secret's keys cannot be known from the manifests: the pods name each key instead.
        assert "configMapRef" in source, "name each secret key with secretKeyRef, so that it can be checked"
        environment |= _object(found, "ConfigMap", source["configMapRef"]["name"])["data"]
    for variable in container.get("env", []):
        reference = variable.get("valueFrom", {})
        if "secretKeyRef" in reference:
            environment[variable["name"]] = _SECRET_VALUES[reference["secretKeyRef"]["key"]]
        elif "configMapKeyRef" in reference:
            config = _object(found, "ConfigMap", reference["configMapKeyRef"]["name"])
            environment[variable["name"]] = config["data"][reference["configMapKeyRef"]["key"]]
        else:
            environment[variable["name"]] = variable["value"]
    return environment


def _image_environment() -> dict[str, str]:
    """The ENV of the Containerfile's last stage: the image both files run."""
    lines = (_INFRA / "Containerfile").read_text().splitlines()
    last_stage = lines[max(i for i, line in enumerate(lines) if line.startswith("FROM ")) :]
    pairs = [word for line in last_stage if line.startswith("ENV ") for word in shlex.split(line[4:])]
    return dict(pair.split("=", 1) for pair in pairs)


def _interpolated(value: str) -> str:
    """Compose's `${NAME}` and `${NAME:-default}`, from the `.env` file's stand-ins."""

    def one(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        return _DOT_ENV[name] if name in _DOT_ENV or default is None else default

    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", one, value)


def _object(found: list[Manifest], kind: str, name: str) -> Manifest:
    matches = [m for m in found if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind} {name}: {len(matches)} in infra/kubernetes"
    return matches[0]


def _containers(manifest: Manifest) -> list[Manifest]:
    spec = manifest.get("spec", {})
    if manifest["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    containers: list[Manifest] = spec.get("template", {}).get("spec", {}).get("containers", [])
    return containers
