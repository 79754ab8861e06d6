"""More demo offices from one bundle: the same records under another office code, name,
key and UUIDs, for headquarters' tests and the national-quarter benchmark (1,220
offices build in seconds this way, where simulating each would take hours).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from pathlib import Path

from cxdesk.exchange import signing
from cxdesk.exchange.bundle import MANIFEST, SIGNATURE
from cxdesk.exchange.csvfile import quote

# A UUID cell of a bundle: 32 hex digits standing alone between separators.
_UUID_HEAD = re.compile(rb"(?<![0-9a-f\"])[0-9a-f]{8}(?=[0-9a-f]{24}(?![0-9a-f\"]))")


def rekey_bundle(source: Path, target: Path, *, number: int, code: str, name: str, private_key: str) -> dict:
    """Write at ``target`` (a folder) ``source``'s bundle as office ``code``: every UUID's
    first 8 hex digits replaced by ``number``, signed with ``private_key``. Returns the manifest."""
    manifest = json.loads((source / MANIFEST).read_bytes())
    old_code, old_name = manifest["office"]["code"], manifest["office"]["name"]
    prefix = f"{number:08x}".encode()
    target.mkdir(parents=True, exist_ok=False)
    for table in manifest["tables"]:
        data = _UUID_HEAD.sub(prefix, (source / table["file"]).read_bytes())
        if table["name"] == "office":
            data = data.replace(f'"{old_code}"'.encode(), f'"{code}"'.encode(), 1)
            data = data.replace(quote(old_name).encode(), quote(name).encode(), 1)
        elif table["name"] == "complaint":
            data = data.replace(f'"{old_code}-'.encode(), f'"{code}-'.encode())
        (target / table["file"]).write_bytes(data)
        table["sha256"] = hashlib.sha256(data).hexdigest()
    manifest["bundle_id"] = str(uuid.uuid4())
    manifest["office"] |= {"code": code, "name": name, "id": f"{number:08x}" + manifest["office"]["id"][8:]}
    body = json.dumps(manifest, indent=2, ensure_ascii=False).encode() + b"\n"
    (target / MANIFEST).write_bytes(body)
    (target / SIGNATURE).write_text(signing.sign(private_key, body) + "\n")
    return manifest
