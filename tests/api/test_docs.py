"""The API's description: the OpenAPI 3 schema in JSON and YAML, and the two documentation pages,
which must work without the Internet (every file they load is one of ours, from
drf-spectacular-sidecar), generated without a single warning."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

DOC_PAGES = ["/api/v1/docs/", "/api/v1/redoc/"]


class _References(HTMLParser):
    """Every address a page makes the browser load or connect to."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href", "spec-url"} and value:
                self.addresses.append(value)


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.addresses


def test_the_schema_is_openapi_3_in_yaml_by_default():
    response = APIClient().get("/api/v1/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")


def test_the_schema_is_openapi_3_in_json_on_request():
    response = APIClient().get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(response.content)["openapi"].startswith("3.")


def test_the_json_and_yaml_schemas_say_the_same():
    client = APIClient()

    as_yaml = yaml.safe_load(client.get("/api/v1/schema/").content)
    as_json = json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)

    assert as_json == as_yaml


def test_the_schema_description_is_plain_markdown_without_html_entities():
    schema = json.loads(APIClient().get("/api/v1/schema/", {"format": "json"}).content)

    assert "`Authorization: Bearer`" in schema["info"]["description"]
    assert re.findall(r"&\w+;", schema["info"]["description"]) == []


def test_the_schema_describes_the_api_under_v1_only():
    schema = json.loads(APIClient().get("/api/v1/schema/", {"format": "json"}).content)

    assert schema["paths"]
    assert [path for path in schema["paths"] if not path.startswith("/api/v1/")] == []


def test_every_operation_documents_its_errors_in_the_error_shape():
    schema = json.loads(APIClient().get("/api/v1/schema/", {"format": "json"}).content)
    undocumented = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("401", "404", "429"):
                content = operation["responses"].get(code, {}).get("content", {})
                reference = content.get("application/json", {}).get("schema", {}).get("$ref")
                if reference != "#/components/schemas/Error":
                    undocumented.append(f"{method.upper()} {path} {code}")

    assert undocumented == []


@pytest.mark.parametrize("path", DOC_PAGES)
def test_documentation_page_is_served_as_html(path):
    response = APIClient().get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("path", DOC_PAGES)
def test_documentation_page_names_no_other_host(path):
    html = APIClient().get(path).content.decode()

    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []


@pytest.mark.parametrize("path", DOC_PAGES)
def test_documentation_page_loads_only_our_static_files_and_schema(path):
    html = APIClient().get(path).content.decode()
    addresses = _references(html)

    assets = [address for address in addresses if address != "/api/v1/schema/" and "?script" not in address]
    assert assets
    ours = (f"{settings.STATIC_URL}drf_spectacular_sidecar/", f"{settings.STATIC_URL}favicon.svg")
    assert [a for a in assets if not a.startswith(ours)] == []


@pytest.mark.parametrize("path", DOC_PAGES)
def test_documentation_page_assets_exist_and_are_served(path):
    client = APIClient()
    html = client.get(path).content.decode()
    assets = [address for address in _references(html) if address.startswith(settings.STATIC_URL)]

    missing = [a for a in assets if finders.find(a.removeprefix(settings.STATIC_URL)) is None]
    not_served = [a for a in assets if client.get(a).status_code != 200]

    assert (missing, not_served) == ([], [])


def _swagger_script(client: APIClient) -> str:
    """Swagger UI's start-up script, which the page loads from a file of its own."""
    [script] = [a for a in _references(client.get("/api/v1/docs/").content.decode()) if "script" in a]
    response = client.get(script)
    assert response["Content-Type"].startswith("application/javascript")
    return response.content.decode()


def test_the_documentation_pages_point_at_our_schema():
    client = APIClient()

    redoc = client.get("/api/v1/redoc/").content.decode()

    assert 'url: "/api/v1/schema/"' in _swagger_script(client)
    assert "/api/v1/schema/" in _references(redoc)


@pytest.mark.parametrize("path", DOC_PAGES)
def test_documentation_pages_run_no_inline_script(path):
    html = APIClient().get(path).content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []


def test_the_schema_generates_without_warnings_and_validates(tmp_path, capsys):
    # Warnings are counted per process; count only this generation's.
    GENERATOR_STATS.reset()

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert capsys.readouterr().err == ""
    assert yaml.safe_load((tmp_path / "schema.yaml").read_text())["openapi"].startswith("3.")


def test_swagger_ui_script_names_no_other_host():
    assert re.findall(r"(?:https?:)?//[\w.-]+", _swagger_script(APIClient())) == []


def test_swagger_ui_sends_the_schema_to_no_outside_validator():
    assert '"validatorUrl": null' in _swagger_script(APIClient())


def test_the_api_root_links_to_the_documentation_and_every_list(world):
    root = APIClient().get("/api/v1/")
    assert root.status_code == 200
    links = root.json()
    assert set(links["documentation"]) == {"schema", "swagger_ui", "redoc"}
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    lists = {path for path, item in schema["paths"].items() if "{" not in path and "get" in item}
    linked = {link.removeprefix("http://testserver") for link in links["resources"].values()}
    assert lists - {"/api/v1/", "/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"} <= linked
    manager = world.client("manager")
    assert {link: manager.get(link).status_code for link in linked} == dict.fromkeys(linked, 200)


def test_every_parameter_and_request_body_of_the_schema_is_described(client):
    """An integrator reads what each path id and filter means, and that a request body takes no
    field it does not list."""
    schema = client.get("/api/v1/schema/?format=json").json()
    undescribed = [
        (method.upper(), path, parameter["name"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description", "").strip()
    ]
    open_bodies = [
        name
        for name, component in schema["components"]["schemas"].items()
        if name.endswith("Input") and component.get("additionalProperties") is not False
    ]

    assert undescribed == []
    assert open_bodies == []
    applications = schema["paths"]["/api/v1/applications/"]["get"]["parameters"]
    described = {parameter["name"]: parameter["description"] for parameter in applications}
    assert described["startup"] == "Only those linked to the startup with this id."
    assert described["submitted_after"].startswith("Only those on or after this moment")
