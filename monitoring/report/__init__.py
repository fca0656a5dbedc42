"""The stocktaking report of a reporting cycle, built from the relational data by ONE function.

``build_report(cycle)`` is the only place where the report's numbers are computed. It reads the plan, the
cycle's approved progress updates, milestones, indicators, work plan and the initiatives' history with a
fixed number of queries (about twenty, whatever the size of the plan) and returns plain dataclasses. The
page, the PDF, the XLSX and the CSV only render them; a published report renders the same dataclasses
rebuilt from the JSON frozen at publication (``to_json`` / ``from_json``), and its PDF, XLSX and CSV are
built once, at publication, and stored (``StocktakingReport.pdf_file`` and the others; see
``monitoring.cycle_services``).

The modules: ``data`` (the dataclasses, the buckets' names, ``to_json`` / ``from_json``), ``plan`` (objectives
→ subgoals → actions), ``initiatives`` (each initiative's updates, milestones, indicators and work plan),
``sections`` (the plan's hierarchy, the summary, coverage and balance), ``changes``, ``charts`` (the charts'
data and their SVG) and ``builder`` (``build_report``, section by section).

Definitions (the report's notes repeat them for readers):

- *Initiatives*: every initiative of the plan. *Active*: planned or ongoing; they are expected to report.
- *Reported*: at least one approved progress update in the cycle.
- *New*: in the plan's first cycle, the initiatives the plan marks "(NEW)"; in later cycles, those that did
  not exist at the end of the previous cycle (from the initiatives' history).
- *Milestones of the cycle*: due in the cycle's period (planned end, else planned date), achieved in it, or
  reported on by an approved update of the cycle. Each is in one bucket, its state as of the report's date
  (``projects.models.MilestoneState``, read by ``Milestone.objects.with_state``): achieved, cancelled, date
  passed with no report yet ("overdue": due date passed, not achieved), delayed (reported delayed, new date not
  passed yet), on track (the rest).
- *Indicators*: the value is the latest approved value of the cycle. "Met" when it satisfies the target;
  "on track" when it is at least where a straight line from the baseline (baseline year) to the target
  (target year) stands in the value's year; "behind" otherwise. On track in the summary = met + on track.
- *Work-plan items*: done / not done as the latest approved update of the cycle reports them; "no report"
  when none does.
- *Excerpts*: an approved update is quoted by the first 60 words of its achievements, else of its challenges,
  else of its next steps (the first that is not empty), cut when the report is built (Django's ``Truncator``).
- *Changes since the previous cycle*: against the initiatives' state at the end of the previous cycle (or,
  in the first cycle, at its start) read from the django-simple-history records; slipped milestones are
  those an approved update of the cycle reported delayed to a later date; indicator deltas compare the
  cycle's value with the previous cycle's (or, failing that, the baseline).
"""

# The public API: the builder, the report's shape, its labels and (de)serialization.
from .builder import build_report  # noqa: F401
from .data import *  # noqa: F403
from .initiatives import EXCERPT_WORDS, excerpt  # noqa: F401
from .sections import summary_rows  # noqa: F401
