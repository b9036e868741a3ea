# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the stand-in's programs (ampdaemon, ampcli, ampsupport) against a temporary root.

STANDIN_ROOT roots every path of the stand-in; users and groups still come from this host,
so the fault 5 expectations are computed from this host's accounts.
"""

import glob
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "src")
sys.path.insert(0, os.path.join(SRC, "lib"))

import standin_core as core  # noqa: E402

CLAMAV = os.path.join(os.path.dirname(HERE), "unit", "data", "clamav")
RELEASE = os.uname()[2]


@pytest.fixture
def root(tmp_path):
    amp = tmp_path / "opt" / "cisco" / "amp"
    (amp / "bin").mkdir(parents=True)
    for path in glob.glob(os.path.join(SRC, "bin", "*.py")):
        shutil.copy(path, str(amp / "bin" / os.path.basename(path)[:-3]))
    shutil.copytree(os.path.join(SRC, "lib"), str(amp / "lib"))
    (amp / "etc").mkdir()
    (amp / "clamav").mkdir()
    template = open(os.path.join(SRC, "etc", "global.xml.in")).read()
    (amp / "etc" / "global.xml").write_text(template.replace("@VERSION@", "1.24.3"))
    shutil.copy(os.path.join(SRC, "etc", "policy.xml"), str(amp / "etc"))
    for path in glob.glob(os.path.join(CLAMAV, "test-*.cvd")):
        shutil.copy(path, str(amp / "clamav"))
    for dirpath, dummy_dirs, dummy_files in os.walk(str(tmp_path / "opt")):
        os.chmod(dirpath, 0o755)
    (tmp_path / "usr" / "src" / ("linux-headers-%s" % RELEASE)).mkdir(parents=True)
    return tmp_path


def env_for(root):
    env = dict(os.environ, STANDIN_ROOT=str(root), STANDIN_INTERVAL="0.2", LC_ALL="C")
    return env


def program(root, name):
    return [sys.executable, str(root / "opt" / "cisco" / "amp" / "bin" / name)]


@pytest.fixture
def daemon(root):
    proc = subprocess.Popen(program(root, "ampdaemon"), env=env_for(root))
    yield proc
    proc.send_signal(signal.SIGTERM)
    proc.wait(10)


def ampcli_status(root, timeout=5):
    return subprocess.run(program(root, "ampcli") + ["status"], env=env_for(root),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=timeout, check=False).stdout


def fault_ids(text):
    for line in text.splitlines():
        if line.startswith("Fault IDs: "):
            return sorted(int(tok) for tok in line[len("Fault IDs: "):].split(", "))
    return []


def wait_for(root, predicate, seconds=15):
    deadline = time.time() + seconds
    text = ""
    while time.time() < deadline:
        text = ampcli_status(root)
        if predicate(fault_ids(text)):
            return text
        time.sleep(0.2)
    raise AssertionError("condition not reached; last status:\n" + text)


def expected_fault_5():
    return bool(core.scan_account_problems())


def switch(root, name, content=""):
    directory = root / "etc" / "ciscoamp-standin" / "simulate.d"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(content)


def test_status_follows_real_and_simulated_conditions(root, daemon):
    base = [5] if expected_fault_5() else []
    text = wait_for(root, lambda ids: ids == base)
    lines = text.splitlines()
    assert lines[:3] == ["[logger] Set minimum reported log level to notice",
                         "Trying to connect...", "Status: Connected"]
    assert "Policy: Stand-in Audit Policy for Linux (#1)" in lines

    # Fault 11 is real: the headers directory of the running kernel.
    shutil.rmtree(str(root / "usr" / "src"))
    wait_for(root, lambda ids: 11 in ids)
    (root / "usr" / "src" / "kernels" / RELEASE).mkdir(parents=True)
    wait_for(root, lambda ids: 11 not in ids)

    # Fault 5 by directory mode, then cleared without a restart.
    os.chmod(str(root / "opt" / "cisco" / "amp" / "etc"), 0o775)
    wait_for(root, lambda ids: 5 in ids)
    os.chmod(str(root / "opt" / "cisco" / "amp" / "etc"), 0o755)
    wait_for(root, lambda ids: ids == base)

    # Fault 7 is real: a definitions file whose body no longer matches its header MD5.
    bad = root / "opt" / "cisco" / "amp" / "clamav" / "daily.cvd"
    data = bytearray(open(str(root / "opt" / "cisco" / "amp" / "clamav" / "test-1.cvd"), "rb").read())
    data[1000] ^= 0xFF
    bad.write_bytes(bytes(data))
    text = wait_for(root, lambda ids: 7 in ids)
    assert "Scan: Scan service unavailable" in text
    bad.unlink()
    wait_for(root, lambda ids: 7 not in ids)

    # Fault 6: the scan service really crashes and is really restarted.
    switch(root, "scan_crash")
    wait_for(root, lambda ids: 6 in ids)
    log = (root / "var" / "log" / "cisco" / "ampdaemon.log").read_text()
    assert log.count("Scan service exited unexpectedly (status 1); restarting") >= 3
    assert "Fault Raised: 6 (Major)" in log

    switch(root, "event_overload", "Critical\n")
    text = wait_for(root, lambda ids: 18 in ids)
    assert "ID 18 - Critical: Connector event monitoring is overloaded." in text
    assert "Mode: Degraded" in text

    switch(root, "selinux_enforcing")
    wait_for(root, lambda ids: 19 in ids)
    module = root / "var" / "lib" / "selinux" / "targeted" / "active" / "modules" / "400"
    (module / "cisco-secure-bpf").mkdir(parents=True)
    wait_for(root, lambda ids: 19 not in ids)

    os.unlink(str(root / "etc" / "ciscoamp-standin" / "simulate.d" / "event_overload"))
    wait_for(root, lambda ids: 18 not in ids)
    log = (root / "var" / "log" / "cisco" / "ampdaemon.log").read_text()
    assert "Fault Cleared: 18" in log and "Fault Cleared: 11" in log


def test_ampcli_hangs_while_daemon_is_down_or_switched(root, daemon):
    wait_for(root, lambda ids: True)
    switch(root, "ampcli_hang")
    with pytest.raises(subprocess.TimeoutExpired):
        ampcli_status(root, timeout=2)
    os.unlink(str(root / "etc" / "ciscoamp-standin" / "simulate.d" / "ampcli_hang"))
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(10)
    assert not (root / "run" / "cisco-amp" / "state.json").exists()
    with pytest.raises(subprocess.TimeoutExpired):
        ampcli_status(root, timeout=2)


def test_ampcli_version_and_usage(root):
    out = subprocess.run(program(root, "ampcli") + ["--version"], env=env_for(root),
                         stdout=subprocess.PIPE, universal_newlines=True, timeout=10, check=False)
    assert out.stdout == "ampcli 1.24.3\n" and out.returncode == 0
    bad = subprocess.run(program(root, "ampcli") + ["frobnicate"], env=env_for(root),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10, check=False)
    assert bad.returncode != 0 and b"usage" in bad.stderr


def test_ampsupport_bundle(root, daemon, tmp_path_factory):
    wait_for(root, lambda ids: True)
    out_dir = tmp_path_factory.mktemp("bundle")
    result = subprocess.run(program(root, "ampsupport") + ["-o", str(out_dir)], env=env_for(root),
                            stdout=subprocess.PIPE, universal_newlines=True, timeout=30, check=False)
    assert result.returncode == 0
    path = result.stdout.strip()
    assert os.path.dirname(path) == str(out_dir) and path.endswith(".tar.gz")
    with tarfile.open(path) as bundle:
        names = sorted(name.split("/", 1)[1] for name in bundle.getnames())
    assert {"etc/global.xml", "etc/policy.xml", "logs/ampdaemon.log",
            "run/state.json"} <= set(names)
