"""Content-addressed artifact files: <root>/<sha[:2]>/<sha>.<ext>, written atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

EXTENSIONS = {"image/png": "png", "application/json": "json"}


@dataclass(frozen=True)
class StoredFile:
    """A file in the artifact store."""

    sha256: str
    relative_path: str
    media_type: str
    size_bytes: int


class ArtifactStore:
    """Writes bytes once per content hash; the same image twice is stored once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def put(self, data: bytes, media_type: str = "image/png") -> StoredFile:
        """Store `data` (idempotent) and describe where it lives."""
        sha = hashlib.sha256(data).hexdigest()
        relative = f"{sha[:2]}/{sha}.{EXTENSIONS.get(media_type, 'bin')}"
        target = self.root / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, target)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        return StoredFile(sha, relative, media_type, len(data))

    def path(self, relative: str) -> Path:
        """Absolute path of a stored file (refuses paths that leave the store)."""
        candidate = (self.root / relative).resolve()
        if self.root.resolve() not in candidate.parents:
            raise ValueError(f"artifact path {relative!r} leaves the artifact store")
        return candidate

    def verify(self, relative: str, sha256: str) -> bool:
        """True when the file on disk still has the recorded hash."""
        data = self.path(relative).read_bytes()
        return hashlib.sha256(data).hexdigest() == sha256
