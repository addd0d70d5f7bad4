"""Code stages: language identification, The Stack v2 file filters, licences and secrets.

The modules here hold the tables and pure functions (``languages``, ``heuristics``,
``identify``, ``generated``, ``licensing``, ``secrets``) and the stages built on them
(``language``, ``filters``, ``license_filter``, and ``secrets`` again); repositories are
read by :mod:`stages.ingest.code`.
"""
