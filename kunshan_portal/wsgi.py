import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kunshan_portal.settings")
application = get_wsgi_application()

# The privacy check's dictionary (jieba) takes seconds to load: load it when a web worker starts, not in the
# first submit it serves. Switch off with PRIVACY_WARM_UP=0 (a worker then starts faster and smaller).
if os.environ.get("PRIVACY_WARM_UP", "1") != "0":
    from cases.privacy import find_findings

    find_findings("社会工作者走访服务对象张某。")
