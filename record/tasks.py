"""Celery beat sweep for the record: a thin, idempotent wrapper around its service."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def term_summaries_draft_due():
    """Draft the summary of each steward term that ended in the last week and has none yet."""
    return services.term_summaries_draft_due()
