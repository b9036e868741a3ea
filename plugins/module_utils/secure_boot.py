# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""UEFI Secure Boot state from the EFI variables (faults 8 and 9), without mokutil."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
from ansible_collections.secure_endpoint.linux.plugins.module_utils.host_files import read_bytes

EFI_GLOBAL_GUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
SECURE_BOOT_VAR = "SecureBoot-" + EFI_GLOBAL_GUID


def _has_entries(path):
    try:
        return bool(os.listdir(path))
    except OSError:
        return False


def secure_boot_state(sys_dir="/sys"):
    """``(state, evidence)``: state True (enabled), False (disabled or legacy BIOS boot), None.

    efivarfs files hold 4 bytes of attributes, then the value: SecureBoot is one byte, 1 when
    enforcing (the old sysfs ``vars/<name>/data`` file holds the value alone). Without
    /sys/firmware/efi the machine booted in legacy BIOS mode, where Secure Boot does not exist.
    """
    efi_dir = os.path.join(sys_dir, "firmware", "efi")
    if not os.path.isdir(efi_dir):
        return False, "no /sys/firmware/efi: legacy BIOS boot"
    efivars = os.path.join(efi_dir, "efivars")
    data = read_bytes(os.path.join(efivars, SECURE_BOOT_VAR), 16)
    if data is not None:
        value = data[4:5]
    else:
        data = read_bytes(os.path.join(efi_dir, "vars", SECURE_BOOT_VAR, "data"), 16)
        value = data[0:1] if data is not None else None
    if value is None:
        if _has_entries(efivars):
            # Variables are readable but this one is absent: firmware without Secure Boot.
            return False, "EFI boot, no SecureBoot variable"
        return None, "EFI boot, EFI variables not readable (efivarfs not mounted?)"
    if not value:
        return None, "SecureBoot variable too short"
    return value != b"\x00", "SecureBoot=%d (EFI variable)" % ord(value)
