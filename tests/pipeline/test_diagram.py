from django.core.management import call_command

from incubator.models import Startup
from pipeline.diagram import edges
from pipeline.models import Application
from tests.pipeline.test_transitions import APPLICATION_MOVES, STARTUP_MOVES


def test_diagram_edges_are_the_declared_transitions():
    assert {(s, n): t for s, t, n in edges(Startup, "stage")} == STARTUP_MOVES
    assert {(s, n): t for s, t, n in edges(Application, "status")} == APPLICATION_MOVES


def test_command_writes_graphviz_files(tmp_path):
    call_command("stage_diagram", output=str(tmp_path))

    dot = (tmp_path / "startup_stage.dot").read_text()
    assert dot.startswith("digraph startup_stage {")
    assert 'incubation -> acceleration [label="accelerate"];' in dot
    assert 'in_review -> accepted [label="accept"];' in (tmp_path / "application_status.dot").read_text()
