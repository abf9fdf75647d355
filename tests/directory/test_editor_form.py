"""The service editor's form and the entry it reads: languages and municipalities as lists, nothing lost."""

from __future__ import annotations

from litestar.datastructures import FormMultiDict

from avhopp.directory.catalogue.entry import Area
from avhopp.directory.catalogue.vocabulary import AreaKind
from avhopp.directory.catalogue.web.forms import language_choices, read_service, service_form_values
from tests.directory.conftest import organization, service


def test_a_language_the_list_does_not_offer_is_kept_through_the_form() -> None:
    entry = service(
        organization(),
        languages=("sv", "ar", "smj"),
        catchment=(Area(AreaKind.MUNICIPALITY, "1480"), Area(AreaKind.MUNICIPALITY, "1481")),
    )
    values = service_form_values(entry)
    form = FormMultiDict([(name, value) for name, listed in values.items() for value in listed])

    read, errors = read_service(form, entry.id, entry)
    offered = [choice.value for choice in language_choices(values["languages"])]

    assert errors == {}
    assert read.languages == ("sv", "ar", "smj")
    assert read.catchment == entry.catchment
    assert offered.count("smj") == 1
    assert offered[:3] == ["sv", "en", "ar"]
