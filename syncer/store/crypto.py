"""Shop credentials are encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from ``SYNCER_SECRET_KEY`` or a key file (created with mode 0600 on first use,
beside the SQLite database by default). Without the key the stored credentials are useless.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from syncer.errors import ConfigError


def load_or_create_key(path: Path) -> bytes:
    """The key in ``path``; a new key is written there (owner-only) if the file is absent."""
    if path.exists():
        key = path.read_bytes().strip()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Fernet.generate_key()
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
    try:
        Fernet(key)
    except ValueError as exc:
        raise ConfigError(f"{path}: not a valid secret key (32 url-safe base64 bytes)") from exc
    return key


class CredentialCipher:
    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except ValueError as exc:
            raise ConfigError(
                "secret key: not a valid key; generate one with "
                "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())'"
            ) from exc

    def encrypt(self, credentials: Mapping[str, str]) -> str:
        return self._fernet.encrypt(json.dumps(dict(credentials)).encode()).decode()

    def decrypt(self, token: str) -> dict[str, str]:
        if not token:
            return {}
        try:
            data = json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as exc:
            raise ConfigError(
                "stored shop credentials cannot be decrypted: the secret key changed "
                "(set SYNCER_SECRET_KEY or secrets.key_file back to the key they were saved with)"
            ) from exc
        return {str(key): str(value) for key, value in data.items()}
