"""Files, links and device nodes of the simulated tree."""

import os
import shutil
import threading

# How the captures record an attribute whose read fails on the real host,
# and what they hold for a device node.
UNREADABLE = b'\0' * 1024


class Tree:

    def __init__(self, root):
        self.root = root
        self.sysfs = os.path.join(root, 'sys')
        self.dev = os.path.join(root, 'dev')

    def sys(self, *parts):
        return os.path.join(self.sysfs, *parts)

    def write(self, path, content):
        """Write a file whole: a reader sees the old content or the new.

        The kernel shows an attribute's value whole, never the empty file a
        truncate-then-write would show a reader in between.
        """
        directory, name = os.path.split(path)
        os.makedirs(directory, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        tmp = os.path.join(directory, '.%s.%d-%d' % (
            name, os.getpid(), threading.get_ident()))
        with open(tmp, 'wb') as f:
            f.write(content)
        os.replace(tmp, path)

    def attrs(self, directory, values):
        """One attribute file per item, each value ending in a newline."""
        for name, value in values.items():
            self.write(os.path.join(directory, name), '%s\n' % value)

    def unreadable(self, path):
        self.write(path, UNREADABLE)

    def link(self, path, target):
        """A relative symlink spelt the way sysfs spells it.

        Like kernfs, climb from the link's directory to an ancestor of the
        target's parent, then descend: a link to an ancestor reads
        ``../../../dfl-fme-mgr.0``, never ``../..``.
        """
        directory = base = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        parent = os.path.dirname(target)
        ups = 0
        while parent != base and not parent.startswith(base + os.sep):
            base = os.path.dirname(base)
            ups += 1
        os.symlink('../' * ups + os.path.relpath(target, base), path)

    def node(self, name):
        self.unreadable(os.path.join(self.dev, name))

    def remove_node(self, name):
        self.remove(os.path.join(self.dev, name))

    @staticmethod
    def remove(*paths):
        for path in paths:
            if os.path.islink(path) or os.path.isfile(path):
                os.unlink(path)
            elif os.path.isdir(path):
                shutil.rmtree(path)
