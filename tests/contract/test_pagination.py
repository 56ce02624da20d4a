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


def test_documented_error_examples_use_the_types_the_api_sends():
    import json

    text = json.dumps(SchemaGenerator().get_schema(request=None, public=True))
    assert '"type": "client_error"' not in text
    for error_type in ("not_authenticated", "permission_denied", "not_found"):
        assert f'"type": "{error_type}"' in text
    assert '"type": "server_error"' in text
