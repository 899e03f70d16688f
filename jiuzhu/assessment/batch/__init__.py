"""Re-assess a whole region at once: households in, stored assessments out.

The vectorised engine path (jiuzhu.engine.batch) scores the households; this
package feeds it from the database and writes its results, one module per step:

1. `load`: one query for the households, one for their members, one for the
   members' latest elderly-ability levels, streamed as CSV by COPY on
   PostgreSQL (jiuzhu.frames); amounts are cast to float in SQL (what
   `float(Decimal)` gives in `household_input`).
2. `score`: the active model (or the one given) and each county's economic
   standard. `inputs` renders each household's stored inputs.
3. `write`, in one transaction: lock the assessment table against concurrent
   single re-assessments, leave out households someone re-assessed since the
   load began, insert the new rows (PostgreSQL: COPY; SQLite: bulk insert) and
   point each household's LatestAssessment at its new row. Rows carry
   `trigger="batch"`, no assessor and no reasons (recomputed on display from the
   stored `inputs`, which equal `to_json(household_input(household))` — tests check it).
4. `run`: the entry points (assess_region, reassess_region, preview_region).
"""

from .inputs import inputs_json
from .load import RegionFrames, RegionResult, load_region
from .run import assess_region, preview_region, reassess_region, scored
from .score import model_of, score_region, standards_of
from .write import inputs_hash, previous_inputs, write_results

__all__ = [
    "RegionFrames",
    "RegionResult",
    "assess_region",
    "inputs_hash",
    "inputs_json",
    "load_region",
    "model_of",
    "preview_region",
    "previous_inputs",
    "reassess_region",
    "score_region",
    "scored",
    "standards_of",
    "write_results",
]
