"""Analysis methods shared by the build, the dashboard and the reports (docs/specs/kpis.md, Methods).

- `intervals`: Wilson score and exact Poisson / Byar 95% intervals, the same formulas as the dbt macros (the
  reference the tests hold the SQL to).
- `funnel`: funnel-plot limits for proportions and rates per population, and above/within/below labels.
- `spc`: XmR statistical process control as NHSRplotthedots 0.2.x ("Making Data Count").
- `impact`: intervention impact by interrupted time series and difference-in-differences (statsmodels).
- `tables`: `write_method_tables(con)`, which `concordat build` calls after dbt to write the method marts.
- `recovery`: planted vs estimated effects on demo data (`python -m concordat.methods.recovery WAREHOUSE`).
"""
