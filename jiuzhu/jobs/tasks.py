"""The one queue task: it takes a job's id and runs it; all the work is in services."""

from django_tasks import task

from . import services


@task()
def job_execute(job_id: int) -> None:
    services.job_run(job_id=job_id)
