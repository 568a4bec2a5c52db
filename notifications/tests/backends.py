"""E-mail backends for the tests: they write files like Django's file backend, but can fail or wait.

FlakyFileBackend fails the first send of the run (a marker file remembers it), so a task is retried.
GatedFileBackend waits until a Redis key exists before writing, so a test can kill the worker mid-send.
"""

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class FailingBackend(FileBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP 服务器拒绝连接（测试）")


class FlakyFileBackend(FileBackend):
    def send_messages(self, email_messages):
        marker = os.path.join(self.file_path, ".failed-once")
        if not os.path.exists(marker):
            open(marker, "w").close()
            raise ConnectionRefusedError("SMTP 服务器暂时不可用（测试：第一次发送失败）")
        return super().send_messages(email_messages)


class GatedFileBackend(FileBackend):
    def send_messages(self, email_messages):
        import redis

        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        marker = os.path.join(self.file_path, ".send-started")
        open(marker, "w").close()
        while not client.exists(os.environ["MAIL_GATE_KEY"]):
            time.sleep(0.1)
        return super().send_messages(email_messages)
