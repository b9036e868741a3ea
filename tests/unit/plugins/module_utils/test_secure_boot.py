# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.secure_endpoint.linux.plugins.module_utils import secure_boot

VAR = secure_boot.SECURE_BOOT_VAR
# efivarfs content: 4 bytes of attributes (NV+BS+RT = 0x06) then the one-byte value.
ATTRS = b"\x06\x00\x00\x00"


def efivars(tmp_path):
    path = tmp_path / "firmware" / "efi" / "efivars"
    path.mkdir(parents=True)
    (path / ("SetupMode-" + secure_boot.EFI_GLOBAL_GUID)).write_bytes(ATTRS + b"\x00")
    return path


def test_enabled(tmp_path):
    (efivars(tmp_path) / VAR).write_bytes(ATTRS + b"\x01")
    assert secure_boot.secure_boot_state(str(tmp_path)) == (True, "SecureBoot=1 (EFI variable)")


def test_disabled(tmp_path):
    (efivars(tmp_path) / VAR).write_bytes(ATTRS + b"\x00")
    assert secure_boot.secure_boot_state(str(tmp_path))[0] is False


def test_the_fifth_byte_decides_not_the_attributes(tmp_path):
    (efivars(tmp_path) / VAR).write_bytes(b"\x07\x01\x01\x01\x00")
    assert secure_boot.secure_boot_state(str(tmp_path))[0] is False


def test_legacy_bios(tmp_path):
    assert secure_boot.secure_boot_state(str(tmp_path)) == (False, "no /sys/firmware/efi: legacy BIOS boot")


def test_no_variable_on_firmware_without_secure_boot(tmp_path):
    efivars(tmp_path)
    assert secure_boot.secure_boot_state(str(tmp_path))[0] is False


def test_efivarfs_not_mounted(tmp_path):
    (tmp_path / "firmware" / "efi" / "efivars").mkdir(parents=True)
    assert secure_boot.secure_boot_state(str(tmp_path))[0] is None


def test_truncated_variable(tmp_path):
    (efivars(tmp_path) / VAR).write_bytes(ATTRS)
    assert secure_boot.secure_boot_state(str(tmp_path))[0] is None


def test_old_sysfs_interface(tmp_path):
    data = tmp_path / "firmware" / "efi" / "vars" / VAR
    data.mkdir(parents=True)
    (data / "data").write_bytes(b"\x01")
    assert secure_boot.secure_boot_state(str(tmp_path))[0] is True
