"""The embedded engine queues writers on a lock file and always lets go of it."""

from __future__ import annotations

import fcntl
import os

import pytest
from django.db import connection, transaction

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the writer queue belongs to the SQLite engine"
)


def _lock_is_free(path: str) -> bool:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_transaction_holds_the_writer_lock_until_it_ends():
    path = f"{connection.settings_dict['NAME']}-writer.lock"
    with transaction.atomic():
        assert not _lock_is_free(path)
        with transaction.atomic():  # a savepoint does not take it twice
            assert not _lock_is_free(path)
    assert _lock_is_free(path)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert not _lock_is_free(path)
        raise RuntimeError("rolled back")
    assert _lock_is_free(path)
