"""From runs to a dataset: incident and event tables, cross-document events, their
scores, and the charts of the HTML reports.

Kept apart from extraction and scoring so the dataset side can grow without touching
them: the rest of the tool reaches it through a few thin hooks (the ``export`` and
``events`` commands, cluster scores in ``eval``/``compare``, charts in the reports).
"""
