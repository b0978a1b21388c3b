"""The printable easy-read letter, for people who prefer post: WeasyPrint, 16pt, pictures left.

Made from the same blocks as the /f/<token> page, so the letter and the page
never say different things. Nothing is stored: the PDF is made when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.services.feedback.wording import page_text

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
BODY_PT = 16  # easy-read guidance asks for 14pt or larger
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


@dataclass(frozen=True)
class LetterContent:
    council: str
    language: str
    variant: str
    blocks: list[dict[str, Any]]
    dated: date


def letter_html(content: LetterContent) -> str:
    return _env.get_template("feedback/letter.html").render(
        letter=content, t=page_text(content.language, content.variant), body_pt=BODY_PT
    )


def letter_pdf(content: LetterContent, content_dir: str) -> bytes:
    from weasyprint import HTML  # loads pango: only when a letter is made

    pictures = Path(content_dir) / "easy_read"
    return HTML(string=letter_html(content), base_url=f"{pictures.resolve().as_uri()}/").write_pdf()
