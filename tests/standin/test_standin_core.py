# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the stand-in's condition checks and status format (plain pytest)."""

import glob
import os
import shutil
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "src", "lib"))

import standin_core as core  # noqa: E402

CLAMAV = os.path.join(os.path.dirname(HERE), "unit", "data", "clamav")
REAL_CVDS = sorted(glob.glob(os.path.join(CLAMAV, "test-*.cvd")))


class FakeUser(object):
    pw_uid = 999
    pw_gid = 100


class FakeGroup(object):
    gr_gid = 998


def lookup(exists, value):
    def _lookup(name):
        if not exists:
            raise KeyError(name)
        return value
    return _lookup


def corrupt(src, dst, offset, count=8):
    data = bytearray(open(src, "rb").read())
    for index in range(offset, offset + count):
        data[index] ^= 0xFF
    with open(dst, "wb") as handle:
        handle.write(bytes(data))
    return dst


# ------------------------------------------------------------------ definitions (fault 7)

def test_real_cvds_are_valid():
    assert len(REAL_CVDS) == 6
    for path in REAL_CVDS:
        assert core.check_definition(path) == (True, "ok"), path


def test_flipped_body_byte_is_an_md5_mismatch(tmp_path):
    path = corrupt(REAL_CVDS[0], str(tmp_path / "daily.cvd"), 1024)
    valid, reason = core.check_definition(path)
    assert not valid and reason.startswith("MD5 mismatch")


def test_cld_skips_the_body_md5_like_clamav(tmp_path):
    path = corrupt(REAL_CVDS[0], str(tmp_path / "daily.cld"), 1024)
    assert core.check_definition(path) == (True, "ok")


@pytest.mark.parametrize("mutate, expected", [
    (lambda data: b"ClamAX" + data[6:], "bad magic"),
    (lambda data: data[:300], "shorter than"),
    (lambda data: data[:512], "no body"),
    (lambda data: b"ClamAV-VDB:date:1:0:81".ljust(512, b" ") + data[512:], "header has no MD5"),
    (lambda data: data[:11] + b"x" + data[12:], None),  # creation time text: still valid
    (lambda data: data.replace(b":1:0:81:", b":1:zz:81:", 1), "signature count is not a number"),
    (lambda data: data.replace(b"a4ab60ae", b"g4ab60ae", 1), "MD5 is malformed"),
])
def test_header_defects(tmp_path, mutate, expected):
    path = str(tmp_path / "x.cvd")
    with open(path, "wb") as handle:
        handle.write(mutate(open(REAL_CVDS[0], "rb").read()))
    valid, reason = core.check_definition(path)
    if expected is None:
        assert valid, reason
    else:
        assert not valid and expected in reason


def test_invalid_definitions_walks_the_install_dir(tmp_path):
    sub = tmp_path / "clamav" / "nested"
    sub.mkdir(parents=True)
    shutil.copy(REAL_CVDS[1], str(tmp_path / "clamav" / "main.cvd"))
    corrupt(REAL_CVDS[1], str(sub / "bad.CVD"), 2000)
    (tmp_path / "clamav" / "notes.txt").write_text("not a definition")
    bad = core.invalid_definitions(str(tmp_path))
    assert [item[0] for item in bad] == [str(sub / "bad.CVD")]


# ------------------------------------------------------------------ fault 5

def test_account_problems():
    assert core.scan_account_problems(lookup(True, FakeUser()), lookup(True, FakeGroup())) == []
    assert core.scan_account_problems(lookup(True, FakeUser()), lookup(False, None)) == [
        "group cisco-amp-scan-svc does not exist"]
    assert len(core.scan_account_problems(lookup(False, None), lookup(False, None))) == 2


def make_tree(tmp_path):
    paths = core.Paths(str(tmp_path))
    for sub in ("bin", "etc", "clamav"):
        os.makedirs(os.path.join(paths.amp_dir, sub))
    for dirpath, dummy_dirs, dummy_files in os.walk(paths.opt_cisco):
        os.chmod(dirpath, 0o755)
    return paths


