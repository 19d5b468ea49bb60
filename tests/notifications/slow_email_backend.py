"""A file-based e-mail backend that takes its time, for tests that kill a worker mid-batch.

Selected in a worker process by ``TEST_EMAIL_BACKEND``; each message waits
``TEST_EMAIL_DELAY`` seconds *before* it is written, so a worker killed while waiting has not
sent that message.
"""

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("TEST_EMAIL_DELAY", "1")))
        return super().send_messages(email_messages)
