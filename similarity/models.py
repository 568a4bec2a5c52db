"""查重: what an application's body is compared with, the index that finds candidates, and the results staff read.

One reference corpus for the portal (the portal serves one bureau); a `bureau` column can come with a second one.
"""

import uuid
from pathlib import PurePath

from django.db import models

from notifications.jobs import BackgroundJob


def upload_reference(instance, filename: str) -> str:
    """A random name: the uploader's file name is kept in `original_name`, never on the disk."""
    return f"similarity/corpus/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


class ReferenceDocument(models.Model):
    """参考案例集: a published case collection staff upload (.docx, .pdf with a text layer, .txt)."""

    title = models.CharField("名称", max_length=200)
    file = models.FileField("文件", upload_to=upload_reference)
    original_name = models.CharField("原文件名", max_length=200)
    text = models.TextField("提取的文本", editable=False)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "参考案例集"
        verbose_name_plural = "参考案例集"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.title


class Boilerplate(models.Model):
    """政策/通用段落: a paragraph (policy text, a standard phrase) that never counts as copying."""

    text = models.TextField("段落")
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "不计入查重的段落"
        verbose_name_plural = "不计入查重的段落"
        ordering = ["id"]

    def __str__(self):
        return self.note or self.text[:30]


class IndexedText(models.Model):
    """查重索引: one application's body or one reference document, as last indexed (its digest says which text)."""

    application = models.OneToOneField(
        "cases.Application",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="similarity_index",
        verbose_name="申报案例",
    )
    document = models.OneToOneField(
        ReferenceDocument,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="index",
        verbose_name="参考案例集",
    )
    digest = models.CharField("文本摘要", max_length=64)
    indexed_at = models.DateTimeField("索引时间", auto_now=True)

    class Meta:
        verbose_name = "查重索引"
        verbose_name_plural = "查重索引"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application__isnull=False, document__isnull=True)
                | models.Q(application__isnull=True, document__isnull=False),
                name="indexedtext_one_source",
            )
        ]

    def __str__(self):
        return f"索引 {self.application_id or self.document_id}"


class Fingerprint(models.Model):
    """One sampled shingle hash of an indexed text: the inverted index that finds candidate sources."""

    text = models.ForeignKey(IndexedText, on_delete=models.CASCADE, related_name="fingerprints", db_index=False)
    value = models.IntegerField("指纹")

    class Meta:
        verbose_name = "查重指纹"
        verbose_name_plural = "查重指纹"
        indexes = [models.Index(fields=["value", "text"]), models.Index(fields=["text"])]

    def __str__(self):
        return str(self.value)


class SimilarityResult(models.Model):
    """查重结果: how much of an application's body was found elsewhere, and where (top sources)."""

    application = models.OneToOneField(
        "cases.Application", on_delete=models.CASCADE, related_name="similarity_result", verbose_name="申报案例"
    )
    score = models.FloatField(
        "重复比例", default=0, db_index=True, help_text="0–1：正文中与其他文本相同的部分所占比例。"
    )
    digest = models.CharField("查重时的文本摘要", max_length=64)
    # [{"label", "share"}], largest share first, for the list and the formal check without a join.
    top_sources = models.JSONField("主要来源", default=list)
    checked_at = models.DateTimeField("查重时间", auto_now=True)

    class Meta:
        verbose_name = "查重结果"
        verbose_name_plural = "查重结果"

    def __str__(self):
        return f"{self.application}：{self.percent}%"

    @property
    def percent(self) -> int:
        return round(self.score * 100)


class SimilarityMatch(models.Model):
    """相似来源: one source of an application's copied passages, with the passages (offsets into both texts)."""

    result = models.ForeignKey(SimilarityResult, on_delete=models.CASCADE, related_name="matches")
    source_application = models.ForeignKey(
        "cases.Application", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="来源案例"
    )
    source_document = models.ForeignKey(
        ReferenceDocument, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="来源案例集"
    )
    label = models.CharField("来源", max_length=300)
    share = models.FloatField("占本案正文比例")
    # The source's text when compared: its offsets stay right even if the source is edited later.
    source_text = models.TextField("来源文本")
    passages = models.JSONField("相同段落", default=list)

    class Meta:
        verbose_name = "相似来源"
        verbose_name_plural = "相似来源"
        ordering = ["-share", "id"]

    def __str__(self):
        return self.label


class SimilarityRun(BackgroundJob):
    """批量查重: every submitted application of a campaign checked by a background job (notifications.jobs), with
    its progress; it writes results, not a file."""

    task_path = "similarity.tasks.check_campaign"
    produces_file = False

    campaign = models.ForeignKey(
        "cases.Campaign", on_delete=models.CASCADE, related_name="similarity_runs", verbose_name="评选活动"
    )

    class Meta(BackgroundJob.Meta):
        verbose_name = "批量查重"
        verbose_name_plural = "批量查重"

    def __str__(self):
        return f"{self.campaign}：{self.get_status_display()}"

    def upload_path(self, filename: str) -> str:
        return f"similarity/runs/{filename}"
