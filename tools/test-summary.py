"""Print the last stestr run as one line: 'SUITE: N passed, N failed'."""

import io
import subprocess
import sys

import subunit
import testtools


def main(suite):
    stream = subprocess.run(
        [sys.executable, '-m', 'stestr', 'last', '--subunit'],
        check=True, capture_output=True).stdout
    summary = testtools.StreamSummary()
    summary.startTestRun()
    subunit.ByteStreamToStreamResult(io.BytesIO(stream)).run(summary)
    summary.stopTestRun()
    passed = summary.testsRun - len(summary.errors) - len(
        summary.failures) - len(summary.skipped)
    print('%s: %d passed, %d failed, %d skipped' % (
        suite, passed, len(summary.errors) + len(summary.failures),
        len(summary.skipped)))
    return 0 if summary.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
