"""Bases of every request model (bodies and query strings) and the shared page query. Domain modules
declare their inputs on these; only the HTTP edge parses events into them."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    """Base of every request body: unknown fields and wrong JSON types are errors, not coerced."""
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class Query(BaseModel):
    """Base of query-string models: values arrive as strings and are parsed."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PageQuery(Query):
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = None


class RegionPageQuery(PageQuery):
    """A page of a region's records; without `region_code`, the caller's own region."""
    region_code: str | None = None
