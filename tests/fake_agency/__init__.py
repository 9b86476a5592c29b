"""A fake eleventh agency (公证处, the notary office), to prove that an agency is added in one
place: its records and spec (``records.py``, ``spec.py``), its mock (``mock.py``) and one call
to ``AGENCIES.register``; ``run_inquiry`` runs an inquiry through a real gateway with it."""
