"""Certificates, their PDFs and the export ZIP live in the default storage, whatever it is (issue 16): with a
storage that is not the local file system nothing appears under MEDIA_ROOT, downloads stream from the
storage, and the temporary files LibreOffice needs are gone afterwards."""

import io
import tempfile
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from awards import services
from awards.models import CertificateExport
from awards.tests.factories import AwardFactory, publicity_campaign, publish_results
from awards.tests.test_results_and_certificates import needs_soffice


@pytest.fixture
def storage_elsewhere(settings, tmp_path, monkeypatch):
    """Django's in-memory storage as the default one; MEDIA_ROOT and the temporary folder are empty folders
    the test watches."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return tmp_path


def _files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def test_the_holder_downloads_a_certificate_kept_in_a_storage_that_is_not_the_file_system(
    client, cast, db, storage_elsewhere, django_capture_on_commit_callbacks
):
    from reviews.tests.factories import ApplicationFactory

    campaign = publicity_campaign(slug="in-memory", open_now=False)
    app = ApplicationFactory(campaign=campaign, applicant=cast.applicant_a, organisation=cast.org_a)
    certificate = services.certificate_allocate(award=AwardFactory(campaign=campaign, application=app))
    publish_results(campaign, cast.staff)
    client.force_login(cast.applicant_a)
    url = reverse("awards:certificate_download", kwargs={"pk": certificate.pk, "fmt": "docx"})
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)  # queues the per-application task, which runs at once (eager)
    response = client.get(url)

    assert response.status_code == 200
    certificate.refresh_from_db()
    body = b"".join(response.streaming_content)
    with default_storage.open(certificate.docx) as stored:
        assert body == stored.read()
    assert certificate.number in zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml").decode()
    assert _files_under(storage_elsewhere / "media") == []
    assert _files_under(storage_elsewhere / "tmp") == []


@needs_soffice
def test_the_export_converts_to_pdf_in_a_temporary_folder_and_keeps_only_the_storage_copies(
    cast, db, storage_elsewhere
):
    campaign = publicity_campaign(slug="export-in-memory", open_now=False)
    for rank in (1, 2):
        AwardFactory(campaign=campaign, rank=rank)
    publish_results(campaign, cast.staff)
    export = CertificateExport.objects.create(campaign=campaign, requested_by=cast.staff)

    assert services.certificate_export_run(export_id=export.pk) == CertificateExport.Status.DONE

    export.refresh_from_db()
    with zipfile.ZipFile(default_storage.open(export.file.name)) as z:
        names = z.namelist()
        assert sorted(n.rsplit(".", 1)[1] for n in names) == ["docx", "docx", "pdf", "pdf"]
        assert all(z.read(n).startswith(b"%PDF") for n in names if n.endswith(".pdf"))
    assert _files_under(storage_elsewhere / "media") == []
    assert _files_under(storage_elsewhere / "tmp") == []  # sources, PDFs and LibreOffice's profile removed
