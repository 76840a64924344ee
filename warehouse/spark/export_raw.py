"""Export every ``raw.*`` table of a built Concordat DuckDB warehouse to Parquet, one directory per table.

The Spark check (``make spark-check``, see README.md) registers these directories as the Spark tables ``raw.<name>``
with the ``register_raw_parquet`` macro, so dbt-spark reads the same sources dbt-duckdb read.

    python warehouse/spark/export_raw.py --warehouse data/warehouse.duckdb --out /tmp/concordat-spark/raw
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import duckdb


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The names of the tables in the ``raw`` schema, sorted."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' and table_type = 'BASE TABLE'"
        " order by table_name"
    ).fetchall()
    return [name for (name,) in rows]


def export_raw(warehouse: Path, out: Path) -> list[str]:
    """Write ``out/<table>/<table>.parquet`` for every raw table (replacing ``out``); return the table names."""
    if out.exists():
        shutil.rmtree(out)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = raw_tables(con)
        for table in tables:
            (out / table).mkdir(parents=True)
            target = (out / table / f"{table}.parquet").as_posix().replace("'", "''")
            con.execute(f"copy raw.\"{table}\" to '{target}' (format parquet)")
    return tables


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="the built DuckDB file (warehouse.duckdb)")
    parser.add_argument("--out", type=Path, required=True, help="directory for the Parquet files (replaced)")
    args = parser.parse_args()
    tables = export_raw(args.warehouse, args.out)
    print(f"exported {len(tables)} raw tables to {args.out}: {', '.join(tables)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
