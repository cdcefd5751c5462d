"""What the commands print: a table by default, JSON with --format json."""

import json

import prettytable

FORMATS = ('table', 'json')


def table(columns, rows):
    view = prettytable.PrettyTable(columns)
    view.align = 'l'
    for row in rows:
        view.add_row(['-' if value is None or value == '' else value
                      for value in row])
    return view.get_string()


def emit(fmt, data, columns, rows):
    """Print ``data`` as JSON, or ``rows`` under ``columns`` as a table."""
    if fmt == 'json':
        print(json.dumps(data, indent=2, sort_keys=True))
    else:
        print(table(columns, rows))
