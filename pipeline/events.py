"""Domain events of the pipeline.

``transition_recorded`` is sent inside the transition's database transaction, right after the
audit record is written: receivers write rows that must commit or roll back together with the
state change (the notifications outbox). ``transition_committed`` is sent only after the
transaction commits: receivers start work outside the database (enqueueing Celery tasks). Both
carry ``log``, the ``TransitionLog`` row.
"""

from django.dispatch import Signal

transition_recorded = Signal()
transition_committed = Signal()
