"""``intake keygen --out KEY [--classic] [--passphrase-file F]``: a new staff identity (offline),
plus ``KEY.pub`` with its public recipient."""

from __future__ import annotations

import argparse
import datetime
import os
from pathlib import Path

from intake import tui


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``keygen`` to the parser."""
    p = sub.add_parser("keygen", help="create a passphrase-protected staff identity")
    p.add_argument("--out", "-o", type=Path, required=True, help="identity file to create")
    p.add_argument("--classic", action="store_true", help="X25519 instead of post-quantum")
    p.add_argument("--passphrase-file", type=Path, help="read the passphrase from a file")
    p.set_defaults(func=keygen)


def keygen(args: argparse.Namespace) -> int:
    """Create the identity file named by ``args.out``; 0 on success, 1 on a reported error."""
    from crypto import fingerprint, generate_identity
    from intake.offline.keygen import (
        KeygenError,
        ask_passphrase,
        check_passphrase,
        public_path,
        read_passphrase_file,
        recipient_text,
        seal_identity,
        write_new_file,
    )

    pub = public_path(args.out)
    try:
        for path in (args.out, pub):  # before asking anything: both files must be new
            if os.path.lexists(path):
                raise KeygenError(f"{path} already exists; refusing to overwrite a key file")
        passphrase = (
            read_passphrase_file(args.passphrase_file)
            if args.passphrase_file is not None
            else ask_passphrase()
        )
        check_passphrase(passphrase)
        identity = generate_identity(post_quantum=not args.classic)
        now = datetime.datetime.now(datetime.UTC)
        write_new_file(args.out, seal_identity(identity, passphrase, now))
        try:
            write_new_file(pub, recipient_text(identity, now), mode=0o644)
        except KeygenError:
            args.out.unlink(missing_ok=True)  # a key without its .pub would be half a result
            raise
    except KeygenError as exc:
        tui.error(str(exc))
        return 1
    recipient = identity.recipient()
    kind = "classic X25519" if args.classic else "post-quantum (ML-KEM-768 + X25519)"
    print(f"Created {args.out} ({kind}), protected by your passphrase.")
    print(f"Created {pub} (the public recipient, for INTAKE_RECIPIENTS_FILE on the server).")
    print(f"Fingerprint: {fingerprint(recipient)}")
    print("Public recipient (put it in INTAKE_RECIPIENTS on the server):")
    print(recipient)
    return 0
