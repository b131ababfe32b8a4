"""The offline staff side: ``intake decrypt`` opens sealed submissions into readable reports.

Modules: :mod:`~intake.offline.opener` (all-or-nothing open of one file),
:mod:`~intake.offline.extract` (safe streaming tar extraction), :mod:`~intake.offline.report`
(``report.html``), :mod:`~intake.offline.index` (``index.csv``), :mod:`~intake.offline.receipt`
(``receipt.json``), :mod:`~intake.offline.batch` (one run), :mod:`~intake.offline.command` (CLI).
"""
