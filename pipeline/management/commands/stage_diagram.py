from pathlib import Path

from django.core.management.base import BaseCommand

from pipeline.diagram import MACHINES, to_dot, to_mermaid


class Command(BaseCommand):
    help = "Write both stage machines as Graphviz (.dot) files, or print them as Mermaid."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", help="Folder for <machine>.dot files; without it, print to stdout.")
        parser.add_argument("--format", choices=["dot", "mermaid"], default="dot")

    def handle(self, *args, output: str | None, format: str, **options) -> None:
        render = to_dot if format == "dot" else to_mermaid
        for name in MACHINES:
            text = render(name)
            if output:
                folder = Path(output)
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"{name}.{'dot' if format == 'dot' else 'mmd'}"
                path.write_text(text, encoding="utf-8")
                self.stdout.write(f"wrote {path}")
            else:
                self.stdout.write(text)
