"""Spreadsheet import (validate → preview → commit) and ledger export."""

from django.http import HttpResponse


def import_upload_view(request):
    return HttpResponse("todo", status=501)


def import_template_view(request):
    return HttpResponse("todo", status=501)


def import_preview_view(request, batch_id: int):
    return HttpResponse("todo", status=501)


def export_view(request):
    return HttpResponse("todo", status=501)
