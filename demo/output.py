"""What the demo prints: a line per step, tables, a summary."""

import sys
import textwrap
import time

import prettytable

INDENT = ' ' * 7


def table(columns, rows):
    """A plain text table with a header row."""
    t = prettytable.PrettyTable(columns)
    t.align = 'l'
    for row in rows:
        t.add_row(list(row))
    return t.get_string()


class Progress:
    """``[ 3/12] Booting fpga-by-id ... ACTIVE on compute-intel (0.8 s)``."""

    def __init__(self, total):
        self.total = total
        self._width = len(str(total))
        self._line_open = False

    @staticmethod
    def _write(text):
        sys.stdout.write(text)
        sys.stdout.flush()

    def begin(self, number, title):
        self._write('[%*d/%d] %s ... ' % (self._width, number, self.total,
                                          title))
        self._line_open = True
        self._began = time.monotonic()

    def end(self, result, seconds):
        if not self._line_open:
            self._write(INDENT + '... ')
        self._write('%s (%.1f s)\n' % (result, seconds))
        self._line_open = False

    def note(self, text):
        """How the current step goes, on a line of its own."""
        if self._line_open:
            self._write('\n')
            self._line_open = False
        self._write('%s%s (%.1f s)\n' % (INDENT, text,
                                         time.monotonic() - self._began))

    def show(self, text):
        """Text under the current step, indented."""
        self._write(textwrap.indent(text, INDENT) + '\n')

    def say(self, text):
        self._write(text + '\n')
