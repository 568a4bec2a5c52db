from django.contrib import admin

from .models import Festival


@admin.register(Festival)
class FestivalAdmin(admin.ModelAdmin):
    list_display = ["title", "edition", "year", "starts_on", "ends_on", "status"]
    list_filter = ["status", "year"]
    search_fields = ["title", "theme"]
    prepopulated_fields = {"slug": ["title"]}