def test_directory_modes(tmp_path):
    paths = make_tree(tmp_path)
    assert core.directory_mode_problems(paths.opt_cisco, paths.amp_dir) == []
    os.chmod(os.path.join(paths.amp_dir, "etc"), 0o775)
    os.chmod(paths.opt_cisco, 0o700)
    problems = core.directory_mode_problems(paths.opt_cisco, paths.amp_dir)
    assert problems == ["%s has mode 0700, expected 0755" % paths.opt_cisco,
                        "%s/etc has mode 0775, expected 0755" % paths.amp_dir]


def test_symlinked_child_directory_is_a_problem(tmp_path):
    paths = make_tree(tmp_path)
    os.rename(os.path.join(paths.amp_dir, "clamav"), str(tmp_path / "elsewhere"))
    os.symlink(str(tmp_path / "elsewhere"), os.path.join(paths.amp_dir, "clamav"))
    problems = core.directory_mode_problems(paths.opt_cisco, paths.amp_dir)
    assert len(problems) == 1 and "symbolic link" in problems[0]


# ------------------------------------------------------------------ SELinux (fault 19)

def selinux_tree(tmp_path, policy_type="targeted", store="/var/lib/selinux"):
    paths = core.Paths(str(tmp_path))
    os.makedirs(os.path.dirname(paths.selinux_config))
    with open(paths.selinux_config, "w") as handle:
        handle.write("SELINUX=enforcing\nSELINUXTYPE=%s\n" % policy_type)
    modules = paths.host("%s/%s/active/modules" % (store, policy_type))
    os.makedirs(os.path.join(modules, "100", "base"))
    return paths, modules


def test_selinux_module_states(tmp_path):
    paths, modules = selinux_tree(tmp_path)
    assert core.selinux_module_state(paths) == "missing"
    os.makedirs(os.path.join(modules, "400", "Cisco-Secure-BPF"))
    assert core.selinux_module_state(paths) == "enabled"
    os.makedirs(os.path.join(modules, "disabled"))
    open(os.path.join(modules, "disabled", "cisco-secure-bpf"), "w").close()
    assert core.selinux_module_state(paths) == "disabled"


def test_selinux_module_in_another_policy_type_does_not_count(tmp_path):
    paths = selinux_tree(tmp_path, "default")[0]
    os.makedirs(paths.host("/var/lib/selinux/targeted/active/modules/400/cisco-secure-bpf"))
    assert core.selinux_module_state(paths) == "missing"


def test_selinux_el7_store(tmp_path):
    paths, modules = selinux_tree(tmp_path, "targeted", "/etc/selinux")
    os.makedirs(os.path.join(modules, "400", "cisco-secure-bpf"))
    assert core.selinux_module_state(paths) == "enabled"


def test_selinux_enforcing(tmp_path):
    paths = core.Paths(str(tmp_path))
    assert not core.selinux_enforcing(paths, {})
    assert core.selinux_enforcing(paths, {"selinux_enforcing": ""})
    os.makedirs(os.path.dirname(paths.selinux_enforce))
    with open(paths.selinux_enforce, "w") as handle:
        handle.write("1")
    assert core.selinux_enforcing(paths, {})


# ------------------------------------------------------------------ evaluation

def observations(**overrides):
    obs = {
        "switches": {},
        "version": "1.24.3",
        "policy": {"name": "P", "serial": "1", "file_monitoring": True, "device_flow": True},
        "account_problems": [],
        "mode_problems": [],
        "invalid_definitions": [],
        "release": "6.1.0-18-amd64",
        "btf": True,
        "headers_dir": "/usr/src/linux-headers-6.1.0-18-amd64",
        "selinux_enforcing": False,
        "selinux_module": "missing",
    }
    obs.update(overrides)
    return obs


