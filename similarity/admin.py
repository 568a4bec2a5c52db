from django.contrib import admin

from accounts.admin_audit import AuditedModelAdmin

from .models import Boilerplate, ReferenceDocument


@admin.register(Boilerplate)
class BoilerplateAdmin(AuditedModelAdmin):
    """The staff's list of policy and boilerplate paragraphs that never count as copying."""

    list_display = ("__str__", "note", "created_at")
    search_fields = ("text", "note")


@admin.register(ReferenceDocument)
class ReferenceDocumentAdmin(AuditedModelAdmin):
    """Uploads go through the 参考案例集 page (it extracts and indexes the text); here staff may delete one."""

    list_display = ("title", "original_name", "uploaded_by", "uploaded_at")
    readonly_fields = ("title", "file", "original_name", "uploaded_by")
    exclude = ("text",)

    def has_add_permission(self, request):
        return False
