"""Make ``ansible_collections.secure_endpoint.linux`` importable under plain pytest.

Under ``ansible-test units`` the collection already sits in an ``ansible_collections`` tree;
under plain ``pytest`` from a checkout it does not, so we link the checkout into a temporary
tree once per session and install Ansible's collection finder on it (as ansible-test does), so
that the plugin loaders also resolve FQCNs such as ``secure_endpoint.linux.computers``.
"""
import atexit
import os
import shutil
import sys
import tempfile

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _ensure_collection_importable():
    try:
        import ansible_collections.secure_endpoint.linux  # noqa: F401  pylint: disable=unused-import
        return
    except ImportError:
        pass
    base = tempfile.mkdtemp(prefix="se-collections-")
    atexit.register(shutil.rmtree, base, True)
    ns = os.path.join(base, "ansible_collections", "secure_endpoint")
    os.makedirs(ns)
    os.symlink(_ROOT, os.path.join(ns, "linux"))
    sys.path.insert(0, base)
    for name in list(sys.modules):
        if name == "ansible_collections" or name.startswith("ansible_collections."):
            del sys.modules[name]
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
    _AnsibleCollectionFinder(paths=[base])._install()


_ensure_collection_importable()
