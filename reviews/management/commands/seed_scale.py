import time

from django.core.management.base import BaseCommand, CommandError

from reviews.scale import scale_fill


class Command(BaseCommand):
    help = "为基准测试填充合成数据：一个评选活动、N 个案例、M 位专家、每个案例 K 份已提交的评审。"

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=1000)
        parser.add_argument("--reviewers", type=int, default=60)
        parser.add_argument("--reviews-per", "--reviews-per-application", dest="reviews_per", type=int, default=3)
        parser.add_argument("--body-chars", type=int, default=6000, help="每个案例正文的大致字数（默认 6000）")

    def handle(self, *args, applications, reviewers, reviews_per, body_chars, **options):
        started = time.perf_counter()
        try:
            campaign = scale_fill(
                applications=applications, reviewers=reviewers, reviews_per=reviews_per, body_chars=body_chars
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建 {campaign.title}（{campaign.slug}）：{applications} 个案例，{reviewers} 位专家，"
                f"{applications * reviews_per} 份评审，用时 {time.perf_counter() - started:.1f} 秒。"
            )
        )
