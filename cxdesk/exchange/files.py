"""Opening a bundle for reading: a folder or a zip, file by file, with errors that say
which file and why (a truncated zip, a missing member, bytes that are not UTF-8)."""

from __future__ import annotations

import hashlib
import zipfile
from contextlib import contextmanager
from pathlib import Path

from cxdesk.errors import CxdeskError


class BundleFiles:
    """The files of a bundle, from a folder or a zip, read as bytes."""

    def __init__(self, path: Path):
        self.path = path
        self.archive: zipfile.ZipFile | None = None
        if path.is_dir():
            return
        if not path.exists():
            raise CxdeskError("no such file or folder")
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise CxdeskError(f"not a readable zip ({exc})") from None

    def names(self) -> set[str]:
        if self.archive is not None:
            return {info.filename for info in self.archive.infolist()}
        return {child.name for child in self.path.iterdir()}

    def size(self, name: str) -> int:
        if self.archive is not None:
            return self.archive.getinfo(name).file_size
        return (self.path / name).stat().st_size

    def read(self, name: str) -> bytes:
        try:
            if self.archive is not None:
                return self.archive.read(name)
            return (self.path / name).read_bytes()
        except KeyError:
            raise CxdeskError(f"{name} is missing") from None
        except FileNotFoundError:
            raise CxdeskError(f"{name} is missing") from None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise CxdeskError(f"{name} cannot be read ({exc})") from None

    @contextmanager
    def stream(self, name: str):
        """A binary stream of ``name``, for files too big to hold at once."""
        try:
            if self.archive is not None:
                with self.archive.open(name) as handle:
                    yield handle
            else:
                with (self.path / name).open("rb") as handle:
                    yield handle
        except KeyError:
            raise CxdeskError(f"{name} is missing") from None
        except FileNotFoundError:
            raise CxdeskError(f"{name} is missing") from None

    def sha256(self, name: str) -> str:
        digest = hashlib.sha256()
        try:
            with self.stream(name) as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise CxdeskError(f"{name} cannot be read ({exc})") from None
        return digest.hexdigest()

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


def text_of(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CxdeskError(f"{name} is not UTF-8 (byte {exc.start:,})") from None

