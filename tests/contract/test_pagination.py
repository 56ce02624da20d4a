"""DESIGN §4: every list is paginated as {"count", "next", "previous", "results"}. Checked on the schema,
so a list endpoint added later that answers a bare array fails here."""

from drf_spectacular.generators import SchemaGenerator


def test_no_endpoint_answers_a_bare_list():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    bare = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
            if body.get("schema", {}).get("type") == "array":
                bare.append(f"{method.upper()} {path}")
    assert bare == []
