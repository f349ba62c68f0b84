"""Bases of every request model (bodies and query strings) and the shared page query. Domain modules
declare their inputs on these; only the HTTP edge parses events into them."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StringConstraints,
    field_validator,
)
from pydantic_core import CoreSchema, core_schema

from sheqi.rules import regions

MAX_KEY_CHARS = 200          # ids, recipients, path parameters: far inside DynamoDB's 1,024-byte key
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)   # the years this system serves

# A string the store looks a record up by: never empty (DynamoDB refuses empty keys), never longer
# than a key can be. Region codes are checked as GB/T 2260 codes.
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_KEY_CHARS)]
RegionCode = Annotated[str, AfterValidator(lambda v: regions.validate(v))]


class Body(BaseModel):
    """Base of every request body: unknown fields and wrong JSON types are errors, not coerced; every
    date lies in the years the system serves, so no deadline counted from it leaves the calendar."""
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _dates_in_our_years(cls, value):
        for day in value if isinstance(value, list) else [value]:
            if isinstance(day, date) and not FIRST_DAY <= (day.date() if isinstance(day, datetime) else day) <= LAST_DAY:
                raise ValueError("日期须在2000年至2100年之间")
        return value


class Query(BaseModel):
    """Base of query-string models: values arrive as strings and are parsed."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PageQuery(Query):
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = None


class RegionPageQuery(PageQuery):
    """A page of a region's records; without `region_code`, the caller's own region."""
    region_code: RegionCode | None = None


class Patch(Body):
    """Base of PATCH bodies: a field left out keeps its value; `null` clears only the fields the
    record may lack (NULLABLE) and is refused for the others."""
    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_clearable(cls, value, info):
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("不能为 null（省略该字段即保持原值）")
        return value


class OneOf:
    """A string field that takes one of the codes of a table, e.g. `Annotated[str, OneOf(FINDINGS)]`:
    checked and reported exactly as `Literal[...]` of those codes would be, and typed as `str`."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.codes = list(codes)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.literal_schema(self.codes)