def test_healthy_host_has_no_fault():
    assert core.evaluate(observations()) == {}


@pytest.mark.parametrize("version, btf, expected", [
    ("1.24.3", True, True),   # before 1.25 headers are needed even with BTF
    ("1.25.0", False, True),  # no BTF: no CO-RE
    ("1.25.0", True, False),
    ("1.26.1", True, False),
])
def test_fault_11_needs_headers(version, btf, expected):
    faults = core.evaluate(observations(version=version, btf=btf, headers_dir=None))
    assert (11 in faults) is expected


def test_policy_without_monitoring_masks_8_9_11_16():
    policy = {"name": "P", "serial": "1", "file_monitoring": False, "device_flow": False}
    switches = {"secure_boot": "", "kernel_incompatible": ""}
    faults = core.evaluate(observations(policy=policy, switches=switches, headers_dir=None))
    assert faults == {}


def test_switch_faults_and_severities():
    switches = {"fsmon_fail": "insmod ampfsm: -1 Unknown symbol", "netmon_fail": "",
                "kernel_incompatible": "", "event_overload": "Critical", "low_memory": ""}
    faults = core.evaluate(observations(switches=switches), scan_restarts=3)
    assert sorted(faults) == [6, 7, 8, 9, 16, 18]
    assert faults[8]["details"] == ["insmod ampfsm: -1 Unknown symbol"]
    assert faults[9]["details"] == [core.DEFAULT_NETMON_LINE]
    assert faults[18]["severity"] == "Critical"
    assert all(faults[key]["severity"] == "Major" for key in (6, 7, 8, 9, 16))


def test_secure_boot_raises_8_and_9():
    faults = core.evaluate(observations(switches={"secure_boot": ""}))
    assert sorted(faults) == [8, 9]
    assert "Secure Boot" in faults[8]["details"][0]


def test_fault_5_7_19_from_real_conditions():
    obs = observations(account_problems=["group cisco-amp-scan-svc does not exist"],
                       invalid_definitions=[("/opt/cisco/amp/clamav/x.cvd", "MD5 mismatch")],
                       selinux_enforcing=True, selinux_module="disabled")
    faults = core.evaluate(obs, scan_restarts=2)
    assert sorted(faults) == [5, 7, 19]
    assert "disabled" in faults[19]["details"][0]
    assert core.evaluate(observations(selinux_enforcing=True, selinux_module="enabled")) == {}


def test_recent_restarts_window():
    assert core.recent_restarts([0, 100, 250, 301], 400) == [250, 301]


# ------------------------------------------------------------------ status and state

FAULT_18_SAMPLE = """Status: Connected
Mode: Degraded
Scan: Ready for scan
Last Scan: 2023-06-19 02:02:03 PM
Policy: Audit Policy for FireAMP Linux (#1)
Command-line: Enabled
Orbital: Disabled
Behavioural Protection: Protect
Faults: 1 Major
Fault IDs: 18
ID 18 - Major: Connector event monitoring is overloaded. Investigate the most active processes \
for malicious activity, you can also create exclusions for the most active benign processes to \
reduce monitoring load."""


def test_status_reproduces_cisco_sample():
    fault = core.evaluate(observations(switches={"event_overload": ""}))[18]
    state = {"faults": [fault], "scan": "Ready for scan", "last_scan": "2023-06-19 02:02:03 PM",
             "policy": "Audit Policy for FireAMP Linux (#1)"}
    assert "\n".join(core.format_status(state)) == FAULT_18_SAMPLE


def test_status_without_faults():
    lines = core.format_status({"faults": [], "scan": "Ready for scan", "policy": "P (#1)"})
    assert "Mode: Normal" in lines and lines[-1] == "Faults: None"
    assert not any(line.startswith("Fault IDs") for line in lines)


