"""``intake keygen --out KEY [--classic] [--passphrase-file F]``: a new staff identity (offline)."""

from __future__ import annotations

import argparse
import datetime
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
        read_passphrase_file,
        seal_identity,
        write_new_file,
    )

    try:
        passphrase = (
            read_passphrase_file(args.passphrase_file)
            if args.passphrase_file is not None
            else ask_passphrase()
        )
        check_passphrase(passphrase)
        identity = generate_identity(post_quantum=not args.classic)
        data = seal_identity(identity, passphrase, datetime.datetime.now(datetime.UTC))
        write_new_file(args.out, data)
    except KeygenError as exc:
        tui.error(str(exc))
        return 1
    recipient = identity.recipient()
    kind = "classic X25519" if args.classic else "post-quantum (ML-KEM-768 + X25519)"
    print(f"Created {args.out} ({kind}), protected by your passphrase.")
    print(f"Fingerprint: {fingerprint(recipient)}")
    print("Public recipient (put it in INTAKE_RECIPIENTS on the server):")
    print(recipient)
    return 0
