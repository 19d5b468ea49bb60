from pathlib import Path

from pipeline.diagram import to_mermaid

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_diagrams_match_the_code():
    text = README.read_text(encoding="utf-8")
    for machine in ("startup_stage", "application_status"):
        assert to_mermaid(machine) in text
