"""Flows as published in flows/, and the exact copies conversations run on."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.engine import Flow, load_flow_text
from app.models import FlowVersion


class FlowRegistry:
    """Finds flows by id and keeps parsed copies by content hash."""

    def __init__(self, flows_dir: str | Path, content_dir: str | Path) -> None:
        self.flows_dir = Path(flows_dir)
        self.pictures_dir = Path(content_dir) / "easy_read"
        self._parsed: dict[str, Flow] = {}
        # FlowVersion rows are content-addressed copies, never changed once stored: by id, a
        # conversation's flow needs no query at all after the first (the YAML only on a miss).
        self._by_version: dict[int, Flow] = {}
        self._lock = threading.Lock()

    def pictures(self) -> set[str]:
        if not self.pictures_dir.is_dir():
            return set()
        return {p.name for p in self.pictures_dir.iterdir() if p.is_file()}

    def path(self, flow_id: str) -> Path:
        return self.flows_dir / f"{flow_id}.yaml"

    def _parse(self, sha: str, text: str, source_name: str) -> Flow:
        with self._lock:
            flow = self._parsed.get(sha)
            if flow is None:
                flow = load_flow_text(text, source_name, pictures=self.pictures())
                self._parsed[sha] = flow
            return flow

    def published(self, session: Session, flow_id: str) -> tuple[Flow, FlowVersion]:
        """The flow as it is on disk now, with its stored copy (made on first use)."""
        path = self.path(flow_id)
        text = path.read_text(encoding="utf-8")
        sha = hashlib.sha256(text.encode()).hexdigest()
        flow = self._parse(sha, text, path.name)
        row = session.scalar(select(FlowVersion).where(FlowVersion.sha256 == sha))
        if row is None:
            try:
                # Two first conversations on a new copy may race to store it.
                with session.begin_nested():
                    row = FlowVersion(flow_id=flow.id, version=flow.version, sha256=sha, source=text)
                    session.add(row)
            except IntegrityError:
                row = session.scalars(select(FlowVersion).where(FlowVersion.sha256 == sha)).one()
        return flow, row

    def stored(self, row: FlowVersion) -> Flow:
        """The copy a conversation started on, whatever flows/ holds now."""
        return self._parse(row.sha256, row.source, f"{row.flow_id}.yaml")

    def version(self, session: Session, version_id: int) -> Flow:
        """The copy stored as ``version_id``: loaded and parsed once per process, then cached."""
        flow = self._by_version.get(version_id)
        if flow is None:
            flow = self.stored(session.get_one(FlowVersion, version_id))
            self._by_version[version_id] = flow
        return flow
