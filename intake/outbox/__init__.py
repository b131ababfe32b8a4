"""The outbox: sealed submissions on the server — files, recovery, export to a stick, ack."""

from intake.outbox.ack import AckEntry, AckResult, ReceiptError, ack, parse_receipt, read_receipt
from intake.outbox.export import ExportResult, export
from intake.outbox.files import file_sha256, final_path, iso, write_sealed
from intake.outbox.recovery import Recovery, missing_files, recover

__all__ = [
    "AckEntry",
    "AckResult",
    "ExportResult",
    "ReceiptError",
    "Recovery",
    "ack",
    "export",
    "file_sha256",
    "final_path",
    "iso",
    "missing_files",
    "parse_receipt",
    "read_receipt",
    "recover",
    "write_sealed",
]
