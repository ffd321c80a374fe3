"""Importers: files in, validated rows into the store, a report out.

The public face of the importers; callers import from here::

    from data.ingest import import_events, ImportFileError

One module per job: :mod:`~data.ingest.events`, :mod:`~data.ingest.readings`,
:mod:`~data.ingest.areas` (and :mod:`~data.ingest.reassign`), :mod:`~data.ingest.categories`
import one kind of file each; :mod:`~data.ingest.opening` opens a file before anything is
written; :mod:`~data.ingest.rejects` and :mod:`~data.ingest.bookkeeping` record what was
rejected and how the batch went; :mod:`~data.ingest.report` is what an import returns;
:mod:`~data.ingest.dry_run` checks a file without writing; :mod:`~data.ingest.pipeline`
overlaps reading, validation and writes. Every input row ends either in the store or in
``import_rejects``, so ``rows read = stored + rejected`` always holds.
"""

from data.ingest.areas import import_areas
from data.ingest.categories import import_categories
from data.ingest.dry_run import DryRunStore
from data.ingest.events import import_events
from data.ingest.opening import ImportFileError, new_batch_id
from data.ingest.readings import import_readings
from data.ingest.reassign import reassign_areas
from data.ingest.report import ImportReport, Progress

__all__ = [
    "DryRunStore",
    "ImportFileError",
    "ImportReport",
    "Progress",
    "import_areas",
    "import_categories",
    "import_events",
    "import_readings",
    "new_batch_id",
    "reassign_areas",
]