def test_status_with_several_faults():
    faults = core.evaluate(observations(switches={"event_overload": "critical"},
                                        account_problems=["x"]))
    lines = core.format_status({"faults": [faults[18], faults[5]]})
    assert "Faults: 1 Major, 1 Critical" in lines
    assert "Fault IDs: 5, 18" in lines
    assert [line.split(":", 1)[0] for line in lines[-2:]] == ["ID 5 - Major", "ID 18 - Critical"]


def test_state_liveness():
    state = {"pid": 1234, "updated": 1000.0, "interval": 2}
    assert core.state_is_live(state, 1009.0, alive=lambda pid: True)
    assert not core.state_is_live(state, 1011.0, alive=lambda pid: True)
    assert not core.state_is_live(state, 1001.0, alive=lambda pid: False)
    assert not core.state_is_live(None, 1001.0, alive=lambda pid: True)
    assert core.pid_alive(os.getpid())


def test_state_round_trip(tmp_path):
    path = str(tmp_path / "run" / "state.json")
    core.write_state(path, {"pid": 1, "faults": []})
    assert core.load_state(path) == {"pid": 1, "faults": []}
    assert os.listdir(str(tmp_path / "run")) == ["state.json"]
    with open(path, "w") as handle:
        handle.write("{broken")
    assert core.load_state(path) is None


def test_switches_and_policy(tmp_path):
    paths = core.Paths(str(tmp_path))
    assert core.read_switches(paths.switch_dir) == {}
    os.makedirs(paths.switch_dir)
    with open(os.path.join(paths.switch_dir, "event_overload"), "w") as handle:
        handle.write(" Critical\n")
    open(os.path.join(paths.switch_dir, ".hidden"), "w").close()
    assert core.read_switches(paths.switch_dir) == {"event_overload": "Critical"}
    policy = core.read_policy(os.path.join(HERE, "src", "etc", "policy.xml"))
    assert policy["file_monitoring"] and policy["device_flow"]
    assert core.policy_label(policy) == "Stand-in Audit Policy for Linux (#1)"


# ------------------------------------------------------------------ scan supervision (fault 6)

class Clock(object):
    now = 1000.0

    def __call__(self):
        return self.now


def test_supervisor_counts_restarts_of_a_crashing_scan_service(tmp_path):
    log = core.Log(str(tmp_path / "ampdaemon.log"), "ampdaemon")
    clock = Clock()
    supervisor = core.ScanSupervisor(["sh", "-c", "exit 3"], log, str(tmp_path / "scan.log"), clock)
    supervisor.step(True, None)  # first start is not a restart
    for dummy_attempt in range(3):
        supervisor.proc.wait()
        clock.now += 2
        supervisor.step(True, None)
    assert supervisor.restart_count() == 3
    clock.now += core.SCAN_RESTART_WINDOW
    assert supervisor.restart_count() == 0
    text = open(str(tmp_path / "ampdaemon.log")).read()
    assert text.count("Scan service exited unexpectedly (status 3); restarting") == 3
    assert "scanning as root" in text
    supervisor.step(False, None)
    assert supervisor.proc is None


def test_supervisor_stops_a_running_scan_service(tmp_path):
    log = core.Log(str(tmp_path / "ampdaemon.log"), "ampdaemon")
    supervisor = core.ScanSupervisor(["sleep", "30"], log, str(tmp_path / "scan.log"))
    supervisor.step(True, None)
    assert supervisor.running()
    supervisor.stop()
    assert not supervisor.running() and supervisor.restart_count() == 0


def test_scan_identity_falls_back_to_the_users_default_group():
    assert core.scan_identity(lookup(False, None), lookup(True, FakeGroup())) is None
    assert core.scan_identity(lookup(True, FakeUser()), lookup(True, FakeGroup()))[:2] == (999, 998)
    assert core.scan_identity(lookup(True, FakeUser()), lookup(False, None))[:2] == (999, 100)
