"""The search index is rebuilt off the request for big corpora (TEC-5, issue 8): the saved
index per content stamp, the previous index serving meanwhile, the worker task."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from kefu.knowledge import search as search_module
from kefu.knowledge.models import Faq
from kefu.knowledge.search import content_stamp, index_path, search
from kefu.knowledge.tasks import refresh_search_index
from kefu.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


def _faq(user, question):
    now = timezone.now()
    return Faq.objects.create(
        question=question, answer="答案", created_by=user, created_at=now, updated_at=now
    )


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(search_module, "_current", None)


def test_big_corpus_keeps_the_previous_index_while_rebuilding(monkeypatch) -> None:
    user = UserFactory()
    refund = _faq(user, "如何申请退款")
    assert search("退款")[0].id == refund.pk  # first search of the process: built at once
    assert index_path(content_stamp()).exists()  # and saved for the other processes

    started: list[tuple] = []
    monkeypatch.setattr(search_module, "SYNC_DOCS", 0)  # every corpus counts as big
    monkeypatch.setattr(search_module, "_build_in_background", started.append)
    invoice = _faq(user, "怎么开发票")
    assert search("发票") == []  # the previous index answers, nothing built in the request
    assert started == [content_stamp()]

    refresh_search_index()  # the worker task (immediate in the tests) saves the new index
    assert index_path(content_stamp()).exists()
    assert search("发票")[0].id == invoice.pk  # loaded from the file, not rebuilt
    assert len(started) == 1


def test_background_thread_swaps_in_the_new_index(monkeypatch) -> None:
    user = UserFactory()
    _faq(user, "如何申请退款")
    old = search_module.current_index()
    monkeypatch.setattr(search_module, "SYNC_DOCS", 0)
    threads: list = []

    class Recorder:
        def __init__(self, target, name, daemon):
            self.target = target
            threads.append(self)

        def start(self) -> None:
            self.target()  # run where the test can see its database

    monkeypatch.setattr(search_module.threading, "Thread", Recorder)
    monkeypatch.setattr(search_module.connection, "close", lambda: None)
    invoice = _faq(user, "怎么开发票")
    assert search_module.current_index() is old  # this search: the previous index
    assert len(threads) == 1
    assert search_module.current_index().stamp == content_stamp()
    assert search("发票")[0].id == invoice.pk
