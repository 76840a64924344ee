"""Compare the tables dbt-spark built with the same tables dbt-duckdb built from the same raw data.

Spark writes each table as Parquet under ``<spark-warehouse>/<schema>.db/<table>/``; DuckDB reads those files and
compares them, row for row (as multisets), with its own tables of the ``intermediate`` and ``marts`` schemas (views
have no files: their SQL is checked through the tables built on them). Numbers are compared rounded to
``--digits`` decimal places (the engines' floating-point sums may differ in the last bits), everything else as text.
Exit code 1 when a table differs.

    python warehouse/spark/compare.py --warehouse data/warehouse.duckdb --spark-warehouse DIR/spark-warehouse
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

SCHEMAS = ("intermediate", "marts")
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")


def comparable(column: str, data_type: str, digits: int) -> str:
    """A SQL expression of the column that both engines' values render the same way."""
    quoted = f'"{column}"'
    if data_type.startswith(NUMERIC):
        return f"round(cast({quoted} as double), {digits}) as {quoted}"
    if data_type.startswith("TIMESTAMP"):
        return f"cast(cast({quoted} as timestamp) as varchar) as {quoted}"
    return f"cast({quoted} as varchar) as {quoted}"


def differing_rows(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, files: Path, digits: int
) -> tuple[int, int, int]:
    """(DuckDB rows, Spark rows, rows in one and not the other) for one table."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    select = ", ".join(comparable(name, data_type, digits) for name, data_type in columns)
    duck = f"select {select} from {schema}.{table}"
    spark = f"select {select} from read_parquet('{files.as_posix()}/**/*.parquet')"
    only_one = f"(({duck}) except all ({spark})) union all (({spark}) except all ({duck}))"
    n_duck, n_spark, n_diff = con.execute(
        f"select (select count(*) from ({duck})), (select count(*) from ({spark})), (select count(*) from ({only_one}))"
    ).fetchone()
    return n_duck, n_spark, n_diff


def compare(warehouse: Path, spark_warehouse: Path, digits: int) -> bool:
    """Print one line per table Spark built; True when every one matches DuckDB's."""
    matches = True
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ? and table_type = 'BASE TABLE' order by table_schema, table_name",
            [list(SCHEMAS)],
        ).fetchall()
        for schema, table in tables:
            files = spark_warehouse / f"{schema}.db" / table
            if not files.is_dir():
                continue
            n_duck, n_spark, n_diff = differing_rows(con, schema, table, files, digits)
            matches = matches and n_diff == 0
            status = "same" if n_diff == 0 else f"DIFFERENT ({n_diff} rows in one only)"
            print(f"{schema + '.' + table:<46} duckdb {n_duck:>8} rows, spark {n_spark:>8} rows: {status}")
    return matches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="the DuckDB file dbt-duckdb built")
    parser.add_argument("--spark-warehouse", type=Path, required=True, help="spark.sql.warehouse.dir of the Spark run")
    parser.add_argument("--digits", type=int, default=6, help="decimal places numbers are compared to (default 6)")
    args = parser.parse_args()
    return 0 if compare(args.warehouse, args.spark_warehouse, args.digits) else 1


if __name__ == "__main__":
    raise SystemExit(main())
