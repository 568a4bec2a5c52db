from django.contrib import admin

from accounts.admin_audit import ReadOnlyModelAdmin as ReadOnlyAdmin

from .models import Award, Certificate, CertificateTemplate, Objection, ObjectionNote, Publicity, SpecialPrize


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ("application", "campaign", "tier", "rank", "status", "confirmed_at")
    list_filter = ("campaign", "status")
    list_select_related = ("application__award_decision", "campaign", "special_prize")


@admin.register(SpecialPrize)
class SpecialPrizeAdmin(ReadOnlyAdmin):
    """Edited on the portal's 单项奖设置 page; read-only here."""

    list_display = ("name", "campaign", "position")
    list_select_related = ("campaign",)


@admin.register(Publicity)
class PublicityAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "override", "results_published_at")
    list_select_related = ("campaign",)


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("tracking_number", "campaign", "award", "status", "created_at")
    list_filter = ("campaign", "status")
    list_select_related = ("campaign", "award__application")


@admin.register(ObjectionNote)
class ObjectionNoteAdmin(ReadOnlyAdmin):
    list_display = ("objection", "author", "created_at")
    list_select_related = ("objection", "author")


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "title", "issuer")
    list_select_related = ("campaign",)


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("number", "campaign", "award", "issued_at")
    list_filter = ("campaign",)
    list_select_related = ("campaign", "award__application")
