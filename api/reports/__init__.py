"""Reports for supervisors, computed from what the specialists log (docs/reports.md).

Every report is a package with the same four parts:

- `service.py`: the computation, plain functions over the database that tests call directly;
- `schemas.py`: the query string it reads (an `ExportQuery`) and the JSON it answers;
- `csv.py`: `csv_rows(report, lang)`, the report as spreadsheet columns and rows;
- `routes.py`: the view (read the query, check the reader and the period, compute, answer JSON
  or CSV) and its `ROUTE`.

Shared: `routes.py` (the blueprint, with every report's `ROUTE` on it), `common.py` (whose
numbers a reader may see, the period check, `ReportRoute`), `export.py` (the CSV format and
column titles) and `weeks.py` (ISO weeks in local time).
"""
