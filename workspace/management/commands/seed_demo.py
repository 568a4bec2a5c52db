from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import demo as accounts_demo
from awards import demo as awards_demo
from cases import demo as cases_demo
from events import demo as events_demo
from notifications import demo as notifications_demo
from reviews import demo as reviews_demo
from workspace import demo as workspace_demo


class Command(BaseCommand):
    """Lives in the workspace, the top of the import graph: it calls every app's demo module, the workspace's
    examples of the other presets included, and no app may import the workspace."""

    help = (
        "创建演示数据（第三届社工节、评选活动、机构和各角色用户）。可重复运行，不会重复创建。"
        "加 --reset-passwords 为已有的演示账户重新生成随机密码并显示一次。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="为已有的演示账户重新生成随机密码并显示（不创建其他数据）。",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        if options["reset_passwords"]:
            accounts_demo.demo_passwords_reset(self.stdout)
            return
        today = timezone.localdate()
        people = accounts_demo.seed(self.stdout)
        festival = events_demo.seed(self.stdout, today=today)
        cases_demo.seed(self.stdout, today=today, festival=festival["festival"], shift=festival["shift"])
        previous = reviews_demo.seed(self.stdout, today=today, people=people)
        awards_demo.seed(self.stdout, people=people, campaign=previous["campaign"])
        workspace_demo.seed(self.stdout, today=today, people=people)  # the project call and station examples
        notifications_demo.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"演示数据就绪：{len(people['users'])} 个演示账户。"))
