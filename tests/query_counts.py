"""Assert that a page or endpoint issues the same number of queries whatever the number of rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.status_code
    return len(captured)


def assert_constant_queries(call, add_rows, *, small: int = 10, large: int = 100) -> int:
    """Call with `small` rows, then with `large` rows; the query counts must be equal."""
    add_rows(small)
    first = count_queries(call)
    add_rows(large - small)
    second = count_queries(call)
    assert first == second, f"{first} queries with {small} rows but {second} with {large}"
    return first
