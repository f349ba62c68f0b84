"""What every table's model shares: the table's name under the stage's prefix, the endpoint and region, and
the small helpers the model modules declare their attributes and indexes with."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from pynamodb.attributes import ListAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection
from pynamodb.models import MetaProtocol

from sheqi import settings

PREFIX = settings.get().table_prefix  # read at import: a bad setting fails the cold start


class _Meta:
    region = settings.get().aws_region
    host = settings.get().dynamodb_endpoint


def table(name: str) -> MetaProtocol:
    """A model's Meta for the table `name` (infra/tables.yml)."""
    return cast(MetaProtocol, type("Meta", (_Meta,), {"table_name": f"{PREFIX}-{name}"}))


def index(name: str) -> type:
    """A global secondary index's Meta: every index projects all attributes."""
    return type("Meta", (), {"index_name": name, "projection": AllProjection()})


def strings(default: Callable[[], list[str]] | None = None) -> ListAttribute[str]:
    """A list of strings (PynamoDB's stubs would type `ListAttribute(of=UnicodeAttribute)` as a list of attributes)."""
    return cast("ListAttribute[str]", ListAttribute(of=UnicodeAttribute, default=default))
