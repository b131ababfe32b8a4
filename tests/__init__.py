"""The test suite: ``tests/<part>/test_<module>.py`` mirror the source; ``e2e/`` and ``interop/``
hold the end-to-end suites, ``support/`` the shared helpers, ``data/`` questionnaires and vectors.
"""
