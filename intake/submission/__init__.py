"""The sealed submission: document (format v1), names, ids, tar writer and reader, sealing."""
