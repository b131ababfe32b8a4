"""The offline staff side: keys, ``intake decrypt`` opening sealed files into reports, indexes.

Modules: :mod:`~intake.offline.opener` (all-or-nothing open of one file),
:mod:`~intake.offline.extract` (safe streaming tar extraction), :mod:`~intake.offline.report`
(``report.html``), :mod:`~intake.offline.spreadsheet` (``index.csv``),
:mod:`~intake.offline.receipt` (``receipt.json``), :mod:`~intake.offline.batch` (one run),
:mod:`~intake.offline.keygen` (staff identities). The commands are in :mod:`intake.cli`.
"""
