# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build an action plugin the way the task executor does, with a fake task and connection."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from unittest import mock

import pytest


@pytest.fixture
def make_action():
    """``make_action(ActionModule, args, check_mode=False) -> action``."""
    def factory(cls, args, check_mode=False):
        task = mock.MagicMock()
        task.args = dict(args)
        task.async_val = 0
        task.check_mode = check_mode
        task.action = "secure_endpoint.linux.test"
        connection = mock.MagicMock()
        connection._shell.tmpdir = None
        return cls(task, connection, mock.MagicMock(check_mode=check_mode), loader=None, templar=None,
                   shared_loader_obj=None)
    return factory
