"""What the case workspace's controllers share: who acts, where routes open, and reading forms.

A form is read field by field into the service's inputs; what cannot even be read (a date that
is no date, a choice that is not offered) becomes a Swedish message on its field, as the
services' own refusals do, and the page is shown again with the error summary.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from litestar.datastructures import UploadFile

from avhopp.platform.labels import label
from avhopp.platform.problems import FieldProblem, InvalidInputError, NotFoundError
from avhopp.platform.times import swedish_date
from avhopp.platform.web.forms import Choice
from avhopp.tenants.cases.permissions import CASE_KINDS
from avhopp.tenants.cases.service import Actor

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from enum import StrEnum

    from litestar.datastructures import FormMultiDict, State
    from sqlalchemy.ext.asyncio import AsyncSession

    from avhopp.platform.scope.request import TenantScope

E = TypeVar("E", bound="StrEnum")
T = TypeVar("T")

KINDS = tuple(sorted(CASE_KINDS))
"""Where the case workspace opens: the kinds of organisation that run cases."""


def actor_of(acting: TenantScope) -> Actor:
    """The person acting: the pages are for people; a machine client works cases through the API."""
    if acting.person_id is None:
        raise NotFoundError
    return Actor(acting.tenant_id, acting.person_id)


def secret_key(state: State) -> str:
    """The platform's key, which the person's details and the documents are sealed under."""
    key: str = state.settings.secret_key
    return key


def may(acting: TenantScope, permission: str) -> bool:
    """Whether the person holds a permission here (to offer only the forms that will be accepted)."""
    return permission in acting.principal.permissions


def choices_of(values: type[StrEnum]) -> tuple[Choice, ...]:
    """A vocabulary as options, labelled in Swedish."""
    return tuple(Choice(member.value, label(member)) for member in values)


class FormReader:
    """Reads a submitted form's fields, collecting a Swedish message for each that cannot be read."""

    def __init__(self, form: FormMultiDict) -> None:
        self.form = form
        self.problems: list[FieldProblem] = []

    def _refuse(self, name: str, message: str) -> None:
        self.problems.append(FieldProblem(name, message))

    def text(self, name: str) -> str:
        """A text field, as typed (the service trims and checks it)."""
        value = self.form.get(name)
        return value if isinstance(value, str) else ""

    def texts(self, name: str) -> list[str]:
        """Every value sent under `name`, leaving out empty ones."""
        return [value for value in self.form.getall(name, []) if isinstance(value, str) and value]

    def checked(self, name: str) -> bool:
        """A checkbox."""
        return bool(self.text(name))

    def day(self, name: str, *, missing: str | None = None) -> date | None:
        """A date field (ÅÅÅÅ-MM-DD); `missing` makes it required and says why."""
        raw = self.text(name).strip()
        if not raw:
            if missing is not None:
                self._refuse(name, missing)
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self._refuse(name, "Skriv datumet som ÅÅÅÅ-MM-DD.")
            return None

    def choice(self, name: str, values: type[E], *, missing: str | None = None) -> E | None:
        """One of a vocabulary's codes; `missing` makes it required and says why."""
        raw = self.text(name)
        if not raw:
            if missing is not None:
                self._refuse(name, missing)
            return None
        try:
            return values(raw)
        except ValueError:
            self._refuse(name, "Välj ett av alternativen.")
            return None

    def required(self, name: str, values: type[E], missing: str) -> E:
        """One of a vocabulary's codes that must be chosen.

        Where none is, the refusal is recorded and a stand-in returned: `check` refuses the form
        before anything uses it.
        """
        return self.choice(name, values, missing=missing) or next(iter(values))

    def required_day(self, name: str, missing: str) -> date:
        """A date that must be given (today as a stand-in where it is not, which `check` refuses)."""
        return self.day(name, missing=missing) or swedish_date()

    def choices(self, name: str, values: type[E]) -> tuple[E, ...]:
        """Several codes of a vocabulary."""
        chosen: list[E] = []
        for raw in self.texts(name):
            try:
                chosen.append(values(raw))
            except ValueError:
                self._refuse(name, "Välj bland alternativen.")
        return tuple(chosen)

    def ident(self, name: str, *, missing: str | None = None) -> UUID | None:
        """An id chosen from a list."""
        raw = self.text(name)
        if not raw:
            if missing is not None:
                self._refuse(name, missing)
            return None
        try:
            return UUID(raw)
        except ValueError:
            self._refuse(name, "Välj ett av alternativen.")
            return None

    def required_ident(self, name: str, missing: str) -> UUID:
        """An id that must be chosen (a stand-in where it is not, which `check` refuses)."""
        return self.ident(name, missing=missing) or UUID(int=0)

    def idents(self, name: str) -> tuple[UUID, ...]:
        """Several ids chosen from a list."""
        chosen: list[UUID] = []
        for raw in self.texts(name):
            try:
                chosen.append(UUID(raw))
            except ValueError:
                self._refuse(name, "Välj bland alternativen.")
        return tuple(dict.fromkeys(chosen))

    async def upload(self, name: str) -> bytes | None:
        """A file's content, or None where none was chosen."""
        value: Any = self.form.get(name)
        if not isinstance(value, UploadFile) or not value.filename:
            return None
        return await value.read()

    def check(self) -> None:
        """Refuse the form if any field could not be read."""
        if self.problems:
            raise InvalidInputError(self.problems)

    async def save(
        self, session: AsyncSession, work: Callable[[], Awaitable[T]], field_of: Callable[[str], str] = str
    ) -> T:
        """Run the use case in a savepoint, kept only if the form had no problems either.

        It runs even when a field could not be read (with a stand-in), so that the page shows every
        problem at once: the use case's refusals join the form's, one message per field.
        `field_of` names the use case's fields as the form does, where they differ. A refusal rolls
        the savepoint back, which expires what the use case touched: the page is then read afresh.
        """
        try:
            async with session.begin_nested():
                result = await work()
                self.check()
        except InvalidInputError as error:
            flagged = {problem.field for problem in self.problems}
            found = [FieldProblem(field_of(problem.field), problem.message) for problem in error.problems]
            raise InvalidInputError(
                [*self.problems, *(problem for problem in found if problem.field not in flagged)]
            ) from None
        return result


def values_of(form: FormMultiDict) -> dict[str, list[str]]:
    """A submitted form as name -> values, files left out, to fill the form in again."""
    return {name: [value for value in form.getall(name) if isinstance(value, str)] for name in form}
