"""Cursors: only a start key the same query could have returned gets through to the store."""

import pytest

from sheqi.errors import BadRequest
from sheqi.store import pagination
from sheqi.store.registers import Enterprise
from sheqi.store.tasks import DrawEntry


def test_our_own_cursor_round_trips():
    key = {"region_code": {"S": "130722"}, "enterprise_id": {"S": "91130722MA0A1B2C3U"}}
    assert pagination.decode(pagination.encode(key), Enterprise.by_region, "130722") == key
    table_key = {"draw_id": {"S": "d1"}, "enterprise_id": {"S": "91130722MA0A1B2C3U"}}
    assert pagination.decode(pagination.encode(table_key), DrawEntry, "d1") == table_key


def test_a_start_key_of_another_query_is_refused():
    key = {"region_code": {"S": "130722"}, "enterprise_id": {"S": "91130722MA0A1B2C3U"}}
    with pytest.raises(BadRequest):
        pagination.decode(pagination.encode(key), Enterprise.by_region, "130730")  # another partition
    with pytest.raises(BadRequest):
        pagination.decode(pagination.encode(key), DrawEntry, "130722")  # another table's keys


class _Refused(Exception):
    cause_response_code = "ValidationException"


def _failing():
    raise _Refused()
    yield


def test_a_start_key_the_store_refuses_is_the_clients_error_only_with_a_cursor():
    with pytest.raises(BadRequest) as raised:
        list(pagination.Results(_failing(), "Y3Vyc29y"))
    assert raised.value.code == "invalid_cursor"
    with pytest.raises(_Refused):  # without a client's cursor it is ours: a 5xx, logged
        list(pagination.Results(_failing(), None))
