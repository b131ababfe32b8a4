"""The outbox: sealed submissions on the server — files, recovery, export to a stick, ack."""

from intake.outbox.ack import AckResult, ack, parse_receipt
from intake.outbox.export import ExportResult, export
from intake.outbox.files import file_sha256, final_path, iso, write_sealed
from intake.outbox.recovery import Recovery, missing_files, recover

__all__ = [
    "AckResult",
    "ExportResult",
    "Recovery",
    "ack",
    "export",
    "file_sha256",
    "final_path",
    "iso",
    "missing_files",
    "parse_receipt",
    "recover",
    "write_sealed",
]
